/**
 * The warm yt-dlp engine (activities/adapters/warmEngine.ts and ytdlp_engine.py) driven directly,
 * with real processes: the engine, its forked job children and the ffmpeg yt-dlp starts, read
 * from /proc. Media is generated with the real ffmpeg and served from loopback (throttled where
 * a download must still be running when the test acts on it); a live HLS stream makes yt-dlp
 * download with ffmpeg, which then runs until it is stopped.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processInfo } from '../../activities/adapters/processInfo.js';
import {
  EngineJobLost,
  WarmEngine,
  type EngineJob,
  type EngineProgress,
  type WarmEngineOptions,
} from '../../activities/adapters/warmEngine.js';
import { resolveTools } from '../../src/tools.js';
import { descendants, PROJECT_ROOT } from '../faults/support/processes.js';
import { createEngineFixtures, sha256, type EngineFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { waitFor } from '../e2e/support/operations.js';

const tools = resolveTools();
const CLIPS = 8;
/** The niceness the shared engine gives its job children (DOWNLOAD_NICE's default). */
const JOB_NICE = 10;
const LABEL = `warm-engine-test-${process.pid}`;

// --- Processes, from /proc. ---

interface ProcessStat {
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  nice: number;
}

/** /proc/<pid>/stat: the name, the state (Z: a zombie, dead), parent, group and niceness (field 19). */
function statOf(pid: number | 'self'): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name may hold spaces and parentheses: the fields after it start past the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
    state: fields[0]!,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    nice: Number(fields[16]),
  };
}

/** Running, as the bot's processInfo sees it (a zombie has ended: only its exit status waits to be collected). */
function alive(pid: number): boolean {
  return processInfo(pid) !== undefined;
}

function commandLine(pid: number): string {
  return processInfo(pid)?.commandLine ?? '';
}

/** Live descendants of `pid`, as `pid comm` (for messages and for finding ffmpeg). */
function liveDescendants(pid: number): Array<{ pid: number; comm: string }> {
  return descendants(pid)
    .filter(alive)
    .map((child) => ({ pid: child, comm: statOf(child)?.comm ?? '?' }));
}

function describePids(pids: number[]): string {
  return pids
    .map((pid) => `${pid} ${statOf(pid)?.comm ?? 'gone'} ${statOf(pid)?.state ?? ''} ${commandLine(pid).slice(0, 120)}`)
    .join('; ');
}

/** Waits until none of `pids` runs any more, at most `timeoutMs` from `since`; returns how long that took, from `since`. */
async function allGone(pids: number[], timeoutMs: number, since = Date.now()): Promise<number> {
  await waitFor(
    () => !pids.some(alive),
    Math.max(0, since + timeoutMs - Date.now()),
    () => `still running ${Date.now() - since} ms later: ${describePids(pids.filter(alive))}`,
    10,
  );
  return Date.now() - since;
}

/** The ffmpeg a job's child started (yt-dlp's HLS download), once it runs. */
async function ffmpegOf(jobPid: number, timeoutMs = 20_000): Promise<number> {
  let found: number | undefined;
  await waitFor(
    () => {
      found = liveDescendants(jobPid).find((child) => child.comm === 'ffmpeg')?.pid;
      return found !== undefined;
    },
    timeoutMs,
    () => `no ffmpeg under the job's child ${jobPid}: ${JSON.stringify(liveDescendants(jobPid))}`,
    20,
  );
  return found!;
}

// --- The engine and its jobs. ---

let fixtures: EngineFixtures;
let server: MediaServer;
const engines: WarmEngine[] = [];
const dirs: string[] = [];
let shared: WarmEngine;

function newEngine(options: Partial<WarmEngineOptions> = {}): WarmEngine {
  const engine = new WarmEngine({
    python: tools.python,
    ffmpeg: tools.ffmpeg,
    jsRuntime: tools.jsRuntime,
    label: LABEL,
    ...options,
  });
  engines.push(engine);
  return engine;
}

async function outputDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warm-engine-test-'));
  dirs.push(dir);
  return dir;
}

/** Probes `url` in `job` and starts downloading it into a new dir; resolves once the download is asked for. */
async function startDownload(
  job: EngineJob,
  url: string,
  onProgress?: (progress: EngineProgress) => void,
): Promise<{ dir: string; download: Promise<Awaited<ReturnType<EngineJob['download']>>> }> {
  const probe = await job.probe(url, 1);
  if (probe.kind !== 'probed') throw new Error(`probe of ${url} failed: ${JSON.stringify(probe.error)}`);
  const dir = await outputDir();
  const download = job.download(
    {
      probe: probe.probe,
      entry: null,
      format: 'best',
      guardBytes: 50_000_000,
      outputTemplate: path.join(dir, 'item-1.%(ext)s'),
    },
    onProgress,
  );
  download.catch(() => undefined);
  return { dir, download };
}

/** Downloads `url` in a job of its own, start to end; the file the engine wrote. */
async function downloadWith(
  engine: WarmEngine,
  url: string,
  onProgress?: (progress: EngineProgress) => void,
): Promise<string> {
  const job = engine.openJob({});
  try {
    const { download } = await startDownload(job, url, onProgress);
    const reply = await download;
    if (reply.kind !== 'downloaded') throw new Error(`download of ${url}: ${JSON.stringify(reply)}`);
    return reply.file;
  } finally {
    job.end();
  }
}

/**
 * Opens a job on `engine` that downloads `name`, served at 5 kB/s so that it is still under way
 * when the test acts on it; resolves once the first bytes arrived.
 */
async function midDownload(engine: WarmEngine, name: string) {
  server.throttle(name, 5_000);
  const job = engine.openJob({});
  const jobPid = await job.pid;
  let bytesArrived!: () => void;
  const underWay = new Promise<void>((resolve) => (bytesArrived = resolve));
  const { download } = await startDownload(
    job,
    server.url(name),
    (progress) => progress.downloadedBytes > 0 && bytesArrived(),
  );
  await underWay;
  return { job, jobPid, download };
}

/** What `promise` rejected with (undefined if it resolved). */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
}

beforeAll(async () => {
  fixtures = await createEngineFixtures(CLIPS);
  server = await startMediaServer(fixtures.dir);
  shared = newEngine({ nice: JOB_NICE });
  await shared.start();
});

beforeEach(() => server.reset());

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
  await server?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('a cancelled job', () => {
  it('is killed within 1 s with the ffmpeg it started (a live HLS download), leaves no process, and rejects with the abort reason', async () => {
    const controller = new AbortController();
    const job = shared.openJob({}, controller.signal);
    const jobPid = await job.pid;
    const { download } = await startDownload(job, server.url('live.m3u8'));
    const ffmpeg = await ffmpegOf(jobPid);
    // ffmpeg is in the child's process group (one kill takes both) and at its niceness.
    expect(statOf(ffmpeg)).toMatchObject({ pgid: jobPid, nice: JOB_NICE });
    // Still running a moment later: it waits for the live stream's next segments, it does not end.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(alive(ffmpeg)).toBe(true);

    const reason = new Error('cancelled by the test');
    const cancelledAt = Date.now();
    controller.abort(reason);
    await expect(download).rejects.toBe(reason);
    const took = await allGone([jobPid, ffmpeg], 1_000, cancelledAt);
    expect(took).toBeLessThan(1_000);
    // What fetchMedia waits for before it removes the partial files: the child is reaped.
    await job.exited;
    expect(statOf(jobPid)).toBeUndefined();
    // Nothing of the job is left under the engine, and the engine itself goes on.
    expect(liveDescendants(shared.info!.pid)).toEqual([]);
    expect(alive(shared.info!.pid)).toBe(true);
    process.stdout.write(
      `[warm engine] cancel: job child ${jobPid} and ffmpeg ${ffmpeg} gone ${took} ms after the abort\n`,
    );
  });
});

describe('a job whose child is killed', () => {
  it('kill -9 of the job’s child mid-download: the job rejects with EngineJobLost, and the same engine serves the next job', async () => {
    const enginePid = shared.info!.pid;
    const { job, jobPid, download } = await midDownload(shared, 'clip-1.mp4');

    process.kill(jobPid, 'SIGKILL');
    const error = await rejectionOf(download);
    expect(error).toBeInstanceOf(EngineJobLost);
    expect((error as Error).message).toMatch(/killed \(signal 9\)/);
    job.end();
    await job.exited;
    await allGone([jobPid], 2_000);

    const file = await downloadWith(shared, server.url('clip-2.mp4'));
    expect(await sha256(file)).toBe(await sha256(fixtures.clips[1]!));
    expect(shared.info!.pid).toBe(enginePid);
  });
});

describe('an engine that is killed', () => {
  it('kill -9 of the engine mid-download: the job in flight rejects with EngineJobLost, its child dies with it, and the next job starts a new engine that works', async () => {
    const engine = newEngine();
    await engine.start();
    const first = engine.info!.pid;
    const { job, jobPid, download } = await midDownload(engine, 'clip-3.mp4');

    process.kill(first, 'SIGKILL');
    const error = await rejectionOf(download);
    expect(error).toBeInstanceOf(EngineJobLost);
    job.end();
    // The child had the engine as its parent: the parent-death signal takes it along.
    await allGone([first, jobPid], 2_000);

    const file = await downloadWith(engine, server.url('clip-4.mp4'));
    expect(await sha256(file)).toBe(await sha256(fixtures.clips[3]!));
    expect(engine.info!.pid).not.toBe(first);
    expect(alive(engine.info!.pid)).toBe(true);
  });
});

describe('concurrent jobs', () => {
  it('8 jobs on one engine at once each get their own file, byte for byte', async () => {
    // About 3 s each: all eight are downloading at the same time.
    const sizes = await Promise.all(fixtures.clips.map(async (clip) => (await stat(clip)).size));
    fixtures.clips.forEach((clip, i) => server.throttle(path.basename(clip), Math.ceil(sizes[i]! / 3)));
    const firstProgressAt: number[] = [];
    const finishedAt: number[] = [];
    const files = await Promise.all(
      fixtures.clips.map(async (clip, i) => {
        const file = await downloadWith(shared, server.url(path.basename(clip)), (progress) => {
          if (progress.downloadedBytes > 0) firstProgressAt[i] ??= Date.now();
        });
        finishedAt[i] = Date.now();
        return file;
      }),
    );
    // Every download had started before the first one finished: they really ran side by side.
    expect(firstProgressAt.filter((at) => at !== undefined)).toHaveLength(CLIPS);
    expect(Math.max(...firstProgressAt)).toBeLessThan(Math.min(...finishedAt));
    const got = await Promise.all(files.map(sha256));
    const served = await Promise.all(fixtures.clips.map(sha256));
    expect(new Set(served).size).toBe(CLIPS);
    expect(got).toEqual(served);
    expect(new Set(files).size).toBe(CLIPS);
    // Each job's child is gone once it ended.
    await waitFor(
      () => liveDescendants(shared.info!.pid).length === 0,
      2_000,
      () => JSON.stringify(liveDescendants(shared.info!.pid)),
    );
  });
});

describe('the engine’s end', () => {
  it('exits by itself when its stdin closes (close() without a kill), and its job’s child and ffmpeg go with it', async () => {
    const engine = newEngine();
    await engine.start();
    const enginePid = engine.info!.pid;
    const job = engine.openJob({});
    const jobPid = await job.pid;
    const { download } = await startDownload(job, server.url('live.m3u8'));
    const ffmpeg = await ffmpegOf(jobPid);

    const closingAt = Date.now();
    await engine.close();
    const took = Date.now() - closingAt;
    // close() only kills the engine after 5 s; the job in flight learns how the engine ended.
    const error = await rejectionOf(download);
    expect(error).toBeInstanceOf(EngineJobLost);
    expect((error as Error).message).toBe('the download engine exited with code 0');
    expect(took).toBeLessThan(5_000);
    await allGone([enginePid, jobPid, ffmpeg], 1_000);
  });

  it('SIGKILL of the Node process that owns the engine: within 2 s no engine, job child or ffmpeg of it is left', async () => {
    // A Node process of its own (tsx, from the project root) with an engine and a live HLS download.
    const script = `
      import { WarmEngine } from './activities/adapters/warmEngine.ts';
      const [python, ffmpeg, url, outputTemplate] = process.argv.slice(1);
      const engine = new WarmEngine({ python, ffmpeg });
      await engine.start();
      const job = engine.openJob({});
      const pid = await job.pid;
      const probe = await job.probe(url, 1);
      if (probe.kind !== 'probed') throw new Error(JSON.stringify(probe));
      job.download({ probe: probe.probe, entry: null, format: 'best', guardBytes: 50000000, outputTemplate }).catch(() => undefined);
      process.stdout.write(JSON.stringify({ engine: engine.info.pid, job: pid }) + '\\n');
      setInterval(() => undefined, 1000);
    `;
    const dir = await outputDir();
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        tools.python,
        tools.ffmpeg,
        server.url('live.m3u8'),
        path.join(dir, 'item-1.%(ext)s'),
      ],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(owner, 'exit');
    try {
      let output = '';
      owner.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      await waitFor(
        () => output.includes('\n'),
        60_000,
        () => `the owner printed ${JSON.stringify(output)}`,
      );
      const pids = JSON.parse(output) as { engine: number; job: number };
      const ffmpeg = await ffmpegOf(pids.job);
      expect(statOf(pids.engine)?.ppid).toBe(owner.pid);

      const killedAt = Date.now();
      process.kill(owner.pid!, 'SIGKILL');
      await exited;
      const took = await allGone([pids.engine, pids.job, ffmpeg], 2_000, killedAt);
      process.stdout.write(
        `[warm engine] owner SIGKILLed: engine ${pids.engine}, job child ${pids.job}, ffmpeg ${ffmpeg} gone ${took} ms later\n`,
      );
    } finally {
      if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    }
  });
});

describe('progress', () => {
  it('reports downloaded bytes that grow, the total and the speed, for a throttled file', async () => {
    const clip = fixtures.clips[4]!;
    const size = (await stat(clip)).size;
    server.throttle(path.basename(clip), Math.ceil(size / 3));
    const reports: EngineProgress[] = [];
    const file = await downloadWith(shared, server.url(path.basename(clip)), (progress) => reports.push(progress));
    expect((await stat(file)).size).toBe(size);
    const context = JSON.stringify(reports);
    // One every half second or so over ~3 s, and the last one at the end.
    expect({ count: reports.length >= 3, context }).toEqual({ count: true, context });
    const bytes = reports.map((report) => report.downloadedBytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(bytes[0]).toBeLessThan(size);
    expect(bytes.at(-1)).toBe(size);
    expect(new Set(bytes).size).toBeGreaterThanOrEqual(3);
    expect(reports.every((report) => report.totalBytes === size)).toBe(true);
    expect(reports.some((report) => (report.speedBytesPerSecond ?? 0) > 0)).toBe(true);
  });
});

describe('priority', () => {
  it('runs the job’s child at the niceness given and the engine at its parent’s, both labelled for ps', async () => {
    const job = shared.openJob({});
    try {
      const jobPid = await job.pid;
      // Once it answered, the child is past its set-up (name, niceness): the work runs as it is now.
      expect((await job.probe(server.url('clip-6.mp4'), 1)).kind).toBe('probed');
      const enginePid = shared.info!.pid;
      expect(statOf(jobPid)).toMatchObject({ comm: 'ytdlp-job', nice: JOB_NICE, ppid: enginePid, pgid: jobPid });
      expect(statOf(enginePid)).toMatchObject({ comm: 'ytdlp-engine', nice: statOf('self')!.nice });
      expect(statOf('self')!.nice).not.toBe(JOB_NICE);
      for (const pid of [jobPid, enginePid]) expect(commandLine(pid)).toContain(`--owner ${LABEL}`);
    } finally {
      job.end();
    }
  });
});
