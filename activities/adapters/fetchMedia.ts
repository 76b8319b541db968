/**
 * The download engine: one link in, Telegram-ready files out.
 *
 * 1. Probe (`yt-dlp -J --flat-playlist`): one video, or a playlist/gallery (the generic
 *    extractor turns a page with several `<video>` elements into a playlist), with its formats.
 * 2. Per item, choose formats by size (`formats.ts`) and download them one attempt at a time from
 *    the probe's info JSON (`--load-info-json`: no second extraction), each attempt guarded by
 *    `--max-filesize` and by the bytes actually received; a refused attempt moves on to the next.
 * 3. Make it Telegram-friendly with ffprobe/ffmpeg: mp4/H.264 stays, H.264 in another container
 *    is remuxed, other codecs are transcoded when the result fits (else the original goes as a
 *    document); audio mode extracts an m4a/mp3; every video gets a JPEG thumbnail.
 *
 * Everything is written inside `dir`, as `item-<n>.*`. Cancelling `signal` kills the running
 * tool's whole process tree and rejects with `signal.reason`.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia, type ProbedMedia } from './mediaProbe.js';
import { extractAudio, audioTarget, makeThumbnail, remuxToMp4, runTool, transcodeToMp4, type FfmpegContext } from './ffmpeg.js';
import { planFormats, type FetchMode, type FormatCandidate } from './formats.js';
import type { Semaphore } from './semaphore.js';
import {
  escapeOutputTemplate,
  parseDownloadProgressLine,
  parseFileLine,
  parseProbeOutput,
  ytDlpDownloadArguments,
  ytDlpProbeArguments,
  type JsRuntime,
  type MediaInfo,
  type ProbeResult,
} from './ytDlpInfo.js';
import { parseMaxFilesizeAbort } from './ytDlpErrors.js';

export interface FetchMediaOptions {
  tools: { ytDlp: string; ffmpeg: string; ffprobe: string; jsRuntime?: JsRuntime };
  /** An HTTP proxy for every connection yt-dlp makes: the egress guard (see egressProxy.ts). */
  proxy?: string;
  url: string;
  /** An existing empty 0700 temp dir owned by this request; everything is written inside it. */
  dir: string;
  mode: FetchMode;
  /** The Telegram upload limit. */
  maxFileBytes: number;
  /** Per-chat quality cap, e.g. 480 (undefined = best). */
  maxHeight?: number;
  /** Most items of a gallery/playlist downloaded. */
  playlistCap: number;
  /** YTDLP_COOKIES: copied into `dir` (0600) for yt-dlp, removed when done; the original is only read. */
  cookiesFile?: string;
  /** Aborting kills yt-dlp/ffmpeg (the whole process tree) and rejects with `signal.reason`. */
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
  kind: 'video' | 'audio' | 'document';
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
      /** Items the link offered (1 for a single video); more than `playlistCap` = the cap cut it short. */
      availableItems: number;
      /** Items within the cap that were left out (too large, failed, blocked); empty for one video. */
      skipped: FetchSkip[];
    }
  | { kind: 'too-large'; sizeBytes: number; limitBytes: number }
  | { kind: 'failed'; exitCode: number | undefined; stderr: string; stdout?: string };

/** Ten minutes of video take minutes of CPU to transcode; longer ones go as documents. */
export const DEFAULT_MAX_TRANSCODE_SECONDS = 10 * 60;
/**
 * In the stderr of a `failed` outcome when `isAllowedUrl` refused every URL of the media: the
 * caller may map it to its own "blocked address" answer (the classifier reads "Unsupported URL").
 */
export const BLOCKED_MEDIA = 'the media is only on refused addresses';
/** Most of yt-dlp's stderr/stdout kept in a `failed` outcome (the end, where the error is). */
const MAX_OUTPUT_CHARS = 64 * 1024;

type Failed = Extract<FetchMediaOutcome, { kind: 'failed' }>;
type TooLarge = Extract<FetchMediaOutcome, { kind: 'too-large' }>;
type ItemOutcome = { kind: 'item'; item: FetchedItem } | TooLarge | Failed | { kind: 'blocked' };

function tail(text: string): string {
  return text.length <= MAX_OUTPUT_CHARS ? text : text.slice(-MAX_OUTPUT_CHARS);
}

/** A failure the engine noticed itself, worded so that `classifyYtDlpFailure` recognises it. */
function ownFailure(message: string): Failed {
  return { kind: 'failed', exitCode: undefined, stderr: `ERROR: [fetchMedia] ${message}` };
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
  const cleaned = (title ?? 'media').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80).trim();
  return `${cleaned || 'media'}.${ext || 'bin'}`;
}

interface Context {
  options: FetchMediaOptions;
  dir: string;
  cookiesCopy?: string;
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
  const context: Context = {
    options,
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
    if (options.cookiesFile) context.cookiesCopy = await copyCookies(options.cookiesFile, dir);
    context.emit({ phase: 'probing' });
    const cap = Math.max(1, Math.floor(options.playlistCap));
    const probe = await probeUrl(context, options.url, cap + 1);
    if (probe.kind === 'failed') return probe;

    if (probe.result.kind === 'single') {
      const outcome = await fetchItem(context, probe.result.info, probe.result.raw, 1, 1, options.url);
      if (outcome.kind === 'item') return { kind: 'media', items: [outcome.item], playlist: false, availableItems: 1, skipped: [] };
      if (outcome.kind === 'blocked') return ownFailure(`Unsupported URL: ${BLOCKED_MEDIA}`);
      return outcome;
    }

    const entries = probe.result.entries.slice(0, cap);
    if (entries.length === 0) return ownFailure('no suitable formats: the playlist has no items');
    const items: FetchedItem[] = [];
    const skipped: FetchSkip[] = [];
    const failures: Array<TooLarge | Failed> = [];
    for (const [position, entry] of entries.entries()) {
      const number = position + 1;
      let outcome: ItemOutcome;
      if (entry.kind === 'resolved') {
        outcome = await fetchItem(context, entry.info, entry.raw, number, entries.length, options.url);
      } else if (!(await context.allowed(entry.url))) {
        outcome = { kind: 'blocked' };
      } else {
        context.emit({ phase: 'probing', item: number, items: entries.length });
        const itemProbe = await probeUrl(context, entry.url, 1);
        if (itemProbe.kind === 'failed') outcome = itemProbe;
        else if (itemProbe.result.kind !== 'single') outcome = ownFailure('no suitable formats: a playlist inside the playlist');
        else outcome = await fetchItem(context, itemProbe.result.info, itemProbe.result.raw, number, entries.length, entry.url);
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
    return failures.find((f): f is Failed => f.kind === 'failed') ?? ownFailure(`Unsupported URL: ${BLOCKED_MEDIA}`);
  } finally {
    // yt-dlp writes the jar back; the copy (and the info JSONs, which carry cookies) go now.
    if (context.cookiesCopy) await rm(context.cookiesCopy, { force: true });
    await removeMatching(dir, (name) => name.endsWith('.info.json'));
  }
}

async function copyCookies(source: string, dir: string): Promise<string> {
  const copy = path.join(dir, 'cookies.txt');
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

type ProbeOutcome = { kind: 'ok'; result: ProbeResult } | Failed;

async function probeUrl(context: Context, url: string, playlistItems: number): Promise<ProbeOutcome> {
  const { options } = context;
  const run = await runTool(
    options.tools.ytDlp,
    ytDlpProbeArguments({ url, playlistItems, ffmpeg: options.tools.ffmpeg, jsRuntime: options.tools.jsRuntime, cookiesFile: context.cookiesCopy, proxy: options.proxy }),
    { signal: context.signal, env: { PYTHONUNBUFFERED: '1' } },
  );
  // stdout is the info JSON, which carries cookies: it never goes into an outcome.
  if (run.exitCode !== 0) return { kind: 'failed', exitCode: run.exitCode, stderr: tail(run.stderr) };
  try {
    return { kind: 'ok', result: parseProbeOutput(JSON.parse(run.stdout)) };
  } catch {
    return { kind: 'failed', exitCode: run.exitCode, stderr: tail(`${run.stderr}\nERROR: [fetchMedia] yt-dlp printed no readable info JSON`) };
  }
}

/** One video (a single link or a playlist item): choose, download, convert, thumbnail. */
async function fetchItem(
  context: Context,
  info: MediaInfo,
  raw: Record<string, unknown>,
  number: number,
  items: number,
  fallbackUrl: string,
): Promise<ItemOutcome> {
  const { options, dir } = context;
  const limit = options.maxFileBytes;
  const allowedFormats = [];
  for (const format of info.formats) if (await context.allowed(format.url)) allowedFormats.push(format);
  if (info.formats.length > 0 && allowedFormats.length === 0) return { kind: 'blocked' };

  const plan = planFormats(allowedFormats, {
    mode: options.mode,
    maxFileBytes: limit,
    maxHeight: options.maxHeight,
    durationSeconds: info.durationSeconds,
  });
  if (plan.candidates.length === 0) {
    if (plan.smallestRejectedBytes !== undefined) return { kind: 'too-large', sizeBytes: plan.smallestRejectedBytes, limitBytes: limit };
    return ownFailure(`${info.id ?? 'media'}: No video formats found`);
  }

  const prefix = `item-${number}`;
  const infoJsonFile = path.join(dir, `${prefix}.info.json`);
  await writeFile(infoJsonFile, JSON.stringify(raw), { mode: 0o600 });
  const wantCover = options.mode === 'audio' && info.thumbnailUrl !== undefined && (await context.allowed(info.thumbnailUrl));
  let smallest = plan.smallestRejectedBytes;
  const noteTooLarge = (size: number) => {
    smallest = smallest === undefined ? size : Math.min(smallest, size);
  };
  try {
    for (const candidate of plan.candidates) {
      await removeMatching(dir, (name) => name.startsWith(`${prefix}.`) && !name.endsWith('.info.json'));
      const attempt = await download(context, candidate, { infoJsonFile, prefix, number, items, wantCover });
      if (attempt.kind === 'too-large') {
        noteTooLarge(attempt.sizeBytes);
        continue;
      }
      if (attempt.kind === 'failed') return attempt;
      const size = (await stat(attempt.filePath)).size;
      if (size > candidate.guardBytes || (size > limit && options.mode !== 'audio')) {
        noteTooLarge(size);
        continue;
      }
      const finished = await finish(context, attempt.filePath, size, info, { prefix, number, items, sourceUrl: info.webpageUrl ?? fallbackUrl });
      if (finished.kind === 'too-large') {
        noteTooLarge(finished.sizeBytes);
        continue;
      }
      return finished;
    }
  } finally {
    await rm(infoJsonFile, { force: true });
  }
  await removeMatching(dir, (name) => name.startsWith(`${prefix}.`));
  return { kind: 'too-large', sizeBytes: smallest ?? limit + 1, limitBytes: limit };
}

type Attempt = { kind: 'downloaded'; filePath: string } | TooLarge | Failed;

/** One yt-dlp run for one candidate, with progress and the size guard. */
async function download(
  context: Context,
  candidate: FormatCandidate,
  item: { infoJsonFile: string; prefix: string; number: number; items: number; wantCover: boolean },
): Promise<Attempt> {
  const { options, dir } = context;
  const guard = candidate.guardBytes;
  const stop = new AbortController();
  let filePath: string | undefined;
  let refused: { sizeBytes: number } | undefined;
  // A pair downloads two files one after the other, each counted from zero: add them up.
  let finishedParts = 0;
  let lastDownloaded = 0;
  let lastTotal: number | undefined;
  const template = escapeOutputTemplate(path.join(dir, item.prefix));
  context.emit({
    phase: 'downloading',
    downloadedBytes: 0,
    ...(candidate.estimatedBytes !== undefined ? { totalBytes: candidate.estimatedBytes } : {}),
    item: item.number,
    items: item.items,
  });

  const run = await runTool(
    options.tools.ytDlp,
    ytDlpDownloadArguments({
      ffmpeg: options.tools.ffmpeg,
      jsRuntime: options.tools.jsRuntime,
      cookiesFile: context.cookiesCopy,
      proxy: options.proxy,
      infoJsonFile: item.infoJsonFile,
      formatSelector: candidate.selector,
      maxFileBytes: guard,
      outputTemplate: `${template}.%(ext)s`,
      mergeOutputFormat: candidate.mergeOutputFormat,
      thumbnailTemplate: item.wantCover ? `${template}.cover.%(ext)s` : undefined,
    }),
    {
      signal: context.signal,
      stop: stop.signal,
      env: { PYTHONUNBUFFERED: '1' },
      onLine: (line) => {
        const progress = parseDownloadProgressLine(line);
        if (progress) {
          if (progress.downloadedBytes < lastDownloaded) finishedParts += lastTotal ?? lastDownloaded;
          lastDownloaded = progress.downloadedBytes;
          lastTotal = progress.totalBytes;
          const downloadedBytes = finishedParts + progress.downloadedBytes;
          const runningTotal = progress.totalBytes !== undefined ? finishedParts + progress.totalBytes : undefined;
          const totalBytes = candidate.formats.length > 1 && candidate.estimatedBytes ? Math.max(candidate.estimatedBytes, runningTotal ?? 0) : runningTotal;
          // Servers that do not announce a size get past --max-filesize: stop them here.
          if (downloadedBytes > guard && !stop.signal.aborted) {
            refused = { sizeBytes: Math.max(downloadedBytes, runningTotal ?? 0) };
            stop.abort();
          }
          context.emit({
            phase: 'downloading',
            downloadedBytes,
            ...(totalBytes !== undefined ? { totalBytes } : {}),
            ...(progress.speedBytesPerSecond !== undefined ? { speedBytesPerSecond: progress.speedBytesPerSecond } : {}),
            item: item.number,
            items: item.items,
          });
          return;
        }
        filePath = parseFileLine(line) ?? filePath;
        const abort = parseMaxFilesizeAbort(line);
        if (abort) refused = { sizeBytes: abort.sizeBytes };
      },
    },
  );
  if (refused) {
    await removeMatching(dir, (name) => name.startsWith(`${item.prefix}.`) && !name.endsWith('.info.json'));
    return { kind: 'too-large', sizeBytes: refused.sizeBytes, limitBytes: options.maxFileBytes };
  }
  if (run.exitCode === 0) {
    const found = filePath && isInside(dir, filePath) ? filePath : await findOutput(dir, item.prefix);
    if (found && (await stat(found).catch(() => undefined))?.isFile()) return { kind: 'downloaded', filePath: found };
  }
  const stdout = run.stdout
    .split(/\r?\n/)
    .filter((line) => line.trim() && !parseDownloadProgressLine(line))
    .join('\n');
  return { kind: 'failed', exitCode: run.exitCode, stderr: tail(run.stderr), ...(stdout ? { stdout: tail(stdout) } : {}) };
}

function isInside(dir: string, file: string): boolean {
  const resolved = path.resolve(file);
  return path.dirname(resolved) === dir;
}

async function findOutput(dir: string, prefix: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const name = names.find(
    (n) => n.startsWith(`${prefix}.`) && !/\.(?:part|ytdl|json|temp)$/.test(n) && !n.includes('.part-') && !n.startsWith(`${prefix}.cover.`) && !/\.f[\w-]+\.\w+$/.test(n.slice(prefix.length)),
  );
  return name ? path.join(dir, name) : undefined;
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
  const probed = await probeMedia(options.tools.ffprobe, filePath, context.signal);
  context.signal?.throwIfAborted();
  const limit = options.maxFileBytes;
  const title = info.title;
  const base = { title, sourceUrl: item.sourceUrl };
  const hasVideo = probed.videoCodec !== undefined;

  if (options.mode === 'audio' || (options.mode === 'video' && !hasVideo && probed.kind === 'audio')) {
    return finishAudio(context, filePath, probed, info, item);
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
      maxFileBytes: limit,
      maxHeight: options.maxHeight,
      durationSeconds: probed.durationSeconds,
      onProgress: (writtenBytes) => context.emit({ phase: 'converting', downloadedBytes: writtenBytes, item: item.number, items: item.items }),
    });
    conversion = 'transcoded';
  }
  context.signal?.throwIfAborted();
  if (step.ok && step.sizeBytes !== undefined && step.sizeBytes <= limit) {
    const converted = await probeMedia(options.tools.ffprobe, output, context.signal);
    context.signal?.throwIfAborted();
    const complete =
      probed.durationSeconds === undefined || converted.durationSeconds === undefined || converted.durationSeconds >= probed.durationSeconds - 1;
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

/** ffmpeg for one item: the process's conversion slots, and a progress report while waiting for one. */
function conversionContext(context: Context, item: FinishContext): FfmpegContext {
  return {
    ffmpeg: context.options.tools.ffmpeg,
    signal: context.signal,
    slots: context.options.conversionSlots,
    onSlotWait: (waiting) =>
      context.emit({ phase: 'converting', item: item.number, items: item.items, ...(waiting ? { waitingForConverter: true } : {}) }),
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
      { ffmpeg: context.options.tools.ffmpeg, signal: context.signal },
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
  const limit = options.maxFileBytes;
  if (probed.audioCodec === undefined) return ownFailure(`${info.id ?? 'media'}: no suitable formats: the media has no audio`);

  const target = audioTarget(probed.audioCodec);
  const ext = extensionOf(filePath);
  const alreadyAudio = probed.kind === 'audio' && probed.videoCodec === undefined && ext === target.ext;
  let output = filePath;
  let conversion: FetchedItem['conversion'];
  if (!alreadyAudio) {
    context.emit({ phase: 'converting', item: item.number, items: item.items });
    output = path.join(dir, `${item.prefix}.audio.${target.ext}`);
    const step = await extractAudio(ff, filePath, output, { target, maxFileBytes: limit, durationSeconds: probed.durationSeconds });
    context.signal?.throwIfAborted();
    if (!step.ok) return ownFailure(`${info.id ?? 'media'}: no suitable formats: the audio could not be extracted`);
    conversion = target.reencode ? 'transcoded' : 'remuxed';
  }
  const outputProbe = output === filePath ? probed : await probeMedia(options.tools.ffprobe, output, context.signal);
  context.signal?.throwIfAborted();
  const size = (await stat(output)).size;
  const cut =
    probed.durationSeconds !== undefined && outputProbe.durationSeconds !== undefined && outputProbe.durationSeconds < probed.durationSeconds - 1;
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
    thumbnail = await makeThumbnail(ff, filePath, thumbnailFile, { seekSeconds: (probed.durationSeconds ?? 0) >= 2 ? 1 : 0 });
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
