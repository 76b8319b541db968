/**
 * The warm yt-dlp engine, seen from Node: one Python process per downloads worker
 * (`ytdlp_engine.py`, beside this file) that imported yt_dlp and loaded its extractors once, and
 * forks a child per job. A job is a conversation: probe a link, then download the formats this
 * side chose from the probe's info, in the same child, without a second extraction.
 *
 * Lifecycle: the engine starts on first use (or `start()`), and dies with this process (the
 * parent-death signal; it also exits when its stdin closes). If it dies, the jobs it was running
 * fail with `EngineJobLost` (retryable) and the next job starts a new engine. A job's child that
 * crashes or is killed fails its job the same way; a cancelled job rejects with the signal's reason.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { dieWithParent } from './parentDeath.js';
import type { JsRuntime } from './ytDlpInfo.js';

export const ENGINE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ytdlp_engine.py');

export interface WarmEngineOptions {
  /**
   * A Python with yt_dlp importable (the project's venv), or where to read it before each job
   * (the yt-dlp update's pointer): when it changed, the engine in use takes no new job, finishes
   * its running ones on the old version and exits, and a new engine starts with the new Python.
   */
  python: string | (() => string);
  /** The ffmpeg yt-dlp merges and downloads HLS with. */
  ffmpeg: string;
  jsRuntime?: JsRuntime;
  /** Niceness of every job's child and the tools it starts (DOWNLOAD_NICE); 0: as this process. */
  nice?: number;
  /**
   * Shown in the command line of the engine and of every job's child (`--owner <label>`), so
   * that `ps` tells whose they are: the worker passes its DATA_DIR.
   */
  label?: string;
  /** Lines the engine prints on stderr (a child's traceback, yt-dlp's own complaints). */
  onStderr?: (line: string) => void;
}

/** What yt-dlp raised, as the engine saw it: exception classes (innermost cause first) and message. */
export interface EngineError {
  classes: string[];
  message: string;
  expected: boolean;
}

export interface JobConfig {
  /** The egress proxy every connection of the job goes through. */
  proxy?: string;
  /** This request's private cookies copy. */
  cookiesFile?: string;
}

export type ProbeReply =
  { kind: 'probed'; probe: number; info: Record<string, unknown> } | { kind: 'failed'; error: EngineError };

export interface DownloadRequest {
  /** Which probe of this job, and which entry of it (a playlist's position), or the probe itself. */
  probe: number;
  entry: number | null;
  /** yt-dlp format selector, e.g. `137+140`. */
  format: string;
  /** The attempt's size guard: yt-dlp's max_filesize, and the bytes counted while downloading. */
  guardBytes: number;
  /** Output template, escaped for yt-dlp (`%` doubled). */
  outputTemplate: string;
  mergeOutputFormat?: string;
  thumbnailTemplate?: string;
}

export interface EngineProgress {
  downloadedBytes: number;
  totalBytes?: number;
  speedBytesPerSecond?: number;
}

export type DownloadReply =
  | { kind: 'downloaded'; file: string }
  | { kind: 'too-large'; sizeBytes: number }
  /** yt-dlp finished without an error and without a file. */
  | { kind: 'no-file' }
  | { kind: 'failed'; error: EngineError };

/** The job's child (or the whole engine) ended before it answered: worth another attempt. */
export class EngineJobLost extends Error {
  override name = 'EngineJobLost';
}

/**
 * What fetchMedia needs of yt-dlp: jobs that probe and then download from the probe's info. The
 * warm engine is the one the bot runs; the benchmarks' cold baseline implements it with the CLI.
 */
export interface DownloadEngine {
  openJob(config: JobConfig, signal?: AbortSignal): EngineJob;
}

export interface EngineJob {
  readonly pid: Promise<number>;
  /** Resolves once the job's child has exited (however it ended), or the engine is gone. */
  readonly exited: Promise<void>;
  /** `measureSizes`: formats whose size the page did not name get a HEAD request's (the picker's sizes). */
  probe(url: string, playlistItems: number, options?: { measureSizes?: boolean }): Promise<ProbeReply>;
  download(request: DownloadRequest, onProgress?: (progress: EngineProgress) => void): Promise<DownloadReply>;
  /** Lets the child exit; nothing more can be asked. */
  end(): void;
}

type ChildEvent = Record<string, unknown> & { event?: string };

interface Pending {
  resolve(event: ChildEvent): void;
  reject(error: Error): void;
  onProgress?: (progress: EngineProgress) => void;
}

interface JobState {
  pending?: Pending;
  resolvePid(pid: number): void;
  lost(error: Error): void;
  markExited(): void;
}

interface Running {
  python: string;
  process: ResultPromise;
  ready: Promise<void>;
  jobs: Map<string, JobState>;
  write(message: Record<string, unknown>): void;
}

const TERMINAL_EVENTS = new Set(['probed', 'downloaded', 'too-large', 'no-file', 'failed']);
/**
 * How long a new engine may take to import yt-dlp and warm up (about a second here) before it is
 * killed: its jobs then fail retryably instead of waiting for their activity's timeout.
 */
const START_TIMEOUT_MS = 60_000;

export class WarmEngine implements DownloadEngine {
  private running?: Running;
  /** Engines of an earlier Python, finishing their running jobs. */
  private readonly retiring = new Set<Running>();
  private nextJob = 0;
  private closed = false;
  /** yt-dlp's version and debug header (JS runtimes, optional libraries), once ready. */
  info?: { version: string; pid: number; debugHeader: string[] };

  constructor(private readonly options: WarmEngineOptions) {}

  /** Starts the engine (if it is not running) and waits until it is warm. */
  async start(): Promise<void> {
    await this.engine().ready;
  }

  /** Opens a job: a child forked from the warm engine, which lives until `end()` or cancel. */
  openJob(config: JobConfig, signal?: AbortSignal): EngineJob {
    signal?.throwIfAborted();
    const engine = this.engine();
    const id = `j${++this.nextJob}`;
    let resolvePid!: (pid: number) => void;
    let rejectPid!: (error: Error) => void;
    const pid = new Promise<number>((resolve, reject) => {
      resolvePid = resolve;
      rejectPid = reject;
    });
    pid.catch(() => undefined);
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    let ended = false;
    const state: JobState = {
      resolvePid,
      lost: (error) => {
        ended = true;
        rejectPid(error);
        const pending = state.pending;
        state.pending = undefined;
        pending?.reject(error);
      },
      markExited: () => {
        engine.jobs.delete(id);
        if (engine.jobs.size === 0 && this.retiring.has(engine)) engine.process.stdin?.end();
        markExited();
      },
    };
    engine.jobs.set(id, state);
    const onAbort = () => {
      if (!ended) engine.write({ job: id, op: 'cancel' });
      state.lost(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    engine.write({ job: id, op: 'start', config });

    const ask = (message: Record<string, unknown>, onProgress?: Pending['onProgress']) =>
      new Promise<ChildEvent>((resolve, reject) => {
        if (ended) return reject(signal?.aborted ? signal.reason : new EngineJobLost('the download process has ended'));
        if (state.pending) return reject(new Error('one question at a time per job'));
        state.pending = { resolve, reject, onProgress };
        engine.write({ ...message, job: id });
      });

    return {
      pid,
      exited,
      async probe(url, playlistItems, options) {
        const answer = await ask({
          op: 'probe',
          url,
          playlistItems,
          ...(options?.measureSizes ? { measureSizes: true } : {}),
        });
        if (answer.event === 'probed')
          return { kind: 'probed', probe: answer.probe as number, info: answer.info as Record<string, unknown> };
        return { kind: 'failed', error: errorOf(answer) };
      },
      async download(request, onProgress) {
        const answer = await ask({ op: 'download', ...request }, onProgress);
        if (answer.event === 'downloaded') return { kind: 'downloaded', file: String(answer.file) };
        if (answer.event === 'too-large') return { kind: 'too-large', sizeBytes: Number(answer.sizeBytes) };
        if (answer.event === 'no-file') return { kind: 'no-file' };
        return { kind: 'failed', error: errorOf(answer) };
      },
      end() {
        signal?.removeEventListener('abort', onAbort);
        if (ended) return;
        ended = true;
        engine.write({ job: id, op: 'end' });
      },
    };
  }

  /** Stops the engine and every job's child. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    this.running = undefined;
    await Promise.all([...this.retiring].map((old) => this.stop(old)));
    if (running) await this.stop(running);
  }

  private async stop(running: Running): Promise<void> {
    running.process.stdin?.end();
    const exited = running.process.then(
      () => undefined,
      () => undefined,
    );
    const timer = setTimeout(() => running.process.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private engine(): Running {
    if (this.closed) throw new Error('the download engine is closed');
    const python = typeof this.options.python === 'function' ? this.options.python() : this.options.python;
    if (this.running && this.running.python !== python) {
      // A new yt-dlp: running jobs finish on the old engine, which then exits; new jobs start below.
      const old = this.running;
      this.running = undefined;
      this.retiring.add(old);
      void old.process.then(
        () => this.retiring.delete(old),
        () => this.retiring.delete(old),
      );
      if (old.jobs.size === 0) old.process.stdin?.end();
    }
    if (this.running) return this.running;
    const owner = this.options.label ? ['--owner', this.options.label] : [];
    const launch = dieWithParent(python, ['-u', ENGINE_SCRIPT, ...owner], 'SIGKILL');
    const child = execa(launch.file, launch.args, {
      // Its own group: a terminal's Ctrl-C must not stop downloads before the worker drained them.
      detached: true,
      reject: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      env: {
        PYTHONUNBUFFERED: '1',
        // The engine checks it still has this parent once its parent-death signal is set.
        ENGINE_PARENT_PID: String(process.pid),
        // What holds for every job, given once (the warm-up uses it too).
        ENGINE_SETTINGS: JSON.stringify({
          ffmpeg: this.options.ffmpeg,
          jsRuntime: this.options.jsRuntime,
          nice: this.options.nice ?? 0,
        }),
      },
    });
    launch.follow(child);
    // The engine itself only relays, at this process's priority; each job's child lowers its own.
    const jobs = new Map<string, JobState>();
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      failStart(new EngineJobLost('the download engine did not start in time'));
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    startTimer.unref();
    const running: Running = {
      python,
      process: child,
      ready,
      jobs,
      write: (message) => {
        child.stdin?.write(`${JSON.stringify(message)}\n`);
      },
    };
    child.stdin?.on('error', () => undefined);
    readLines(child.stdout, (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.options.onStderr?.(`unreadable engine output: ${line.slice(0, 200)}`);
        return;
      }
      if (message.type === 'ready') {
        this.info = {
          version: String(message.version),
          pid: Number(message.pid),
          debugHeader: (message.debugHeader as string[]) ?? [],
        };
        clearTimeout(startTimer);
        markReady();
        return;
      }
      const job = jobs.get(String(message.job));
      if (!job) return;
      if (message.event === 'started') {
        job.resolvePid(Number(message.pid));
        return;
      }
      if (message.event === 'exited') {
        const how =
          message.signal !== null && message.signal !== undefined
            ? `was killed (signal ${message.signal})`
            : `exited with code ${message.code}`;
        job.lost(new EngineJobLost(`the download process ${how}`));
        job.markExited();
        return;
      }
      const event = message.child as ChildEvent | undefined;
      if (!event) return;
      if (event.event === 'progress') {
        job.pending?.onProgress?.({
          downloadedBytes: Number(event.downloadedBytes) || 0,
          ...(typeof event.totalBytes === 'number' ? { totalBytes: event.totalBytes } : {}),
          ...(typeof event.speedBytesPerSecond === 'number'
            ? { speedBytesPerSecond: Math.round(event.speedBytesPerSecond) }
            : {}),
        });
        return;
      }
      if (TERMINAL_EVENTS.has(String(event.event))) {
        const pending = job.pending;
        job.pending = undefined;
        pending?.resolve(event);
      }
    });
    readLines(child.stderr, (line) => this.options.onStderr?.(line));
    void child.then((result) => {
      clearTimeout(startTimer);
      const why = new EngineJobLost(
        `the download engine ${result.signal ? `was killed (${result.signal})` : `exited with code ${result.exitCode}`}`,
      );
      failStart(why);
      for (const job of [...jobs.values()]) {
        job.lost(why);
        job.markExited();
      }
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }
}

function errorOf(answer: ChildEvent): EngineError {
  const error = answer.error as Partial<EngineError> | undefined;
  if (error && typeof error.message === 'string') {
    return {
      classes: Array.isArray(error.classes) ? error.classes.map(String) : [],
      message: error.message,
      expected: error.expected === true,
    };
  }
  return { classes: [], message: 'the download engine gave no reason', expected: false };
}

function readLines(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim()) onLine(line);
    }
  });
  stream.on('error', () => undefined);
}
