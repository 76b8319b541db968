import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

export interface YtDlpProgress {
  downloadedBytes: number;
  totalBytes?: number;
}

export interface YtDlpResult {
  filePath: string;
  title?: string;
  durationSeconds?: number;
  width?: number;
  height?: number;
  ext?: string;
  performer?: string;
}

export type YtDlpOutcome =
  | { kind: 'downloaded'; result: YtDlpResult }
  | { kind: 'too-large'; sizeBytes: number; limitBytes: number }
  | { kind: 'failed'; exitCode: number | undefined; stderr: string };

export interface RunYtDlpOptions {
  executable: string;
  ffmpegPath?: string;
  url: string;
  dir: string;
  maxFileBytes: number;
  signal?: AbortSignal;
  onProgress?: (progress: YtDlpProgress) => void;
}

const PROGRESS_PREFIX = '[progress] ';
const RESULT_PREFIX = '[result] ';
const MAX_FILESIZE_ABORT = /File is larger than max-filesize \((\d+) bytes > (\d+) bytes\)/;

/**
 * The yt-dlp command line. An argument array (no shell), user input only after `--`, the
 * user's and system's config files ignored, one video not a playlist, H.264/mp4 preferred
 * because Telegram streams it, and nothing larger than the upload limit.
 */
export function ytDlpArguments(options: Pick<RunYtDlpOptions, 'url' | 'dir' | 'maxFileBytes' | 'ffmpegPath'>): string[] {
  const limit = options.maxFileBytes;
  return [
    '--ignore-config',
    '--no-playlist',
    '--no-cache-dir',
    '--no-mtime',
    '--newline',
    '--no-colors',
    // --print implies --quiet; the "larger than max-filesize" notice is only printed without it.
    '--no-quiet',
    '--no-simulate',
    '--progress',
    '--progress-template',
    `download:${PROGRESS_PREFIX}%(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s`,
    '--print',
    `after_move:${RESULT_PREFIX}%(.{filepath,title,duration,width,height,ext,uploader,artist})j`,
    // Temporal retries failed attempts; yt-dlp only resumes interrupted transfers.
    '--extractor-retries',
    '0',
    '--retries',
    '2',
    '--socket-timeout',
    '15',
    '-S',
    'vcodec:h264,acodec:aac,ext:mp4:m4a',
    '-f',
    `b[filesize<?${limit}]/bv*[filesize<?${limit}]+ba/b`,
    '--merge-output-format',
    'mp4',
    '--max-filesize',
    String(limit),
    ...(options.ffmpegPath ? ['--ffmpeg-location', options.ffmpegPath] : []),
    '-o',
    path.join(options.dir, 'media.%(ext)s'),
    '--',
    options.url,
  ];
}

/** Reads yt-dlp's `--newline` progress template lines. */
export function parseProgressLine(line: string): YtDlpProgress | undefined {
  if (!line.startsWith(PROGRESS_PREFIX)) return undefined;
  const [downloaded, total, estimate] = line.slice(PROGRESS_PREFIX.length).trim().split(/\s+/);
  if (!downloaded || !/^\d+(\.\d+)?$/.test(downloaded)) return undefined;
  const downloadedBytes = Math.round(Number(downloaded));
  const totalBytes = Number(total !== 'NA' ? total : estimate);
  return { downloadedBytes, totalBytes: Number.isFinite(totalBytes) ? Math.round(totalBytes) : undefined };
}

function parseResultLine(line: string): YtDlpResult | undefined {
  if (!line.startsWith(RESULT_PREFIX)) return undefined;
  const info = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
  const text = (key: string) => (typeof info[key] === 'string' && info[key] ? (info[key] as string) : undefined);
  const number = (key: string) => (typeof info[key] === 'number' ? (info[key] as number) : undefined);
  const filePath = text('filepath');
  if (!filePath) return undefined;
  return {
    filePath,
    title: text('title'),
    durationSeconds: number('duration'),
    width: number('width'),
    height: number('height'),
    ext: text('ext'),
    performer: text('artist') ?? text('uploader'),
  };
}

/**
 * Runs yt-dlp for one link into `dir`, reporting progress as it goes. Killing is the caller's
 * `signal`: an aborted signal terminates yt-dlp (and its ffmpeg) and rejects.
 */
export async function runYtDlp(options: RunYtDlpOptions): Promise<YtDlpOutcome> {
  let result: YtDlpResult | undefined;
  let tooLarge: { sizeBytes: number; limitBytes: number } | undefined;
  const subprocess = execa(options.executable, ytDlpArguments(options), {
    cancelSignal: options.signal,
    forceKillAfterDelay: 2_000,
    reject: false,
    stdin: 'ignore',
    all: false,
    lines: false,
    env: { PYTHONUNBUFFERED: '1' },
    maxBuffer: 10 * 1024 * 1024,
  });
  let pending = '';
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trimEnd();
      pending = pending.slice(newline + 1);
      const progress = parseProgressLine(line);
      if (progress) options.onProgress?.(progress);
      result = parseResultLine(line) ?? result;
      const abort = MAX_FILESIZE_ABORT.exec(line);
      if (abort) tooLarge = { sizeBytes: Number(abort[1]), limitBytes: Number(abort[2]) };
    }
  });
  const finished = await subprocess;
  if (finished.isCanceled) {
    // Temporal's cancellation signal carries the CancelledFailure the activity must end with.
    throw options.signal?.reason ?? new Error('yt-dlp was cancelled');
  }
  if (finished.exitCode === 0 && tooLarge) return { kind: 'too-large', ...tooLarge };
  if (finished.exitCode === 0 && result) {
    return { kind: 'downloaded', result };
  }
  if (finished.exitCode === 0) {
    // Nothing printed after the move: look for what it wrote (e.g. a format it could not merge).
    const files = await readdir(options.dir).catch(() => []);
    const media = files.find((name) => name.startsWith('media.') && !name.endsWith('.part') && !name.endsWith('.ytdl'));
    if (media) return { kind: 'downloaded', result: { filePath: path.join(options.dir, media) } };
  }
  return { kind: 'failed', exitCode: finished.exitCode, stderr: String(finished.stderr ?? '') };
}
