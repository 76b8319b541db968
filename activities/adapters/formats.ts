/**
 * Which of a video's formats to download, and in which order to try them. Pure: the download
 * engine (`fetchMedia.ts`) runs the attempts.
 *
 * - Sizes come from yt-dlp: `filesize` (exact), `filesize_approx`, or bitrate × duration (both
 *   approximate). Formats known to be too large are left out (their smallest size is kept for
 *   the "too large" answer); approximate sizes get a 10 % margin before they are left out.
 * - Unknown sizes (a web page's `<video>` sources) are tried anyway from best to worst: every
 *   attempt is guarded by yt-dlp's `--max-filesize`, and the engine moves on when it aborts.
 * - Mode `video`: mp4/H.264 (+AAC) first, Telegram streams it without any conversion; then the
 *   others (they will be converted). Within each group the highest resolution first, within
 *   `maxHeight`; formats above the cap come last, lowest first (better too sharp than nothing).
 * - Mode `audio`: audio-only formats, AAC (copied into an m4a) before MP3 before anything else
 *   (transcoded), best bitrate first; then formats with video, the smallest first, to extract
 *   their audio. Those may be up to `AUDIO_SOURCE_FACTOR` × the limit: only their audio is sent.
 * - Mode `document`: the best quality that fits, whatever the codec.
 */
import type { MediaFormat } from './ytDlpInfo.js';
import type { MediaMode } from '../../shared/activityTypes.js';

export interface FormatPlanOptions {
  mode: MediaMode;
  maxUploadBytes: number;
  maxHeight?: number;
  durationSeconds?: number;
  /** At most this many attempts; default `DEFAULT_MAX_CANDIDATES`. */
  maxCandidates?: number;
}

export type SizeCertainty = 'exact' | 'approximate' | 'unknown';

export interface FormatCandidate {
  /** yt-dlp's `--format` value: one format id, or `video+audio`. */
  selector: string;
  formats: MediaFormat[];
  height?: number;
  /** Size of the download (for a pair: both parts). */
  estimatedBytes?: number;
  certainty: SizeCertainty;
  /** yt-dlp's `--max-filesize` for this attempt (it applies to each downloaded part). */
  guardBytes: number;
  /** H.264 (or an unknown codec in an mp4) with AAC/MP3 audio: no conversion expected. */
  telegramReady: boolean;
  /** For pairs: yt-dlp's `--merge-output-format`. */
  mergeOutputFormat?: string;
  /** The download has no video (audio-only format). */
  audioOnly: boolean;
}

export interface FormatPlan {
  candidates: FormatCandidate[];
  /** The smallest known size among formats left out for being too large. */
  smallestRejectedBytes?: number;
  /** Formats that could be downloaded at all (no DRM, no storyboards). */
  usableFormats: number;
}

export const DEFAULT_MAX_CANDIDATES = 6;
/** Approximate sizes may be this much over the limit and still be tried (guarded). */
export const APPROXIMATE_MARGIN = 1.1;
/** Audio mode may download a video this many times the limit to extract its audio. */
export const AUDIO_SOURCE_FACTOR = 8;

const AUDIO_EXTENSIONS = new Set(['m4a', 'mp3', 'aac', 'opus', 'ogg', 'oga', 'wav', 'flac', 'weba', 'mka', 'alac']);
const MP4_EXTENSIONS = new Set(['mp4', 'm4v']);

export type VideoCodecClass = 'none' | 'h264' | 'other' | 'unknown';
export type AudioCodecClass = 'none' | 'aac' | 'mp3' | 'other' | 'unknown';

export function videoCodecClass(format: Pick<MediaFormat, 'vcodec' | 'ext'>): VideoCodecClass {
  const vcodec = format.vcodec;
  if (vcodec === 'none') return 'none';
  if (vcodec === undefined) return format.ext && AUDIO_EXTENSIONS.has(format.ext) ? 'none' : 'unknown';
  if (/^(?:avc|h264)/.test(vcodec)) return 'h264';
  return 'other';
}

export function audioCodecClass(format: Pick<MediaFormat, 'acodec' | 'ext'>): AudioCodecClass {
  const acodec = format.acodec;
  if (acodec === 'none') return 'none';
  if (acodec === undefined) return 'unknown';
  if (/^(?:mp3|mpga|mp4a\.40\.34|mp4a\.6b)/.test(acodec)) return 'mp3';
  if (/^(?:mp4a|aac)/.test(acodec)) return 'aac';
  return 'other';
}

function hasVideo(format: MediaFormat): boolean {
  return videoCodecClass(format) !== 'none';
}

function hasAudio(format: MediaFormat): boolean {
  return audioCodecClass(format) !== 'none';
}

function usable(format: MediaFormat): boolean {
  if (format.hasDrm) return false;
  if (format.protocol === 'mhtml' || format.ext === 'mhtml') return false;
  return hasVideo(format) || hasAudio(format);
}

export interface SizeEstimate {
  bytes?: number;
  certainty: SizeCertainty;
}

/** A format's size: exact, yt-dlp's approximation, bitrate × duration, or unknown. */
export function estimateFormatBytes(format: MediaFormat, durationSeconds?: number): SizeEstimate {
  if (format.filesize) return { bytes: format.filesize, certainty: 'exact' };
  if (format.filesizeApprox) return { bytes: Math.round(format.filesizeApprox), certainty: 'approximate' };
  const kbps = format.tbr ?? (format.vbr || format.abr ? (format.vbr ?? 0) + (format.abr ?? 0) : undefined);
  if (kbps && durationSeconds) return { bytes: Math.round(kbps * 125 * durationSeconds), certainty: 'approximate' };
  return { certainty: 'unknown' };
}

function combine(parts: SizeEstimate[]): SizeEstimate & { lowerBound: number } {
  const lowerBound = parts.reduce((sum, part) => sum + (part.certainty === 'exact' ? (part.bytes ?? 0) : 0), 0);
  if (parts.some((part) => part.bytes === undefined)) return { certainty: 'unknown', lowerBound };
  const bytes = parts.reduce((sum, part) => sum + (part.bytes ?? 0), 0);
  const certainty: SizeCertainty = parts.every((part) => part.certainty === 'exact') ? 'exact' : 'approximate';
  return { bytes, certainty, lowerBound };
}

function telegramVideo(format: MediaFormat): boolean {
  const video = videoCodecClass(format);
  return video === 'h264' || (video === 'unknown' && format.ext !== undefined && MP4_EXTENSIONS.has(format.ext));
}

function telegramAudio(format: MediaFormat): boolean {
  return ['aac', 'mp3', 'unknown', 'none'].includes(audioCodecClass(format));
}

interface Draft {
  formats: MediaFormat[];
  estimate: SizeEstimate & { lowerBound: number };
  telegramReady: boolean;
  audioOnly: boolean;
  height?: number;
  order: number;
}

/** Too large for sure (exact), or by more than the margin (approximate). */
function tooLarge(estimate: SizeEstimate & { lowerBound: number }, limit: number): boolean {
  if (estimate.lowerBound > limit) return true;
  if (estimate.bytes === undefined) return false;
  return estimate.certainty === 'exact' ? estimate.bytes > limit : estimate.bytes > limit * APPROXIMATE_MARGIN;
}

function audioRank(format: MediaFormat): number {
  return { aac: 0, mp3: 1, unknown: 2, other: 3, none: 4 }[audioCodecClass(format)];
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The best audio-only format to pair with `video`, preferring AAC for H.264 and one that fits. */
function pickAudio(video: MediaFormat, audios: MediaFormat[], options: FormatPlanOptions): MediaFormat | undefined {
  const wantAac = telegramVideo(video);
  const pool =
    wantAac && audios.some((a) => audioCodecClass(a) === 'aac')
      ? audios.filter((a) => audioCodecClass(a) === 'aac')
      : audios;
  const best = [...pool].sort((a, b) => b.order - a.order);
  const videoSize = estimateFormatBytes(video, options.durationSeconds);
  const fitting = best.find(
    (audio) =>
      !tooLarge(combine([videoSize, estimateFormatBytes(audio, options.durationSeconds)]), options.maxUploadBytes),
  );
  return fitting ?? best.at(-1);
}

/** The attempts to make for one video, best first, and what was left out for its size. */
export function planFormats(allFormats: readonly MediaFormat[], options: FormatPlanOptions): FormatPlan {
  const formats = allFormats.filter(usable);
  const limit = options.maxUploadBytes;
  const duration = options.durationSeconds;
  const withVideo = formats.filter(hasVideo);
  const audioOnly = formats.filter((f) => !hasVideo(f) && hasAudio(f));
  const muxed = withVideo.filter(hasAudio);
  const videoOnly = withVideo.filter((f) => !hasAudio(f));

  const single = (format: MediaFormat): Draft => ({
    formats: [format],
    estimate: combine([estimateFormatBytes(format, duration)]),
    telegramReady: hasVideo(format) ? telegramVideo(format) && telegramAudio(format) : false,
    audioOnly: !hasVideo(format),
    height: format.height,
    order: format.order,
  });

  let drafts: Draft[];
  let sourceLimit = limit;
  let rank: (draft: Draft) => number[];

  const useAudioMode = options.mode === 'audio' || withVideo.length === 0;
  if (useAudioMode) {
    // Audio-only formats as they are; then videos to extract the audio from, smallest first.
    sourceLimit = options.mode === 'audio' ? limit * AUDIO_SOURCE_FACTOR : limit;
    drafts = [...audioOnly.map(single), ...(options.mode === 'audio' ? muxed.map(single) : [])];
    rank = (draft) => {
      const format = draft.formats[0]!;
      if (draft.audioOnly) return [0, audioRank(format), -(format.abr ?? format.tbr ?? 0), -format.order];
      return [
        1,
        audioRank(format),
        draft.height ?? Number.MAX_SAFE_INTEGER,
        draft.estimate.bytes ?? Number.MAX_SAFE_INTEGER,
        format.order,
      ];
    };
  } else {
    drafts = muxed.map(single);
    for (const video of videoOnly) {
      const audio = pickAudio(video, audioOnly, options);
      if (!audio) {
        drafts.push(single(video)); // silent video
        continue;
      }
      drafts.push({
        formats: [video, audio],
        estimate: combine([estimateFormatBytes(video, duration), estimateFormatBytes(audio, duration)]),
        telegramReady: telegramVideo(video) && telegramAudio(audio),
        audioOnly: false,
        height: video.height,
        order: video.order,
      });
    }
    const cap = options.maxHeight;
    rank = (draft) => {
      const overCap = cap !== undefined && draft.height !== undefined && draft.height > cap;
      const height = draft.height ?? 0;
      const group = options.mode === 'video' && !draft.telegramReady ? 1 : 0;
      return [overCap ? 1 : 0, group, overCap ? height : -height, -draft.order];
    };
  }

  let smallestRejectedBytes: number | undefined;
  const kept: Draft[] = [];
  for (const draft of drafts) {
    // In audio mode a video source is only the container of the audio that is sent.
    const threshold = options.mode === 'audio' && !draft.audioOnly ? sourceLimit : limit;
    if (tooLarge(draft.estimate, threshold)) {
      const size = draft.estimate.bytes ?? draft.estimate.lowerBound;
      smallestRejectedBytes = smallestRejectedBytes === undefined ? size : Math.min(smallestRejectedBytes, size);
      continue;
    }
    kept.push(draft);
  }
  kept.sort((a, b) => compareNumbers(rank(a), rank(b)));

  const seen = new Set<string>();
  const candidates: FormatCandidate[] = [];
  for (const draft of kept) {
    const selector = draft.formats.map((f) => f.id).join('+');
    if (seen.has(selector)) continue;
    seen.add(selector);
    candidates.push({
      selector,
      formats: draft.formats,
      height: draft.height,
      estimatedBytes: draft.estimate.bytes,
      certainty: draft.estimate.certainty,
      guardBytes: options.mode === 'audio' && !draft.audioOnly ? sourceLimit : limit,
      telegramReady: draft.telegramReady,
      audioOnly: draft.audioOnly,
      ...(draft.formats.length > 1 ? { mergeOutputFormat: draft.telegramReady ? 'mp4' : 'mp4/mkv' } : {}),
    });
    if (candidates.length >= (options.maxCandidates ?? DEFAULT_MAX_CANDIDATES)) break;
  }
  return { candidates, smallestRejectedBytes, usableFormats: formats.length };
}
