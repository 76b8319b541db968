/**
 * DATA_DIR's lock file (src/temporal/devServerLock.ts) against real processes: a real Temporal
 * dev server left by a run that is gone, one that hangs on SIGTERM, a recorded pid now held by
 * another program, a live owner, and two starts racing for a stale file. What must hold: only our
 * own server is ever signalled (SIGTERM first: it closes its SQLite file), a live run is refused
 * and left as it is, and exactly one racer wins.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { currentProcess, processInfo, type ProcessRecord } from '../../activities/adapters/processInfo.js';
import { createLogger } from '../../src/logger.js';
import {
  acquireDataDirLock,
  DataDirInUseError,
  LOCK_FILE,
  parseLockRecord,
  type LockRecord,
  type ServerRecord,
} from '../../src/temporal/devServerLock.js';
import { resolveTools } from '../../src/tools.js';
import { freePort } from '../faults/support/processes.js';
import { waitFor } from '../e2e/support/operations.js';

const logger = createLogger('silent', 'test');
let dataDir: string;
const started: ChildProcess[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-lock-'));
});

afterEach(async () => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function track(child: ChildProcess): ChildProcess {
  started.push(child);
  return child;
}

function recordOf(child: ChildProcess): ProcessRecord {
  return { pid: child.pid!, startTime: processInfo(child.pid!)!.startTime };
}

/** A process that ran and is gone: its record, as a crashed owner leaves it. */
async function goneProcess(): Promise<ProcessRecord & { command: string }> {
  const child = spawn('sleep', ['30']);
  const record = recordOf(child);
  child.kill('SIGKILL');
  await once(child, 'exit');
  return { ...record, command: '/opt/bot/src/cli/start.ts' };
}

/** A real `temporal server start-dev` on DATA_DIR's SQLite file, not started by the lock's code, and its record. */
async function realServer(): Promise<{ child: ChildProcess; record: ServerRecord; exit: Promise<unknown[]> }> {
  const [port, uiPort] = [await freePort(), await freePort()];
  const binary = resolveTools().temporal;
  const dbFile = path.join(dataDir, 'temporal.sqlite');
  const child = track(
    spawn(
      binary,
      [
        'server',
        'start-dev',
        '--db-filename',
        dbFile,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--log-level',
        'error',
      ],
      {
        detached: true,
        stdio: 'ignore',
      },
    ),
  );
  const exit = once(child, 'exit');
  await waitFor(
    () =>
      Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 500 }).then(
        (c) => c.close().then(() => true),
        () => false,
      ),
    30_000,
    () => 'the server did not come up',
  );
  return { child, exit, record: { ...recordOf(child), binary, dbFile, port, uiPort } };
}

async function writeLock(record: LockRecord): Promise<void> {
  await writeFile(path.join(dataDir, LOCK_FILE), JSON.stringify(record));
}

async function lockOnDisk(): Promise<LockRecord | undefined> {
  return parseLockRecord(await readFile(path.join(dataDir, LOCK_FILE), 'utf8').catch(() => ''));
}

it('the server a crashed run left is stopped with SIGTERM (it exits 0), then the lock is ours, and released leaves no file', async () => {
  const server = await realServer();
  await writeLock({ owner: await goneProcess(), server: server.record });
  const lock = await acquireDataDirLock(dataDir, logger);
  expect(await server.exit).toEqual([0, null]);
  expect((await lockOnDisk())?.owner).toMatchObject(currentProcess());
  await lock.release();
  expect(await lockOnDisk()).toBeUndefined();
});

it('a leftover server that does not stop on SIGTERM (stopped: SIGSTOP) is killed after the wait', async () => {
  const server = await realServer();
  process.kill(server.record.pid, 'SIGSTOP');
  await writeLock({ owner: await goneProcess(), server: server.record });
  const lock = await acquireDataDirLock(dataDir, logger);
  expect(await server.exit).toEqual([null, 'SIGKILL']);
  await lock.release();
}, 30_000);

it('a recorded server pid now held by another program is not signalled; the stale lock is taken over', async () => {
  // Same pid and start time as recorded (the worst case of reuse), but not our binary on our file.
  const other = track(spawn('sleep', ['300']));
  const record: ServerRecord = {
    ...recordOf(other),
    binary: resolveTools().temporal,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    port: 1,
    uiPort: 2,
  };
  await writeLock({ owner: await goneProcess(), server: record });
  const lock = await acquireDataDirLock(dataDir, logger);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(other.exitCode).toBeNull();
  expect(other.signalCode).toBeNull();
  await lock.release();
});

it('a live owner: refused with its pid and ports; its lock file and its server are left as they are', async () => {
  const server = await realServer();
  const owner = track(spawn('sleep', ['300']));
  const held: LockRecord = {
    owner: { ...recordOf(owner), command: '/opt/bot/src/cli/start.ts' },
    server: server.record,
  };
  await writeLock(held);
  const refusal = await acquireDataDirLock(dataDir, logger).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(DataDirInUseError);
  expect((refusal as Error).message).toContain(
    `pid ${owner.pid} (/opt/bot/src/cli/start.ts); its Temporal dev server (pid ${server.record.pid}) listens on 127.0.0.1:${server.record.port}`,
  );
  expect(await lockOnDisk()).toEqual(held);
  expect(processInfo(server.record.pid)).toBeDefined();
  expect(server.child.exitCode).toBeNull();
});

it('two starts racing for a stale lock file: exactly one takes it, the other is refused naming the winner', async () => {
  await writeLock({ owner: await goneProcess() });
  const results = await Promise.allSettled([acquireDataDirLock(dataDir, logger), acquireDataDirLock(dataDir, logger)]);
  expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
  expect(refused.reason).toBeInstanceOf(DataDirInUseError);
  expect((await lockOnDisk())?.owner).toMatchObject(currentProcess());
  await (
    results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<
      Awaited<ReturnType<typeof acquireDataDirLock>>
    >
  ).value.release();
});
