/**
 * `fetchMedia` for one link to a video as the benches run it, on either engine (the warm one or
 * the cold CLI baseline) with the project's ffmpeg and ffprobe: the items, or an error that says
 * what fetchMedia answered instead (a failure with its type and reason).
 */
import { fetchMedia, type FetchedItem, type FetchMediaOptions } from '../../activities/adapters/fetchMedia.js';
import type { DownloadEngine } from '../../activities/adapters/warmEngine.js';
import type { ToolPaths } from '../../src/tools.js';

export async function fetchVideo(
  engine: DownloadEngine,
  tools: Pick<ToolPaths, 'ffmpeg' | 'ffprobe'>,
  request: Pick<FetchMediaOptions, 'url' | 'dir' | 'proxy' | 'maxUploadBytes' | 'albumCap'>,
): Promise<FetchedItem[]> {
  const outcome = await fetchMedia({
    ...request,
    tools: { engine, ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe },
    mode: 'video',
  });
  if (outcome.kind !== 'media')
    throw new Error(
      `fetchMedia: ${outcome.kind}${outcome.kind === 'failed' ? ` ${outcome.type}: ${outcome.reason}` : ''}`,
    );
  return outcome.items;
}
