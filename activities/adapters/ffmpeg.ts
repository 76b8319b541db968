/**
 * Running the media tools: a process-tree-safe runner (yt-dlp starts ffmpeg for merging, and a
 * cancelled download must leave nothing running), and the ffmpeg steps that make a download
 * Telegram-friendly: remux or transcode to mp4/H.264, extract audio, cut a clip, split at keyframes,
 * make a JPEG thumbnail.
 */
import { rm, stat } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { execa } from 'execa';
import { dieWithParent } from './parentDeath.js';
import type { Semaphore } from './semaphore.js';

export interface RunToolOptions {
  /** The caller's cancellation: kills the whole process tree and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Stops the process tree without an error (the result says `stopped: true`). */
  stop?: AbortSignal;
  /** Called with every line the tool prints on stdout. */
  onLine?: (line: string) => void;
  env?: Record<string, string>;
  /** Niceness of the tool (0–19; DOWNLOAD_NICE): the server, the workflows and the webhook come first. */
  nice?: number;
  /** Largest stdout/stderr kept, in bytes. */
  maxBuffer?: number;
}

export interface ToolResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Ended through `stop`. */
  stopped: boolean;
}

const DEFAULT_MAX_BUFFER = 128 * 1024 * 1024;

/**
 * Process groups still running. A detached tree is not killed by execa's exit cleanup, so this
 * module kills what is left when the worker process exits (normally it was cancelled before).
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const group of liveGroups) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  liveGroups.add(pid);
}

/**
 * Runs one tool as the leader of its own process group (`detached`), so that cancelling kills
 * the tool and everything it started (yt-dlp's ffmpeg) with one SIGKILL to the group. The group
 * is only signalled while its leader has not been reaped, so the id cannot have been reused. The
 * tool dies with this process too (a SIGKILLed worker leaves no orphan): see parentDeath.ts.
 */
export async function runTool(
  executable: string,
  args: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  options.signal?.throwIfAborted();
  const killer = new AbortController();
  const launch = dieWithParent(executable, args, 'SIGKILL');
  const subprocess = execa(launch.file, launch.args, {
    cancelSignal: killer.signal,
    forceKillAfterDelay: 2_000,
    detached: true,
    reject: false,
    stdin: 'ignore',
    maxBuffer: options.maxBuffer ?? DEFAULT_MAX_BUFFER,
    env: options.env,
  });
  launch.follow(subprocess);
  let stopped = false;
  const pid = subprocess.pid;
  if (pid !== undefined && options.nice) {
    try {
      setPriority(pid, Math.min(19, Math.max(0, options.nice)));
    } catch {
      // already gone
    }
  }
  if (pid !== undefined) {
    trackGroup(pid);
    // Once the leader is reaped its id may be reused: never signal the group after that.
    subprocess.once('exit', () => liveGroups.delete(pid));
  }
  const killTree = () => {
    if (pid !== undefined && liveGroups.has(pid) && subprocess.exitCode === null && subprocess.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    killer.abort();
  };
  const onCancel = () => killTree();
  const onStop = () => {
    stopped = true;
    killTree();
  };
  options.signal?.addEventListener('abort', onCancel, { once: true });
  options.stop?.addEventListener('abort', onStop, { once: true });
  if (options.stop?.aborted) onStop();

  if (options.onLine) {
    const onLine = options.onLine;
    let pending = '';
    subprocess.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.search(/[\r\n]/)) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim()) onLine(line);
      }
    });
  }

  try {
    const result = await subprocess;
    if (options.signal?.aborted) throw options.signal.reason;
    return {
      exitCode: result.exitCode,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      stopped,
    };
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    options.stop?.removeEventListener('abort', onStop);
  }
}

export interface FfmpegContext {
  ffmpeg: string;
  signal?: AbortSignal;
  /** Niceness of every ffmpeg run (DOWNLOAD_NICE). */
  nice?: number;
  /**
   * The process's conversion slots (FFMPEG_CONCURRENCY): remuxes, transcodes and audio
   * extractions each hold one while ffmpeg runs; thumbnails (one frame) do not. Cancelling
   * `signal` while waiting gives up the place in the queue.
   */
  slots?: Semaphore;
  /** Called with `true` when a conversion has to wait for a slot, with `false` once it got one. */
  onSlotWait?: (waiting: boolean) => void;
}

const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

async function sizeOf(file: string): Promise<number | undefined> {
  return (await stat(file).catch(() => undefined))?.size;
}

export interface StepResult {
  ok: boolean;
  sizeBytes?: number;
  stderr: string;
}

async function runFfmpeg(
  context: FfmpegContext,
  args: string[],
  output: string,
  onLine?: (line: string) => void,
): Promise<StepResult> {
  const result = await runTool(context.ffmpeg, [...QUIET, ...args], {
    signal: context.signal,
    nice: context.nice,
    onLine,
    maxBuffer: 4 * 1024 * 1024,
  });
  const sizeBytes = await sizeOf(output);
  const ok = result.exitCode === 0 && sizeBytes !== undefined && sizeBytes > 0;
  if (!ok) await rm(output, { force: true });
  return { ok, sizeBytes: ok ? sizeBytes : undefined, stderr: result.stderr };
}

/** A conversion: ffmpeg run while holding one of the process's conversion slots. */
function runConversion(
  context: FfmpegContext,
  args: string[],
  output: string,
  onLine?: (line: string) => void,
): Promise<StepResult> {
  if (!context.slots) return runFfmpeg(context, args, output, onLine);
  let waited = false;
  return context.slots.run(
    async () => {
      if (waited) context.onSlotWait?.(false);
      return runFfmpeg(context, args, output, onLine);
    },
    context.signal,
    () => {
      waited = true;
      context.onSlotWait?.(true);
    },
  );
}

/** Audio codecs an mp4 for Telegram may carry as they are. */
const MP4_AUDIO_COPY = new Set(['aac', 'mp3']);

/** H.264 from another container (mkv, flv, ts, mov...) into mp4 without re-encoding the video. */
export async function remuxToMp4(
  context: FfmpegContext,
  input: string,
  output: string,
  audioCodec: string | undefined,
): Promise<StepResult> {
  const audio = audioCodec && !MP4_AUDIO_COPY.has(audioCodec) ? ['-c:a', 'aac', '-b:a', '128k'] : ['-c:a', 'copy'];
  return runConversion(
    context,
    [
      '-i',
      input,
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-c:v',
      'copy',
      ...audio,
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      output,
    ],
    output,
  );
}

export interface TranscodeOptions {
  maxUploadBytes: number;
  maxHeight?: number;
  durationSeconds?: number;
  /** Bytes written so far, from ffmpeg's `-progress`. */
  onProgress?: (writtenBytes: number) => void;
}

/** Below this video bitrate (kbit/s) a transcode that fits would not be worth watching. */
export const MIN_VIDEO_KBPS = 64;
const AUDIO_KBPS = 128;

/**
 * The video bitrate cap (kbit/s) that keeps a transcode of `durationSeconds` under the limit,
 * with room for the audio and the container; undefined when no cap is needed or known.
 */
export function videoBitrateBudget(maxUploadBytes: number, durationSeconds: number | undefined): number | undefined {
  if (!durationSeconds || durationSeconds <= 0) return undefined;
  const totalKbps = (maxUploadBytes * 8 * 0.92) / durationSeconds / 1000;
  return Math.floor(totalKbps - AUDIO_KBPS);
}

/**
 * Any video into mp4/H.264 + AAC, `veryfast`, yuv420p, even dimensions (scaled down to
 * `maxHeight`), faststart; the bitrate is capped so the result fits, and `-fs` stops it at the
 * limit in any case (the caller rejects a cut result).
 */
export async function transcodeToMp4(
  context: FfmpegContext,
  input: string,
  output: string,
  options: TranscodeOptions,
): Promise<StepResult> {
  const budget = videoBitrateBudget(options.maxUploadBytes, options.durationSeconds);
  if (budget !== undefined && budget < MIN_VIDEO_KBPS)
    return { ok: false, stderr: 'the limit leaves too low a bitrate' };
  const rate = budget !== undefined ? ['-maxrate', `${budget}k`, '-bufsize', `${budget * 2}k`] : [];
  const scale =
    options.maxHeight !== undefined
      ? `scale=w=-2:h='trunc(min(ih,${Math.max(2, Math.floor(options.maxHeight))})/2)*2'`
      : `scale=w='trunc(iw/2)*2':h='trunc(ih/2)*2'`;
  const onLine = options.onProgress
    ? (line: string) => {
        const match = /^total_size=(\d+)/.exec(line);
        if (match) options.onProgress?.(Number(match[1]));
      }
    : undefined;
  return runConversion(
    context,
    [
      '-i',
      input,
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-vf',
      scale,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      ...rate,
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      `${AUDIO_KBPS}k`,
      '-movflags',
      '+faststart',
      '-fs',
      String(Math.floor(options.maxUploadBytes)),
      '-progress',
      'pipe:1',
      '-nostats',
      '-f',
      'mp4',
      output,
    ],
    output,
    onLine,
  );
}

/**
 * The part from `startSeconds` to `endSeconds` of a media, by stream copy: no re-encoding, so it
 * starts at the keyframe at or before `startSeconds` (within a keyframe of the bounds, as asked).
 * The output keeps the input's container (its extension).
 */
export async function cutClip(
  context: FfmpegContext,
  input: string,
  output: string,
  range: { startSeconds: number; endSeconds: number },
): Promise<StepResult> {
  const mp4 = /\.(mp4|m4v|m4a|mov)$/i.test(output) ? ['-movflags', '+faststart'] : [];
  return runConversion(
    context,
    [
      '-ss',
      String(range.startSeconds),
      '-i',
      input,
      '-t',
      String(range.endSeconds - range.startSeconds),
      '-map',
      '0:v:0?',
      '-map',
      '0:a:0?',
      '-c',
      'copy',
      '-avoid_negative_ts',
      'make_zero',
      ...mp4,
      output,
    ],
    output,
  );
}

/**
 * A media cut into consecutive parts of about `segmentSeconds` by stream copy (ffmpeg's segment
 * muxer): each part ends at the first keyframe after its length, so each plays on its own.
 * `pattern` names the parts with a `%03d` counter from 000, and its extension sets the container.
 */
export async function splitAtKeyframes(
  context: FfmpegContext,
  input: string,
  pattern: string,
  segmentSeconds: number,
): Promise<StepResult> {
  const mp4 = /\.(mp4|m4v|mov)$/i.test(pattern) ? ['-segment_format_options', 'movflags=+faststart'] : [];
  return runConversion(
    context,
    [
      '-i',
      input,
      '-map',
      '0:v:0?',
      '-map',
      '0:a:0?',
      '-c',
      'copy',
      '-f',
      'segment',
      '-segment_time',
      segmentSeconds.toFixed(3),
      '-reset_timestamps',
      '1',
      '-avoid_negative_ts',
      'make_zero',
      ...mp4,
      pattern,
    ],
    pattern.replace('%03d', '000'),
  );
}

export type AudioTarget = { ext: 'm4a' | 'mp3'; reencode: boolean };

/** AAC is copied into an m4a, MP3 stays MP3, anything else becomes AAC. */
export function audioTarget(audioCodec: string | undefined): AudioTarget {
  if (audioCodec === 'aac') return { ext: 'm4a', reencode: false };
  if (audioCodec === 'mp3') return { ext: 'mp3', reencode: false };
  return { ext: 'm4a', reencode: true };
}

/** The first audio stream alone (no video, no cover art), copied or re-encoded to fit. */
export async function extractAudio(
  context: FfmpegContext,
  input: string,
  output: string,
  options: { target: AudioTarget; maxUploadBytes: number; durationSeconds?: number },
): Promise<StepResult> {
  const { target } = options;
  let codec: string[];
  if (!target.reencode) {
    codec = ['-c:a', 'copy'];
  } else {
    const budget = options.durationSeconds
      ? Math.floor((options.maxUploadBytes * 8 * 0.95) / options.durationSeconds / 1000)
      : AUDIO_KBPS;
    if (budget < 24) return { ok: false, stderr: 'the limit leaves too low a bitrate' };
    codec = ['-c:a', 'aac', '-b:a', `${Math.min(AUDIO_KBPS, budget)}k`];
  }
  const container = target.ext === 'mp3' ? ['-f', 'mp3'] : ['-movflags', '+faststart', '-f', 'mp4'];
  return runConversion(
    context,
    [
      '-i',
      input,
      '-map',
      '0:a:0',
      '-vn',
      '-sn',
      '-dn',
      ...codec,
      '-fs',
      String(Math.floor(options.maxUploadBytes)),
      ...container,
      output,
    ],
    output,
  );
}

export const THUMBNAIL_MAX_SIDE = 320;
export const THUMBNAIL_MAX_BYTES = 200 * 1024;
const THUMBNAIL_QUALITIES = [3, 6, 10, 16, 24, 31];

/**
 * A JPEG thumbnail Telegram accepts (longest side ≤ 320 px, ≤ 200 kB) from a video frame at
 * `seekSeconds` (default 0), an image, or an audio file's cover art; lower quality until it fits.
 * Undefined when there is no picture to take.
 */
export async function makeThumbnail(
  context: FfmpegContext,
  input: string,
  output: string,
  options: { seekSeconds?: number; maxSide?: number; maxBytes?: number } = {},
): Promise<{ path: string; sizeBytes: number } | undefined> {
  const side = options.maxSide ?? THUMBNAIL_MAX_SIDE;
  const maxBytes = options.maxBytes ?? THUMBNAIL_MAX_BYTES;
  const scale = `scale=w='min(${side},iw)':h='min(${side},ih)':force_original_aspect_ratio=decrease`;
  const attempt = (seek: number, quality: number) =>
    runFfmpeg(
      context,
      [
        ...(seek > 0 ? ['-ss', String(seek)] : []),
        '-i',
        input,
        '-map',
        '0:v:0',
        '-frames:v',
        '1',
        '-vf',
        scale,
        '-q:v',
        String(quality),
        '-update',
        '1',
        '-f',
        'image2',
        '-c:v',
        'mjpeg',
        output,
      ],
      output,
    );
  let seek = options.seekSeconds ?? 0;
  for (const quality of THUMBNAIL_QUALITIES) {
    let step = await attempt(seek, quality);
    if (!step.ok && seek > 0) {
      // A seek past the end gives no frame: take the first one.
      seek = 0;
      step = await attempt(seek, quality);
    }
    if (!step.ok || step.sizeBytes === undefined) return undefined;
    if (step.sizeBytes <= maxBytes) return { path: output, sizeBytes: step.sizeBytes };
  }
  await rm(output, { force: true });
  return undefined;
}
