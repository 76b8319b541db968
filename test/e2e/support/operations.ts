/**
 * What the operations tests (scaling, graceful shutdown, metrics and health) share: worker and
 * webhook processes started with the project's own CLI against a test stack, Prometheus scraping,
 * the health endpoints, and facts read back from workflow histories.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BotApiEmulator } from '../../support/botApiEmulator.js';
import { freePort, startCli, type CliProcess } from '../../faults/support/processes.js';

export { freePort, type CliProcess };

export interface WorkerProcess extends CliProcess {
  dataDir: string;
  healthPort: number;
  metricsPort: number;
}

export interface ProcessTarget {
  temporalAddress: string;
  emulator: Pick<BotApiEmulator, 'apiRoot' | 'token'>;
}

/** The environment every bot process of a test gets: the test's Temporal, the emulator, loopback media allowed. */
export function baseEnv(target: ProcessTarget): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: target.emulator.token,
    TELEGRAM_API_ROOT: target.emulator.apiRoot,
    TEMPORAL_ADDRESS: target.temporalAddress,
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
    HOST: '127.0.0.1',
    // Tests send bursts of links from one chat: quotas on, but not binding.
    QUOTA_CONCURRENT_REQUESTS: '100',
    QUOTA_REQUESTS_PER_HOUR: '10000',
    LOG_LEVEL: 'info',
  };
}

const dirs: string[] = [];

/**
 * `node --import tsx src/cli/worker.ts --queue <queue> [--concurrency N]` with its own DATA_DIR
 * (like another machine), HEALTH_PORT and METRICS_PORT; resolves once it logged "worker running".
 */
export async function startWorkerProcess(
  name: string,
  target: ProcessTarget,
  options: { queue?: 'downloads' | 'telegram'; concurrency?: number; env?: Record<string, string> } = {},
): Promise<WorkerProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `media-bot-${name}-`));
  dirs.push(dataDir);
  const [healthPort, metricsPort] = [await freePort(), await freePort()];
  const args = [
    '--queue',
    options.queue ?? 'downloads',
    ...(options.concurrency === undefined ? [] : ['--concurrency', String(options.concurrency)]),
  ];
  const proc = await startCli(
    name,
    'src/cli/worker.ts',
    args,
    {
      ...baseEnv(target),
      DATA_DIR: dataDir,
      HEALTH_PORT: String(healthPort),
      METRICS_PORT: String(metricsPort),
      ...options.env,
    },
    { readyMessage: 'worker running' },
  );
  return Object.assign(proc, { dataDir, healthPort, metricsPort });
}

/** Removes the data dirs of the processes started here. */
export async function removeProcessDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** The request dirs left in a downloads process's DATA_DIR. */
export async function requestDirsOf(dataDir: string): Promise<string[]> {
  return readdir(path.join(dataDir, 'downloads')).catch(() => []);
}

/** Command lines of live processes that mention `needle` (`pgrep -f`), this test's own excluded. */
export function processesMentioning(needle: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', needle], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith(`${process.pid} `) && !line.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * The warm engine's job children (one per running download: `ps -o comm` says `ytdlp-job`) of the
 * downloads workers whose DATA_DIR is `dataDir` (the engine's `--owner`), as `pid command` lines.
 */
export function downloadJobs(dataDir: string): string[] {
  return processesNamed('ytdlp-job').filter((line) => line.includes(`--owner ${dataDir}`));
}

/** The warm engines of the downloads workers whose DATA_DIR is `dataDir`. */
export function downloadEngines(dataDir: string): string[] {
  return processesNamed('ytdlp-engine').filter((line) => line.includes(`--owner ${dataDir}`));
}

/** The pid of a `pid command` line (processesMentioning, downloadJobs, downloadEngines). */
export function pidOf(line: string): number {
  return Number(line.split(' ')[0]);
}

function processesNamed(comm: string): string[] {
  try {
    return execFileSync('ps', ['-eo', 'pid=,comm=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, name]) => name === comm)
      .map(([pid, , ...args]) => `${pid} ${args.join(' ')}`);
  } catch {
    return [];
  }
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** GET /metrics and parse the Prometheus text format (comments skipped). */
export async function scrape(port: number): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const samples: Sample[] = [];
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

export interface ActivityFacts {
  /** Task queue each `sendMedia` was scheduled on (the host that downloaded). */
  sendQueues: string[];
  /** `identity` (`<pid>@<host>`) and attempt of each `downloadMedia` that started and was recorded. */
  downloads: Array<{ identity: string; attempt: number; lastFailure?: string }>;
}

/** Which workers ran a request's download and upload, from its history. */
export async function activityFacts(client: Client, workflowId: string): Promise<ActivityFacts> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = new Map<string, string>();
  const facts: ActivityFacts = { sendQueues: [], downloads: [] };
  for (const event of events) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes) {
      const type = attributes.activityType?.name ?? '';
      scheduled.set(String(event.eventId), type);
      if (type === 'sendMedia') facts.sendQueues.push(attributes.taskQueue?.name ?? '');
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.get(String(started.scheduledEventId)) === 'downloadMedia') {
      facts.downloads.push({
        identity: started.identity ?? '',
        attempt: started.attempt ?? 0,
        lastFailure: started.lastFailure?.message ?? undefined,
      });
    }
  }
  return facts;
}

/** Waits for `condition`, polling; fails with `describe()` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a value (not undefined), and returns it; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether a workflow with this id was ever started (any status). */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Per started downloadMedia activity in a run's history: the attempt that ran to the end, and the
 * failure of the attempt before it (the history records only the last attempt's start, with it).
 */
export function downloadAttempts(
  client: Client,
  workflowId: string,
): Promise<Array<{ attempt: number; lastFailureType?: string; lastFailure?: string }>> {
  return activityAttempts(client, workflowId, 'downloadMedia');
}

/** {@link downloadAttempts} for the activities of any type (`sendMedia`: a send that ran again). */
export async function activityAttempts(
  client: Client,
  workflowId: string,
  activityType: string,
): Promise<Array<{ attempt: number; lastFailureType?: string; lastFailure?: string }>> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = events
    .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType)
    .map((event) => String(event.eventId));
  return events
    .filter((event) => scheduled.includes(String(event.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((event) => {
      const started = event.activityTaskStartedEventAttributes!;
      const lastFailureType = started.lastFailure?.applicationFailureInfo?.type ?? undefined;
      return {
        attempt: started.attempt ?? 0,
        ...(lastFailureType ? { lastFailureType, lastFailure: started.lastFailure?.message ?? '' } : {}),
      };
    });
}
