/**
 * The download engine: one link in, Telegram-ready files out.
 *
 * All of yt-dlp's work for one link happens in one job of the warm engine (warmEngine.ts): one
 * child forked from a Python process that has yt_dlp and its extractors loaded already.
 * 1. Probe (flat playlist): one video, or a playlist/gallery (the generic extractor turns a page
 *    with several `<video>` elements into a playlist), with its formats.
 * 2. Per item, choose formats by size (`formats.ts`) and download them one attempt at a time from
 *    the probe's info, kept in the job's child (no second extraction), each attempt guarded by
 *    yt-dlp's max_filesize and by the bytes actually received; a refused attempt moves on.
 * 3. Make it Telegram-friendly with ffprobe/ffmpeg: mp4/H.264 stays, H.264 in another container
 *    is remuxed, other codecs are transcoded when the result fits (else the original goes as a
 *    document); audio mode extracts an m4a/mp3; every video gets a JPEG thumbnail.
 *
 * Everything is written inside `dir`, as `item-<n>.*`. Cancelling `signal` kills the job's child
 * (and the ffmpeg it started) or the running tool's process tree, and rejects with `signal.reason`.
 * Failures come back typed (`FailureType` and a reason), never as text to be parsed again.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureType } from '../../shared/failures.js';
import type { FileKind, MediaMode } from '../../shared/activityTypes.js';
import type { ClipRange } from '../../shared/clipRange.js';
import { cutToRange, rangeBeyondMedia } from './clipCut.js';
import { EGRESS_REFUSAL } from './egressProxy.js';
import { isInsideDir } from './insideDir.js';
import { fileKindOf } from './pictureKind.js';
import { ffprobeFile, type ProbedMedia } from './mediaProbe.js';
import { extractAudio, audioTarget, makeThumbnail, remuxToMp4, transcodeToMp4, type FfmpegContext } from './ffmpeg.js';
import { planFormats, type FormatCandidate } from './formats.js';
import { splitVideo } from './videoSplit.js';
import type { Semaphore } from './semaphore.js';
import { EngineJobLost, type DownloadEngine, type EngineError, type EngineJob } from './warmEngine.js';
import { escapeOutputTemplate, parseProbeOutput, type MediaInfo, type ProbeResult } from './ytDlpInfo.js';
import { classifyYtDlpException } from './ytDlpErrors.js';

export interface FetchMediaOptions {
  /** The warm yt-dlp engine, and the ffmpeg/ffprobe the conversions and thumbnails run. */
  tools: { engine: DownloadEngine; ffmpeg: string; ffprobe: string };
  /** Niceness of the conversions (DOWNLOAD_NICE); the engine lowers its own children. */
  nice?: number;
  /** An HTTP proxy for every connection yt-dlp makes: the egress guard (see egressProxy.ts). */
  proxy?: string;
  url: string;
  /** An existing empty 0700 temp dir owned by this request; everything is written inside it. */
  dir: string;
  mode: MediaMode;
  /** The Telegram upload limit. */
  maxUploadBytes: number;
  /** Per-chat quality cap, e.g. 480 (undefined = best). */
  maxHeight?: number;
  /** Most items of a gallery/playlist downloaded. */
  albumCap: number;
  /** Only this part of each item (see clipCut.ts); undefined: all of it. */
  clip?: ClipRange;
  /**
   * A single video over the upload limit is sent in at most `maxParts` parts (see videoSplit.ts):
   * it may then be downloaded up to `maxParts` times the limit. Undefined: it is too large.
   */
  split?: { maxParts: number };
  /** YTDLP_COOKIES: copied into `dir` (0600) for yt-dlp, removed when done; the original is only read. */
  cookiesFile?: string;
  /** Aborting kills the job's child and ffmpeg (whole process trees) and rejects with `signal.reason`. */
  signal?: AbortSignal;
  onProgress?: (progress: FetchProgress) => void;
  /** The process's conversion slots (FFMPEG_CONCURRENCY); none: conversions are not capped. */
  conversionSlots?: Semaphore;
  /**
   * Longest media (seconds) transcoded to H.264; longer non-H.264 video is sent as a document.
   * Default `DEFAULT_MAX_TRANSCODE_SECONDS`.
   */
  maxTranscodeSeconds?: number;
  /**
   * Egress check for URLs that the page, not the person, chose: playlist items that are links,
   * format URLs, the thumbnail. A URL it refuses is not fetched (items are skipped as 'blocked').
   */
  isAllowedUrl?: (url: string) => boolean | Promise<boolean>;
}

export interface FetchProgress {
  phase: 'probing' | 'downloading' | 'converting';
  /** Bytes received (for a format pair: both parts); while converting, bytes ffmpeg wrote. */
  downloadedBytes?: number;
  totalBytes?: number;
  speedBytesPerSecond?: number;
  /** 1-based item being worked on, and how many will be (playlists). */
  item?: number;
  items?: number;
  /** Converting: waiting for a free conversion slot (FFMPEG_CONCURRENCY). */
  waitingForConverter?: boolean;
}

export interface FetchedItem {
  filePath: string;
  fileName: string;
  sizeBytes: number;
  /** 'photo' and 'animation' only from gallery-dl (galleryDl.ts). */
  kind: FileKind;
  mimeType?: string;
  title?: string;
  performer?: string;
  durationSeconds?: number;
  width?: number;
  height?: number;
  /** JPEG, longest side ≤ 320 px, ≤ 200 kB. */
  thumbnailPath?: string;
  sourceUrl: string;
  /** `remuxed`: the H.264 video was copied into mp4 (audio copied or made AAC); `transcoded`: re-encoded. */
  conversion?: 'remuxed' | 'transcoded';
}

/** A playlist item that was not delivered. */
export interface FetchSkip {
  /** 1-based position in the playlist. */
  item: number;
  reason: 'too-large' | 'failed' | 'blocked';
  sizeBytes?: number;
}

export type FetchMediaOutcome =
  | {
      kind: 'media';
      /** In playlist order. `playlist: false` → exactly one item. */
      items: FetchedItem[];
      playlist: boolean;
      /** Items the link offered (1 for a single video); more than `albumCap` = the cap cut it short. */
      availableItems: number;
      /** Items within the cap that were left out (too large, failed, blocked); empty for one video. */
      skipped: FetchSkip[];
      /** `items` are the parts of one video split to fit the limit, in order. */
      parts?: boolean;
    }
  | { kind: 'too-large'; sizeBytes: number; limitBytes: number }
  | { kind: 'failed'; type: FailureType; reason: string };

/** Ten minutes of video take minutes of CPU to transcode; longer ones go as documents. */
export const DEFAULT_MAX_TRANSCODE_SECONDS = 10 * 60;
type Failed = Extract<FetchMediaOutcome, { kind: 'failed' }>;
type TooLarge = Extract<FetchMediaOutcome, { kind: 'too-large' }>;
type ItemOutcome = { kind: 'item'; item: FetchedItem } | TooLarge | Failed | { kind: 'blocked' };

function failed(type: FailureType, reason: string): Failed {
  return { kind: 'failed', type, reason };
}

const BLOCKED_MEDIA: Failed = failed(FailureType.BlockedAddress, 'the media is only on refused addresses');

/** What yt-dlp raised, typed: the egress proxy's refusal, else yt-dlp's classes and message. */
function ytDlpFailed(error: EngineError): Failed {
  if (error.message.includes(EGRESS_REFUSAL))
    return failed(FailureType.BlockedAddress, 'a redirect or a resource of the link points to a refused address');
  const { type, reason } = classifyYtDlpException(error);
  return failed(type, reason);
}

const MIME_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  mov: 'video/quicktime',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
};

function extensionOf(file: string): string {
  return path.extname(file).slice(1).toLowerCase();
}

/** A file name people see: the title without path separators or control characters. */
export function safeFileName(title: string | undefined, ext: string): string {
  const cleaned = (title ?? 'media')
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80)
    .trim();
  return `${cleaned || 'media'}.${ext || 'bin'}`;
}

interface Context {
  options: FetchMediaOptions;
  job: EngineJob;
  dir: string;
  signal?: AbortSignal;
  allowed: (url: string | undefined) => Promise<boolean>;
  emit: (progress: FetchProgress) => void;
}

/** Downloads what `options.url` points at; see the module comment. */
export async function fetchMedia(options: FetchMediaOptions): Promise<FetchMediaOutcome> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const dir = path.resolve(options.dir);
  const hostVerdicts = new Map<string, Promise<boolean>>();
  let cookiesCopy: string | undefined;
  if (options.cookiesFile) cookiesCopy = await copyCookies(options.cookiesFile, dir);
  const job = options.tools.engine.openJob({ proxy: options.proxy, cookiesFile: cookiesCopy }, signal);
  const context: Context = {
    options,
    job,
    dir,
    signal,
    emit: (progress) => {
      try {
        options.onProgress?.(progress);
      } catch {
        // a progress listener's problem is not the download's
      }
    },
    allowed: async (url) => {
      if (!url || !options.isAllowedUrl) return true;
      let key: string;
      try {
        const parsed = new URL(url);
        key = `${parsed.protocol}//${parsed.host}`;
      } catch {
        return false;
      }
      let verdict = hostVerdicts.get(key);
      if (!verdict) {
        verdict = Promise.resolve()
          .then(() => options.isAllowedUrl!(url))
          .catch(() => false);
        hostVerdicts.set(key, verdict);
      }
      return verdict;
    },
  };

  try {
    context.emit({ phase: 'probing' });
    const cap = Math.max(1, Math.floor(options.albumCap));
    const probe = await probeUrl(context, options.url, cap + 1);
    if (probe.kind === 'failed') return probe;

    if (probe.result.kind === 'single') {
      const outcome = await fetchItem(
        context,
        probe.result.info,
        { probe: probe.probe, entry: null },
        1,
        1,
        options.url,
      );
      if (outcome.kind === 'item')
        return { kind: 'media', items: [outcome.item], playlist: false, availableItems: 1, skipped: [] };
      if (outcome.kind === 'blocked') return BLOCKED_MEDIA;
      if (outcome.kind === 'too-large' && options.split && options.mode === 'video')
        return await fetchInParts(
          context,
          probe.result.info,
          { probe: probe.probe, entry: null },
          outcome,
          options.split,
        );
      if (outcome.kind === 'too-large' && options.clip)
        return await fetchClipOfLargeMedia(context, probe.result.info, { probe: probe.probe, entry: null }, outcome);
      return outcome;
    }

    const entries = probe.result.entries.slice(0, cap);
    if (entries.length === 0) return failed(FailureType.NoMediaFound, 'the playlist has no items');
    const items: FetchedItem[] = [];
    const skipped: FetchSkip[] = [];
    const failures: Array<TooLarge | Failed> = [];
    for (const [position, entry] of entries.entries()) {
      const number = position + 1;
      let outcome: ItemOutcome;
      if (entry.kind === 'resolved') {
        outcome = await fetchItem(
          context,
          entry.info,
          { probe: probe.probe, entry: entry.position },
          number,
          entries.length,
          options.url,
        );
      } else if (!(await context.allowed(entry.url))) {
        outcome = { kind: 'blocked' };
      } else {
        context.emit({ phase: 'probing', item: number, items: entries.length });
        const itemProbe = await probeUrl(context, entry.url, 1);
        if (itemProbe.kind === 'failed') outcome = itemProbe;
        else if (itemProbe.result.kind !== 'single')
          outcome = failed(FailureType.NoMediaFound, 'a playlist inside the playlist');
        else
          outcome = await fetchItem(
            context,
            itemProbe.result.info,
            { probe: itemProbe.probe, entry: null },
            number,
            entries.length,
            entry.url,
          );
      }
      if (outcome.kind === 'item') {
        items.push(outcome.item);
        continue;
      }
      skipped.push({
        item: entry.index,
        reason: outcome.kind === 'too-large' ? 'too-large' : outcome.kind === 'blocked' ? 'blocked' : 'failed',
        ...(outcome.kind === 'too-large' ? { sizeBytes: outcome.sizeBytes } : {}),
      });
      if (outcome.kind !== 'blocked') failures.push(outcome);
    }
    if (items.length > 0) {
      return { kind: 'media', items, playlist: true, availableItems: probe.result.availableItems, skipped };
    }
    // Nothing delivered: answer like a single video would, "too large" only if that was all of it.
    const tooLarge = failures.filter((f): f is TooLarge => f.kind === 'too-large');
    if (tooLarge.length > 0 && tooLarge.length === failures.length) {
      return tooLarge.reduce((smallest, f) => (f.sizeBytes < smallest.sizeBytes ? f : smallest));
    }
    return failures.find((f): f is Failed => f.kind === 'failed') ?? BLOCKED_MEDIA;
  } catch (error) {
    // The job's child or the engine died (a crash, a kill -9): the next attempt gets a new one.
    if (error instanceof EngineJobLost && !signal?.aborted) return failed(FailureType.DownloadFailed, error.message);
    throw error;
  } finally {
    job.end();
    if (signal?.aborted) {
      // The cancel killed the job's child; once it is gone, so is what it was writing.
      await Promise.race([job.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await removeMatching(dir, (name) => name.startsWith('item-'));
    }
    // yt-dlp writes the jar back; the copy goes now.
    if (cookiesCopy) await rm(cookiesCopy, { force: true });
  }
}

/** YTDLP_COOKIES copied into the request dir (0600) as `name`, for one tool's run; the caller removes it. */
export async function copyCookies(source: string, dir: string, name = 'cookies.txt'): Promise<string> {
  const copy = path.join(dir, name);
  // Read, never opened for writing: the operator's file keeps its content and mtime.
  const content = await readFile(source).catch((error: NodeJS.ErrnoException) => {
    // Neither the path nor anything read from it goes into the message.
    throw new Error(`the cookies file (YTDLP_COOKIES) cannot be read: ${error.code ?? 'error'}`);
  });
  await rm(copy, { force: true });
  await writeFile(copy, content, { mode: 0o600, flag: 'wx' });
  return copy;
}

async function removeMatching(dir: string, match: (name: string) => boolean): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter(match).map((name) => rm(path.join(dir, name), { force: true })));
}

type ProbeOutcome = { kind: 'ok'; probe: number; result: ProbeResult } | Failed;

/** Which probe of the job an item's info comes from, and its position among the probe's entries. */
interface InfoSource {
  probe: number;
  entry: number | null;
}

async function probeUrl(context: Context, url: string, playlistItems: number): Promise<ProbeOutcome> {
  const reply = await context.job.probe(url, playlistItems);
  if (reply.kind === 'failed') return ytDlpFailed(reply.error);
  try {
    return { kind: 'ok', probe: reply.probe, result: parseProbeOutput(reply.info) };
  } catch {
    return failed(FailureType.DownloadFailed, 'yt-dlp gave no readable info');
  }
}

/** One video (a single link or a playlist item): choose, download, convert, thumbnail. */
async function fetchItem(
  context: Context,
  info: MediaInfo,
  source: InfoSource,
  number: number,
  items: number,
  fallbackUrl: string,
  order: 'best-first' | 'smallest-first' = 'best-first',
): Promise<ItemOutcome> {
  const { options, dir } = context;
  const limit = options.maxUploadBytes;
  // Known from the probe: refused before anything is downloaded.
  const beyond = options.clip && rangeBeyondMedia(options.clip, info.durationSeconds);
  if (beyond) return failed(FailureType.InvalidRange, beyond);
  const allowedFormats = [];
  for (const format of info.formats) if (await context.allowed(format.url)) allowedFormats.push(format);
  if (info.formats.length > 0 && allowedFormats.length === 0) return { kind: 'blocked' };

  const plan = planFormats(allowedFormats, {
    mode: options.mode,
    maxUploadBytes: limit,
    maxHeight: options.maxHeight,
    durationSeconds: info.durationSeconds,
    ...(order === 'smallest-first' ? { maxCandidates: Number.MAX_SAFE_INTEGER } : {}),
  });
  // Fewest parts: the lowest quality Telegram plays as it is, then the rest from the lowest.
  if (order === 'smallest-first')
    plan.candidates.sort(
      (a, b) => Number(!a.telegramReady) - Number(!b.telegramReady) || (a.height ?? 0) - (b.height ?? 0),
    );
  if (plan.candidates.length === 0) {
    if (plan.smallestRejectedBytes !== undefined)
      return { kind: 'too-large', sizeBytes: plan.smallestRejectedBytes, limitBytes: limit };
    return failed(FailureType.NoMediaFound, `${info.id ?? 'media'}: no video formats found`);
  }

  const prefix = `item-${number}`;
  const wantCover =
    options.mode === 'audio' && info.thumbnailUrl !== undefined && (await context.allowed(info.thumbnailUrl));
  let smallest = plan.smallestRejectedBytes;
  const noteTooLarge = (size: number) => {
    smallest = smallest === undefined ? size : Math.min(smallest, size);
  };
  for (const candidate of plan.candidates) {
    await removeMatching(dir, (name) => name.startsWith(`${prefix}.`));
    const attempt = await download(context, candidate, { source, prefix, number, items, wantCover });
    if (attempt.kind === 'too-large') {
      noteTooLarge(attempt.sizeBytes);
      continue;
    }
    if (attempt.kind === 'failed') return attempt;
    if (options.clip) {
      context.emit({ phase: 'converting', item: number, items });
      const ff = conversionContext(context, { prefix, number, items, sourceUrl: fallbackUrl });
      const cut = await cutToRange({ ...ff, ffprobe: options.tools.ffprobe }, attempt.filePath, options.clip);
      if (cut.kind === 'beyond') return failed(FailureType.InvalidRange, cut.problem);
      if (cut.kind === 'failed') return failed(FailureType.DownloadFailed, 'the clip could not be cut from the media');
    }
    const size = (await stat(attempt.filePath)).size;
    if (size > candidate.guardBytes || (size > limit && options.mode !== 'audio')) {
      noteTooLarge(size);
      continue;
    }
    const finished = await finish(context, attempt.filePath, size, info, {
      prefix,
      number,
      items,
      sourceUrl: info.webpageUrl ?? fallbackUrl,
    });
    if (finished.kind === 'too-large') {
      noteTooLarge(finished.sizeBytes);
      continue;
    }
    return finished;
  }
  await removeMatching(dir, (name) => name.startsWith(`${prefix}.`));
  return { kind: 'too-large', sizeBytes: smallest ?? limit + 1, limitBytes: limit };
}

/**
 * A video too large at every quality that fits the chat's cap, downloaded again at the lowest
 * quality (fewest parts) with `maxParts` times the limit as its size guard, and split into parts
 * within the limit. When that fails too
 * (still too large, more parts than allowed, not a video Telegram plays, nothing to cut at), the
 * first answer stands: `tooLarge`, with the size the person would have been told without splitting.
 */
async function fetchInParts(
  context: Context,
  info: MediaInfo,
  source: InfoSource,
  tooLarge: TooLarge,
  split: { maxParts: number },
): Promise<FetchMediaOutcome> {
  const limit = context.options.maxUploadBytes;
  const wide = { ...context, options: { ...context.options, maxUploadBytes: limit * split.maxParts } };
  const whole = await fetchItem(wide, info, source, 1, 1, context.options.url, 'smallest-first');
  if (whole.kind !== 'item') return tooLarge;
  const { item } = whole;
  if (item.sizeBytes <= limit) return { kind: 'media', items: [item], playlist: false, availableItems: 1, skipped: [] };
  const dropWhole = () =>
    Promise.all([item.filePath, item.thumbnailPath].map((file) => file && rm(file, { force: true })));
  if (item.kind !== 'video') {
    await dropWhole();
    return tooLarge;
  }
  context.emit({ phase: 'converting', item: 1, items: 1 });
  const ff = conversionContext(context, { prefix: 'item-1', number: 1, items: 1, sourceUrl: item.sourceUrl });
  const outcome = await splitVideo({ ...ff, ffprobe: context.options.tools.ffprobe }, item.filePath, {
    maxUploadBytes: limit,
    maxParts: split.maxParts,
  });
  context.signal?.throwIfAborted();
  // More parts than allowed, or no keyframe to cut at: the person learns what they would have without splitting.
  if (outcome.kind !== 'split') {
    await dropWhole();
    return tooLarge;
  }
  await rm(item.filePath, { force: true });
  const count = outcome.parts.length;
  const stem = item.fileName.replace(/\.[^.]*$/, '');
  const ext = path.extname(item.fileName);
  const items = outcome.parts.map((part, index): FetchedItem => ({
    ...item,
    filePath: part.filePath,
    fileName: `${stem} (${index + 1} of ${count})${ext}`,
    sizeBytes: part.sizeBytes,
    ...(part.durationSeconds !== undefined ? { durationSeconds: part.durationSeconds } : {}),
  }));
  return { kind: 'media', items, playlist: false, availableItems: 1, skipped: [], parts: true };
}

/**
 * How much larger than the upload limit a media may be downloaded to cut a clip from it (a
 * minute of a film over the limit), when the chat does not split: the cut part must fit.
 */
export const CLIP_SOURCE_FACTOR = 10;

/**
 * A clip of a media whose whole file is over the limit: downloaded again with a guard of
 * `CLIP_SOURCE_FACTOR` times the limit and cut; the clip is sent when it fits, else the first
 * answer stands. (With splitting on, fetchInParts does the same and splits a clip still too big.)
 */
async function fetchClipOfLargeMedia(
  context: Context,
  info: MediaInfo,
  source: InfoSource,
  tooLarge: TooLarge,
): Promise<FetchMediaOutcome> {
  const limit = context.options.maxUploadBytes;
  const wide = { ...context, options: { ...context.options, maxUploadBytes: limit * CLIP_SOURCE_FACTOR } };
  const clip = await fetchItem(wide, info, source, 1, 1, context.options.url);
  if (clip.kind !== 'item') return tooLarge;
  if (clip.item.sizeBytes > limit) {
    await Promise.all([clip.item.filePath, clip.item.thumbnailPath].map((file) => file && rm(file, { force: true })));
    return tooLarge;
  }
  return { kind: 'media', items: [clip.item], playlist: false, availableItems: 1, skipped: [] };
}

type Attempt = { kind: 'downloaded'; filePath: string } | TooLarge | Failed;

/** One download attempt of one candidate in the job's child, with progress and the size guard. */
async function download(
  context: Context,
  candidate: FormatCandidate,
  item: { source: InfoSource; prefix: string; number: number; items: number; wantCover: boolean },
): Promise<Attempt> {
  const { options, dir } = context;
  const template = escapeOutputTemplate(path.join(dir, item.prefix));
  context.emit({
    phase: 'downloading',
    downloadedBytes: 0,
    ...(candidate.estimatedBytes !== undefined ? { totalBytes: candidate.estimatedBytes } : {}),
    item: item.number,
    items: item.items,
  });
  const reply = await context.job.download(
    {
      probe: item.source.probe,
      entry: item.source.entry,
      format: candidate.selector,
      guardBytes: candidate.guardBytes,
      outputTemplate: `${template}.%(ext)s`,
      ...(candidate.mergeOutputFormat ? { mergeOutputFormat: candidate.mergeOutputFormat } : {}),
      ...(item.wantCover ? { thumbnailTemplate: `${template}.cover.%(ext)s` } : {}),
    },
    (progress) => {
      // A format pair's announced total is only known part by part: the plan's estimate until then.
      const totalBytes =
        candidate.formats.length > 1 && candidate.estimatedBytes
          ? Math.max(candidate.estimatedBytes, progress.totalBytes ?? 0)
          : progress.totalBytes;
      context.emit({
        phase: 'downloading',
        downloadedBytes: progress.downloadedBytes,
        ...(totalBytes !== undefined ? { totalBytes } : {}),
        ...(progress.speedBytesPerSecond !== undefined ? { speedBytesPerSecond: progress.speedBytesPerSecond } : {}),
        item: item.number,
        items: item.items,
      });
    },
  );
  if (reply.kind === 'too-large') {
    await removeMatching(dir, (name) => name.startsWith(`${item.prefix}.`));
    return { kind: 'too-large', sizeBytes: reply.sizeBytes, limitBytes: options.maxUploadBytes };
  }
  if (reply.kind === 'failed') return ytDlpFailed(reply.error);
  if (reply.kind === 'no-file') return failed(FailureType.NoMediaFound, 'yt-dlp finished without a file');
  const found = isInsideDir(dir, reply.file, { depth: 1 }) ? reply.file : undefined;
  if (found && (await stat(found).catch(() => undefined))?.isFile()) return { kind: 'downloaded', filePath: found };
  return failed(FailureType.DownloadFailed, 'yt-dlp reported a file outside the request dir, or none');
}

interface FinishContext {
  prefix: string;
  number: number;
  items: number;
  sourceUrl: string;
}

/** From a downloaded file to the item Telegram gets (or "too large" after conversion). */
async function finish(
  context: Context,
  filePath: string,
  sizeBytes: number,
  info: MediaInfo,
  item: FinishContext,
): Promise<{ kind: 'item'; item: FetchedItem } | TooLarge | Failed> {
  const { options, dir } = context;
  const ff = conversionContext(context, item);
  const probed = await ffprobeFile(options.tools.ffprobe, filePath, context.signal);
  context.signal?.throwIfAborted();
  const limit = options.maxUploadBytes;
  const title = info.title;
  const base = { title, sourceUrl: item.sourceUrl };
  const hasVideo = probed.videoCodec !== undefined;

  if (options.mode === 'audio' || (options.mode === 'video' && !hasVideo && probed.kind === 'audio')) {
    return finishAudio(context, filePath, probed, info, item);
  }

  // A picture (yt-dlp's generic extractor takes any direct link): no video to make of it, it
  // goes as a photo or an animation, as gallery-dl's pictures do (galleryDl.ts).
  if (options.mode === 'video' && isStillPicture(probed)) {
    const ext = extensionOf(filePath);
    return {
      kind: 'item',
      item: {
        filePath,
        fileName: safeFileName(title, ext),
        sizeBytes,
        kind: fileKindOf(probed, sizeBytes, 'video') ?? 'document',
        ...(title ? { title } : {}),
        ...(probed.width !== undefined ? { width: probed.width } : {}),
        ...(probed.height !== undefined ? { height: probed.height } : {}),
        sourceUrl: item.sourceUrl,
      },
    };
  }

  if (options.mode === 'document' || !hasVideo) {
    return { kind: 'item', item: await describe(context, filePath, sizeBytes, 'document', probed, base, item) };
  }

  if (probed.kind === 'video' && extensionOf(filePath) === 'mp4') {
    return { kind: 'item', item: await describe(context, filePath, sizeBytes, 'video', probed, base, item) };
  }

  // Video Telegram does not stream: into mp4/H.264 if that fits, else the original as a document.
  context.emit({ phase: 'converting', item: item.number, items: item.items });
  const output = path.join(dir, `${item.prefix}.telegram.mp4`);
  let conversion: 'remuxed' | 'transcoded' | undefined;
  let step: { ok: boolean; sizeBytes?: number } = { ok: false };
  if (probed.videoCodec === 'h264') {
    step = await remuxToMp4(ff, filePath, output, probed.audioCodec);
    conversion = 'remuxed';
  }
  const maxTranscode = options.maxTranscodeSeconds ?? DEFAULT_MAX_TRANSCODE_SECONDS;
  if (!step.ok && (probed.durationSeconds ?? 0) <= maxTranscode) {
    step = await transcodeToMp4(ff, filePath, output, {
      maxUploadBytes: limit,
      maxHeight: options.maxHeight,
      durationSeconds: probed.durationSeconds,
      onProgress: (writtenBytes) =>
        context.emit({ phase: 'converting', downloadedBytes: writtenBytes, item: item.number, items: item.items }),
    });
    conversion = 'transcoded';
  }
  context.signal?.throwIfAborted();
  if (step.ok && step.sizeBytes !== undefined && step.sizeBytes <= limit) {
    const converted = await ffprobeFile(options.tools.ffprobe, output, context.signal);
    context.signal?.throwIfAborted();
    const complete =
      probed.durationSeconds === undefined ||
      converted.durationSeconds === undefined ||
      converted.durationSeconds >= probed.durationSeconds - 1;
    if (converted.kind === 'video' && complete) {
      await rm(filePath, { force: true });
      return {
        kind: 'item',
        item: { ...(await describe(context, output, step.sizeBytes, 'video', converted, base, item)), conversion },
      };
    }
  }
  await rm(output, { force: true });
  return { kind: 'item', item: await describe(context, filePath, sizeBytes, 'document', probed, base, item) };
}

/** A still image or a GIF, as ffprobe reads them (`png_pipe`, `jpeg_pipe`, `webp_pipe`, `gif`…), with no sound. */
function isStillPicture(probed: ProbedMedia): boolean {
  return (
    probed.audioCodec === undefined &&
    /^(?:png_pipe|jpeg_pipe|webp_pipe|bmp_pipe|tiff_pipe|gif|image2)$/.test(probed.formatName ?? '')
  );
}

/** ffmpeg for one item: the process's conversion slots, and a progress report while waiting for one. */
function conversionContext(context: Context, item: FinishContext): FfmpegContext {
  return {
    ffmpeg: context.options.tools.ffmpeg,
    signal: context.signal,
    nice: context.options.nice,
    slots: context.options.conversionSlots,
    onSlotWait: (waiting) =>
      context.emit({
        phase: 'converting',
        item: item.number,
        items: item.items,
        ...(waiting ? { waitingForConverter: true } : {}),
      }),
  };
}

/** The item for a file as it is, with a thumbnail when it has a picture. */
async function describe(
  context: Context,
  filePath: string,
  sizeBytes: number,
  kind: FetchedItem['kind'],
  probed: ProbedMedia,
  base: { title?: string; sourceUrl: string },
  item: FinishContext,
): Promise<FetchedItem> {
  const ext = extensionOf(filePath);
  let thumbnailPath: string | undefined;
  if (probed.videoCodec !== undefined) {
    const seek = (probed.durationSeconds ?? 0) >= 2 ? 1 : 0;
    const thumbnail = await makeThumbnail(
      { ffmpeg: context.options.tools.ffmpeg, signal: context.signal, nice: context.options.nice },
      filePath,
      path.join(context.dir, `${item.prefix}.thumb.jpg`),
      { seekSeconds: seek },
    );
    context.signal?.throwIfAborted();
    thumbnailPath = thumbnail?.path;
  }
  return {
    filePath,
    fileName: safeFileName(base.title, ext),
    sizeBytes,
    kind,
    mimeType: MIME_TYPES[ext] ?? 'application/octet-stream',
    title: base.title,
    ...(probed.durationSeconds !== undefined ? { durationSeconds: probed.durationSeconds } : {}),
    ...(probed.width !== undefined ? { width: probed.width } : {}),
    ...(probed.height !== undefined ? { height: probed.height } : {}),
    ...(thumbnailPath ? { thumbnailPath } : {}),
    sourceUrl: base.sourceUrl,
  };
}

/** Audio mode (or an audio-only link): one m4a/mp3 with title, performer, duration and cover. */
async function finishAudio(
  context: Context,
  filePath: string,
  probed: ProbedMedia,
  info: MediaInfo,
  item: FinishContext,
): Promise<{ kind: 'item'; item: FetchedItem } | TooLarge | Failed> {
  const { options, dir } = context;
  const ff = conversionContext(context, item);
  const limit = options.maxUploadBytes;
  if (probed.audioCodec === undefined)
    return failed(FailureType.NoMediaFound, `${info.id ?? 'media'}: the media has no audio`);

  const target = audioTarget(probed.audioCodec);
  const ext = extensionOf(filePath);
  const alreadyAudio = probed.kind === 'audio' && probed.videoCodec === undefined && ext === target.ext;
  let output = filePath;
  let conversion: FetchedItem['conversion'];
  if (!alreadyAudio) {
    context.emit({ phase: 'converting', item: item.number, items: item.items });
    output = path.join(dir, `${item.prefix}.audio.${target.ext}`);
    const step = await extractAudio(ff, filePath, output, {
      target,
      maxUploadBytes: limit,
      durationSeconds: probed.durationSeconds,
    });
    context.signal?.throwIfAborted();
    if (!step.ok) return failed(FailureType.NoMediaFound, `${info.id ?? 'media'}: the audio could not be extracted`);
    conversion = target.reencode ? 'transcoded' : 'remuxed';
  }
  const outputProbe = output === filePath ? probed : await ffprobeFile(options.tools.ffprobe, output, context.signal);
  context.signal?.throwIfAborted();
  const size = (await stat(output)).size;
  const cut =
    probed.durationSeconds !== undefined &&
    outputProbe.durationSeconds !== undefined &&
    outputProbe.durationSeconds < probed.durationSeconds - 1;
  if (size > limit || (cut && size >= limit * 0.95)) {
    await rm(output, { force: true });
    return { kind: 'too-large', sizeBytes: size, limitBytes: limit };
  }

  // The cover: the source's thumbnail, else the picture in the file (cover art or a video frame).
  const names = await readdir(dir).catch(() => [] as string[]);
  const cover = names.find((name) => name.startsWith(`${item.prefix}.cover.`));
  const thumbnailFile = path.join(dir, `${item.prefix}.thumb.jpg`);
  let thumbnail = cover ? await makeThumbnail(ff, path.join(dir, cover), thumbnailFile) : undefined;
  if (!thumbnail && probed.videoCodec !== undefined) {
    thumbnail = await makeThumbnail(ff, filePath, thumbnailFile, {
      seekSeconds: (probed.durationSeconds ?? 0) >= 2 ? 1 : 0,
    });
  }
  context.signal?.throwIfAborted();
  if (cover) await rm(path.join(dir, cover), { force: true });
  if (output !== filePath) await rm(filePath, { force: true });

  const title = info.track ?? info.title;
  return {
    kind: 'item',
    item: {
      filePath: output,
      fileName: safeFileName(title, target.ext),
      sizeBytes: size,
      kind: 'audio',
      mimeType: MIME_TYPES[target.ext],
      ...(title ? { title } : {}),
      ...(info.performer ? { performer: info.performer } : {}),
      ...(outputProbe.durationSeconds !== undefined || probed.durationSeconds !== undefined
        ? { durationSeconds: outputProbe.durationSeconds ?? probed.durationSeconds }
        : {}),
      ...(thumbnail ? { thumbnailPath: thumbnail.path } : {}),
      sourceUrl: item.sourceUrl,
      ...(conversion ? { conversion } : {}),
    },
  };
}
