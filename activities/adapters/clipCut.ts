/**
 * A downloaded media cut to the part a person asked for (`link 1:30-2:45`).
 *
 * The whole file is downloaded and then cut with ffmpeg (stream copy), for every kind of link,
 * rather than asking yt-dlp for the part alone (`download_ranges`). yt-dlp fetches a range only
 * through its ffmpeg downloader, which it counts as available only when ffmpeg is on PATH (it
 * ignores `ffmpeg_location`, where the engine names the bot's ffmpeg): here it refuses the range
 * as "ffmpeg is not installed". Where it does run, that downloader reports no bytes until it has
 * finished, so the engine's size guard could not stop an oversized download midway. The cost:
 * the rest of the media is downloaded too, and the whole file must fit the format plan's limit.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { formatClipRange, formatClipTime, type ClipRange } from '../../shared/clipRange.js';
import { cutClip, type FfmpegContext } from './ffmpeg.js';
import { ffprobeFile } from './mediaProbe.js';

/**
 * Rounding slack, in seconds: durations are whole seconds (yt-dlp's probe, ffprobe's reading),
 * so a range that ends at 0:10 of a 9.6 s media is still inside it.
 */
const DURATION_SLACK_SECONDS = 1;

/** Why the media cannot serve the range (its end is past the media's); undefined when it can, or the duration is unknown. */
export function rangeBeyondMedia(range: ClipRange, durationSeconds: number | undefined): string | undefined {
  if (durationSeconds === undefined || range.endSeconds <= durationSeconds + DURATION_SLACK_SECONDS) return undefined;
  return `the media lasts ${formatClipTime(durationSeconds)}, so it has no ${formatClipRange(range)}`;
}

export type CutOutcome = { kind: 'cut'; filePath: string } | { kind: 'beyond'; problem: string } | { kind: 'failed' };

/**
 * Replaces `filePath` with its part `range` (same name, same container), checked with ffprobe:
 * a cut with no duration, or a media shorter than the range, is not sent.
 */
export async function cutToRange(
  context: FfmpegContext & { ffprobe: string },
  filePath: string,
  range: ClipRange,
): Promise<CutOutcome> {
  // The probe may not know the duration (a direct file); the file does.
  const whole = await ffprobeFile(context.ffprobe, filePath, context.signal);
  const beyond = rangeBeyondMedia(range, whole.durationSeconds);
  if (beyond) return { kind: 'beyond', problem: beyond };
  const parsed = path.parse(filePath);
  const output = path.join(parsed.dir, `${parsed.name}.clip${parsed.ext}`);
  const step = await cutClip(context, filePath, output, range);
  context.signal?.throwIfAborted();
  const cut = step.ok ? await ffprobeFile(context.ffprobe, output, context.signal) : undefined;
  if (cut?.durationSeconds === undefined) {
    await rm(output, { force: true });
    return { kind: 'failed' };
  }
  await rename(output, filePath);
  return { kind: 'cut', filePath };
}
