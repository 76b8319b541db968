/**
 * The picker's buttons for one link ("ask each time"): the video heights the probe really lists
 * that fit the upload limit, with their estimated sizes, then Audio and File when they fit too.
 * The same format plan as the download (formats.ts) decides what fits, so a press on a height
 * downloads a format of that height.
 */
import type { QualityOption, QualityOptions } from '../../shared/qualityChoice.js';
import { planFormats } from './formats.js';
import type { DownloadEngine } from './warmEngine.js';
import { EngineJobLost } from './warmEngine.js';
import { parseProbeOutput, type MediaInfo } from './ytDlpInfo.js';

/** Every format of a page is a candidate here; the download itself tries at most a few. */
const ALL_CANDIDATES = 1_000;

/** A picture is sent as it is (a photo): there is no quality to choose for it. */
const PICTURE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'avif', 'heic']);

/** The options for one video's info; fewer than two: nothing worth asking. */
export function qualityOptionsOf(info: MediaInfo, maxUploadBytes: number): QualityOption[] {
  const formats = info.formats.filter((format) => !PICTURE_EXTENSIONS.has((format.ext ?? '').toLowerCase()));
  if (formats.length === 0) return [];
  const plan = (mode: 'video' | 'audio' | 'document') =>
    planFormats(formats, {
      mode,
      maxUploadBytes,
      durationSeconds: info.durationSeconds,
      maxCandidates: ALL_CANDIDATES,
    }).candidates;

  // Per height, the smallest size known (a pair of video and audio counts both).
  const heights = new Map<number, number | undefined>();
  for (const candidate of plan('video')) {
    if (candidate.audioOnly || candidate.height === undefined) continue;
    const known = heights.get(candidate.height);
    const size = candidate.estimatedBytes;
    if (!heights.has(candidate.height)) heights.set(candidate.height, size);
    else if (size !== undefined && (known === undefined || size < known)) heights.set(candidate.height, size);
  }
  const options: QualityOption[] = [...heights.entries()]
    .sort(([a], [b]) => b - a)
    .map(([height, estimatedBytes]) => withEstimate({ choice: { kind: 'video', height } }, estimatedBytes));

  const audio = plan('audio')[0];
  // A sound that must be cut out of a video is sent as less than the video: no honest estimate.
  if (audio)
    options.push(withEstimate({ choice: { kind: 'audio' } }, audio.audioOnly ? audio.estimatedBytes : undefined));
  const file = plan('document')[0];
  if (file) options.push(withEstimate({ choice: { kind: 'document' } }, file.estimatedBytes));
  return options;
}

function withEstimate(option: QualityOption, estimatedBytes: number | undefined): QualityOption {
  return estimatedBytes === undefined ? option : { ...option, estimatedBytes: Math.round(estimatedBytes) };
}

export interface ProbeQualityOptions {
  engine: DownloadEngine;
  url: string;
  maxUploadBytes: number;
  /** The egress proxy, as for the download. */
  proxy?: string;
  signal?: AbortSignal;
}

/**
 * Probes the link (no download) and lists its options. A playlist or gallery, or a link yt-dlp
 * cannot read, has none: the request then goes on with the chat's default, and the download
 * says what is wrong, exactly as without the picker.
 */
export async function probeQualityOptions(options: ProbeQualityOptions): Promise<QualityOptions> {
  const job = options.engine.openJob({ proxy: options.proxy }, options.signal);
  try {
    const reply = await job.probe(options.url, 1, { measureSizes: true });
    if (reply.kind === 'failed') return { options: [] };
    const result = parseProbeOutput(reply.info);
    if (result.kind !== 'single') return { options: [] };
    return { options: qualityOptionsOf(result.info, options.maxUploadBytes), title: result.info.title };
  } catch (error) {
    if (error instanceof EngineJobLost && !options.signal?.aborted) return { options: [] };
    throw error;
  } finally {
    job.end();
  }
}
