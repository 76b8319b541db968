/**
 * After a hard kill (`kill -9`), start again, and the bot comes back by itself, with its data, and nothing
 * of the old run is left. Real `npm start` processes (src/cli/start.ts in a process group of its
 * own, as a terminal runs it), the real embedded dev server, real yt-dlp against loopback media
 * served slowly (so a download is in flight when the kill comes), the Bot API emulator.
 *
 * What was tried: SIGKILL of the whole process group and of the main process alone mid-download,
 * then `npm start` again on the same DATA_DIR and ports; SIGKILL of the embedded server alone, once
 * (restarted) and until the restart bound gives up (exit 1), then `npm start` again; a foreign
 * Temporal server on the gRPC port; a second `npm start` on the same DATA_DIR; and a terminal
 * that is closed (a real pseudo-terminal hung up: SIGHUP, then EIO on every write) mid-download.
 * Prints how long each restart took to be ready, measured to npm start's own readiness.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { isAlive, processInfo, type ProcessRecord } from '../../activities/adapters/processInfo.js';
import { MAX_RESTARTS } from '../../src/temporal/devServer.js';
import { LOCK_FILE } from '../../src/temporal/devServerLock.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { resolveTools } from '../../src/tools.js';
import { deliveriesByRequest, firstDeliveryAt } from '../faults/support/deliveries.js';
import {
  descendants,
  findPid,
  freePort,
  PROJECT_ROOT,
  startCli,
  type CliProcess,
} from '../faults/support/processes.js';
import { startThrottledMediaServer, type ThrottledMediaServer } from '../faults/support/throttledMediaServer.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import {
  activityFacts,
  downloadEngines,
  downloadJobs,
  pidOf,
  processesMentioning,
  sleep,
  waitFor,
} from './support/operations.js';
import {
  freeStartPorts,
  queueLink,
  readLock,
  readyMessageFor,
  START_SCRIPT,
  startAllInOne,
  startCommandEnv,
  type StartPorts,
} from './support/startCommand.js';

/** The 45 kB fixture at 8 kB/s: a 6 s download, long enough to be killed in the middle. */
const BYTES_PER_SECOND = 8_000;
/** How "ready within 30 s" is checked: npm start's own "media bot running…" line, from its spawn. */
const READY_LIMIT_MS = 30_000;
const SWEPT_MESSAGE = 'removed stale request dirs left by a previous process';

let emulator: BotApiEmulator;
let media: ThrottledMediaServer;
const dirs: string[] = [];
const running: CliProcess[] = [];
const figures: string[] = [];
let nextChat = 10_100;

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  media = await startThrottledMediaServer((await createMediaFixtures()).dir, { bytesPerSecond: BYTES_PER_SECOND });
});

// Each test's processes stop with it: one left polling the shared emulator would take the next test's updates too.
afterEach(async () => {
  for (const proc of running.splice(0)) await proc.stop(5_000);
});

afterAll(async () => {
  await Promise.all([emulator?.close(), media?.close()]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  process.stdout.write(`[restart after kill] ${figures.join('; ')}\n`);
});

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-restart-'));
  dirs.push(dir);
  return dir;
}

/** Short timeouts so that a download lost with its worker runs again within seconds (production: 15 s heartbeat, 5 s retry). */
function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { DOWNLOAD_HEARTBEAT_SECONDS: '3', DOWNLOAD_RETRY_SECONDS: '1', SHUTDOWN_GRACE_SECONDS: '20', ...extra };
}

async function start(name: string, dataDir: string, ports: StartPorts, extra: Record<string, string> = {}) {
  const started = await startAllInOne(name, startCommandEnv(emulator, dataDir, ports, testEnv(extra)));
  running.push(started.proc);
  return started;
}

/** A request whose download is in the middle of its transfer: its key at the emulator and its workflow id. */
async function requestInFlight(dataDir: string): Promise<{ key: string; workflowId: string }> {
  const chatId = nextChat++;
  const downloadingBefore = media.downloading();
  queueLink(emulator, chatId, 1, media.uniqueUrl('clip.mp4'));
  await media.waitForDownloading(downloadingBefore + 1, 60_000);
  await waitFor(
    async () => (await readdir(path.join(dataDir, 'downloads')).catch(() => [])).length > 0,
    10_000,
    () => 'no request dir',
  );
  return { key: `${chatId}:1`, workflowId: mediaRequestWorkflowId({ chatId, messageId: 1 }) };
}

/** Waits for the request's first delivery, then a moment for a late duplicate; returns how many arrived. */
async function deliveriesOf(key: string, timeoutMs = 90_000): Promise<number> {
  await waitFor(
    () => (deliveriesByRequest(emulator).get(key) ?? 0) >= 1,
    timeoutMs,
    () => `no delivery of ${key}; calls: ${emulator.calls.map((call) => call.method).join(', ')}`,
  );
  await sleep(2_000);
  return deliveriesByRequest(emulator).get(key) ?? 0;
}

/** `npm start`'s process and everything below it now (dev server, download engine and jobs), as records that survive pid reuse. */
function processTree(pid: number): Array<ProcessRecord & { command: string }> {
  return [pid, ...descendants(pid)].flatMap((each) => {
    const info = processInfo(each);
    return info ? [{ pid: each, startTime: info.startTime, command: info.commandLine }] : [];
  });
}

/** Every file under `dir` (relative paths), except the embedded server's SQLite files and DATA_DIR's lock. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter((file) => !/^(temporal|state)\.sqlite(-wal|-shm)?$/.test(file) && file !== LOCK_FILE);
}

/** The download attempts the workflow's history records (2 or more: the first run's attempt was lost and retried). */
async function downloadAttempts(ports: StartPorts, workflowId: string): Promise<number[]> {
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.grpc}` });
  try {
    return (await activityFacts(new Client({ connection }), workflowId)).downloads.map((download) => download.attempt);
  } finally {
    await connection.close();
  }
}

/**
 * The first run, killed the way `kill` says while a download is in flight; then `npm start` again
 * with the same DATA_DIR and ports: ready within 30 s, the request delivered once, the same
 * SQLite file, no process of the first run, no file of the request left.
 */
async function killMidDownloadThenStartAgain(kind: string, kill: (first: CliProcess) => void): Promise<void> {
  const dataDir = await newDataDir();
  const ports = await freeStartPorts();
  const first = await start('first run', dataDir, ports);
  const request = await requestInFlight(dataDir);
  const firstRun = processTree(first.proc.pid);
  // The tree holds the dev server and the download (the warm engine's job child, under the
  // engine), each in a process group of its own.
  expect(firstRun.map((record) => record.command).join('\n')).toContain(path.join(dataDir, 'temporal.sqlite'));
  const pidsOf = (lines: string[]) => lines.map(pidOf);
  const firstRunPids = firstRun.map((record) => record.pid);
  expect(pidsOf(downloadJobs(dataDir)).length).toBeGreaterThan(0);
  expect(firstRunPids).toEqual(
    expect.arrayContaining([...pidsOf(downloadJobs(dataDir)), ...pidsOf(downloadEngines(dataDir))]),
  );

  const killedAt = Date.now();
  kill(first.proc);
  await first.proc.exited;
  const second = await start('second run', dataDir, ports);
  const fromKill = Date.now() - killedAt;
  expect(second.readyMs).toBeLessThan(READY_LIMIT_MS);

  expect(await deliveriesOf(request.key)).toBe(1);
  const deliveredAfter = firstDeliveryAt(emulator, request.key)! - killedAt;
  figures.push(
    `${kind}: ready ${second.readyMs} ms after the new npm start (${fromKill} ms after the kill), delivered ${deliveredAfter} ms after the kill`,
  );

  // The same SQLite file: the workflow the first run acknowledged went on, its download retried.
  expect(Math.max(...(await downloadAttempts(ports, request.workflowId)))).toBeGreaterThanOrEqual(2);
  // Nothing of the first run runs; whatever mentions DATA_DIR now belongs to the second.
  expect(firstRun.filter((record) => isAlive(record)).map((record) => `${record.pid} ${record.command}`)).toEqual([]);
  const secondRun = new Set([second.proc.pid, ...descendants(second.proc.pid)]);
  const notSecondRuns = (lines: string[]) => lines.filter((line) => !secondRun.has(pidOf(line)));
  expect(notSecondRuns(downloadJobs(dataDir))).toEqual([]);
  expect(notSecondRuns(downloadEngines(dataDir))).toEqual([]);
  expect(notSecondRuns(processesMentioning(dataDir))).toEqual([]);
  // The first run's request dir was swept when the second started; the second cleaned up its own.
  expect(second.proc.logged(SWEPT_MESSAGE)).toBe(1);
  await waitFor(
    async () => (await filesUnder(dataDir)).length === 0,
    15_000,
    () => `files left under DATA_DIR`,
  );
  expect(await filesUnder(dataDir)).toEqual([]);

  await second.proc.stop(30_000);
  expect(await second.proc.exited).toBe(0);
  expect(downloadJobs(dataDir)).toEqual([]);
  expect(downloadEngines(dataDir)).toEqual([]);
  expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
}

describe('after a hard kill, npm start again comes back by itself', () => {
  it('SIGKILL of the whole process group mid-download: the next start is ready in time and delivers the request once; nothing of the first run is left', async () => {
    await killMidDownloadThenStartAgain('SIGKILL of the process group', (first) => process.kill(-first.pid, 'SIGKILL'));
  }, 180_000);

  it('SIGKILL of the main process alone mid-download: the same', async () => {
    await killMidDownloadThenStartAgain('SIGKILL of the main process', (first) => process.kill(first.pid, 'SIGKILL'));
  }, 180_000);

  it(`SIGKILL of the embedded server alone: the bot says so and restarts it (the request in flight is delivered once); after ${MAX_RESTARTS} restarts it exits 1, and the next npm start works`, async () => {
    const dataDir = await newDataDir();
    const ports = await freeStartPorts();
    const healthPort = await freePort();
    const bot = await start('bot', dataDir, ports, { HEALTH_PORT: String(healthPort) });
    const dbFile = path.join(dataDir, 'temporal.sqlite');
    const request = await requestInFlight(dataDir);

    const serverPid = findPid(dbFile)!;
    expect((await readLock(dataDir))?.server?.pid).toBe(serverPid);
    const killedAt = Date.now();
    process.kill(serverPid, 'SIGKILL');
    const restartMessage = 'embedded Temporal dev server restarted; the workers reconnect by themselves';
    await waitFor(
      () => bot.proc.logged(restartMessage) === 1,
      30_000,
      () => bot.proc.output(),
    );
    expect(
      bot.proc.logged(
        `the embedded Temporal server exited unexpectedly (killed by SIGKILL): starting it again on 127.0.0.1:${ports.grpc} with the same SQLite file`,
      ),
    ).toBe(1);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200,
      30_000,
      () => 'not ready again',
    );
    const readyAgainMs = Date.now() - killedAt;
    expect(readyAgainMs).toBeLessThan(READY_LIMIT_MS);
    const restarted = findPid(dbFile)!;
    expect(restarted).not.toBe(serverPid);
    expect((await readLock(dataDir))?.server).toMatchObject({
      pid: restarted,
      dbFile,
      port: ports.grpc,
      uiPort: ports.ui,
    });
    expect(await deliveriesOf(request.key)).toBe(1);
    figures.push(`SIGKILL of the embedded server: ready again (/readyz) ${readyAgainMs} ms after the kill`);

    // It keeps dying: after MAX_RESTARTS restarts the bot gives up and exits non-zero.
    for (let restart = 2; restart <= MAX_RESTARTS; restart++) {
      process.kill(findPid(dbFile)!, 'SIGKILL');
      await waitFor(
        () => bot.proc.logged(restartMessage) === restart,
        30_000,
        () => bot.proc.output(),
      );
    }
    process.kill(findPid(dbFile)!, 'SIGKILL');
    expect(await bot.proc.exited).toBe(1);
    expect(bot.proc.output()).toContain(
      `exited (killed by SIGKILL) ${MAX_RESTARTS + 1} times within 10 minutes: giving up`,
    );
    expect(findPid(dbFile)).toBeUndefined();

    const next = await start('next run', dataDir, ports);
    expect(next.readyMs).toBeLessThan(READY_LIMIT_MS);
    figures.push(`after the bot gave up: the next npm start ready in ${next.readyMs} ms`);
    const chatId = nextChat++;
    queueLink(emulator, chatId, 1, media.uniqueUrl('clip.mp4'));
    expect(await deliveriesOf(`${chatId}:1`)).toBe(1);
    await next.proc.stop(30_000);
    expect(await next.proc.exited).toBe(0);
  }, 240_000);
});

describe('what is not ours is left alone', () => {
  it('a Temporal server of someone else on the gRPC port: the clear error of before, exit 1, and that server untouched', async () => {
    const dataDir = await newDataDir();
    const foreignDir = await newDataDir();
    const ports = await freeStartPorts();
    const foreign = spawn(
      resolveTools().temporal,
      [
        'server',
        'start-dev',
        '--db-filename',
        path.join(foreignDir, 'theirs.sqlite'),
        '--ip',
        '127.0.0.1',
        '--port',
        String(ports.grpc),
        '--ui-port',
        String(await freePort()),
        '--log-level',
        'error',
      ],
      { detached: true, stdio: 'ignore' },
    );
    try {
      await waitFor(
        async () =>
          await Connection.connect({ address: `127.0.0.1:${ports.grpc}`, connectTimeout: 500 }).then(
            (c) => c.close().then(() => true),
            () => false,
          ),
        30_000,
        () => 'the foreign server did not come up',
      );
      const theirs = { pid: foreign.pid!, startTime: processInfo(foreign.pid!)!.startTime };

      const refused = await startCli('bot', START_SCRIPT, [], startCommandEnv(emulator, dataDir, ports));
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toContain(
        `port ${ports.grpc} is already in use: another Temporal server may be running. Set TEMPORAL_ADDRESS=127.0.0.1:${ports.grpc} to use it, or TEMPORAL_DEV_PORT to start one on another port.`,
      );
      expect(isAlive(theirs)).toBe(true);
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.grpc}` });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    } finally {
      foreign.kill('SIGTERM');
    }
  });

  it('a second npm start on the same DATA_DIR refuses, naming the running one (pid, ports); the first goes on serving', async () => {
    const dataDir = await newDataDir();
    const ports = await freeStartPorts();
    const first = await start('first', dataDir, ports);
    const serverPid = findPid(path.join(dataDir, 'temporal.sqlite'));

    // Other ports: what refuses it is the DATA_DIR, not a port.
    const otherPorts = await freeStartPorts();
    const startedAt = Date.now();
    const second = await startCli('second', START_SCRIPT, [], startCommandEnv(emulator, dataDir, otherPorts));
    expect(await second.exited).toBe(1);
    figures.push(`a second npm start on the same DATA_DIR refused in ${Date.now() - startedAt} ms`);
    expect(second.output()).toContain(`DATA_DIR ${dataDir} is in use by another run: pid ${first.proc.pid} (`);
    expect(second.output()).toContain(
      `its Temporal dev server (pid ${serverPid}) listens on 127.0.0.1:${ports.grpc}, its Web UI on http://127.0.0.1:${ports.ui}`,
    );
    expect(second.logged(readyMessageFor(startCommandEnv(emulator, dataDir, otherPorts)))).toBe(0);

    expect(findPid(path.join(dataDir, 'temporal.sqlite'))).toBe(serverPid);
    expect((await readLock(dataDir))?.owner.pid).toBe(first.proc.pid);
    const chatId = nextChat++;
    queueLink(emulator, chatId, 1, media.uniqueUrl('clip.mp4'));
    expect(await deliveriesOf(`${chatId}:1`)).toBe(1);
    await first.proc.stop(30_000);
    expect(await first.proc.exited).toBe(0);
  }, 120_000);
});

it('a closed terminal (SIGHUP, then EIO on every write) stops it as SIGTERM does: the download in flight finishes and is delivered, then exit 0', async () => {
  const dataDir = await newDataDir();
  const ports = await freeStartPorts();
  let transcript = '';
  const env = startCommandEnv(emulator, dataDir, ports, testEnv());
  const terminal = await startCli('terminal', START_SCRIPT, [], env, {
    wrapper: [
      existsSync(path.join(PROJECT_ROOT, '.tools/venv/bin/python3'))
        ? path.join(PROJECT_ROOT, '.tools/venv/bin/python3')
        : 'python3',
      'test/e2e/support/terminal.py',
    ],
    readyMessage: readyMessageFor(env),
    onOutput: (chunk) => (transcript += chunk),
  });
  running.push(terminal);
  const bot = Number(/"terminalChild": (\d+)/.exec(transcript)?.[1]);
  const request = await requestInFlight(dataDir);
  const tree = processTree(bot);

  const closedAt = Date.now();
  process.kill(terminal.pid, 'SIGUSR1');
  await terminal.exited;
  const exit = /"terminalExit": (-?\d+)/.exec(transcript)?.[1];
  expect(exit).toBe('0');
  // The drain let the running download finish and its upload go out before the process ended.
  expect(deliveriesByRequest(emulator).get(request.key)).toBe(1);
  expect(firstDeliveryAt(emulator, request.key)!).toBeGreaterThan(closedAt);
  figures.push(`closed terminal: exit 0 after ${Date.now() - closedAt} ms, the download in flight delivered meanwhile`);
  expect(tree.filter((record) => isAlive(record)).map((record) => `${record.pid} ${record.command}`)).toEqual([]);
  expect(downloadJobs(dataDir)).toEqual([]);
  expect(downloadEngines(dataDir)).toEqual([]);
  expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  expect(await filesUnder(dataDir)).toEqual([]);
}, 120_000);
