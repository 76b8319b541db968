/**
 * `DATA_DIR/temporal-server.lock`: which process runs the embedded Temporal server on this
 * DATA_DIR (`npm start` or `npm run temporal`), and that server: pid, start time, binary, SQLite
 * file, ports. It makes a crash recoverable without a manual step and keeps two runs off one file:
 *
 * - its owner still runs → this start refuses, naming it (two servers on one SQLite file would
 *   both take work);
 * - its owner is gone but its server runs (a crash of the owner where the server did not die
 *   with it) → that server is ours: it is stopped (SIGTERM, then SIGKILL) and this run takes over;
 * - both are gone → the record is stale and replaced.
 *
 * A process is only recognised by pid *and* start time, and a server only if its command line
 * also holds the binary and our SQLite file, so a reused pid is never signalled.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  currentProcess,
  isSameProcess,
  processInfo,
  type ProcessInfo,
  type ProcessRecord,
} from '../../activities/adapters/processInfo.js';
import type { Logger } from '../logger.js';

export const LOCK_FILE = 'temporal-server.lock';

export interface ServerRecord extends ProcessRecord {
  binary: string;
  dbFile: string;
  port: number;
  uiPort: number;
}

export interface LockRecord {
  owner: ProcessRecord & { command: string };
  server?: ServerRecord;
}

export type LockVerdict =
  /** Its owner runs: refuse. */
  | { kind: 'held'; record: LockRecord }
  /** Its owner is gone, its server still runs: stop the server, then take over. */
  | { kind: 'leftover'; record: LockRecord; server: ServerRecord }
  /** Nothing of it runs (or it cannot be read): take over. */
  | { kind: 'stale' };

type Lookup = (pid: number) => ProcessInfo | undefined;

function isProcessRecord(value: unknown): value is ProcessRecord {
  const record = value as Partial<ProcessRecord> | undefined;
  return typeof record?.pid === 'number' && typeof record.startTime === 'string';
}

/** The record in a lock file; undefined when it is not one (empty, truncated, something else). */
export function parseLockRecord(text: string): LockRecord | undefined {
  let value: Partial<LockRecord>;
  try {
    value = JSON.parse(text) as Partial<LockRecord>;
  } catch {
    return undefined;
  }
  if (!isProcessRecord(value.owner) || typeof value.owner.command !== 'string') return undefined;
  const server = value.server;
  const serverOk =
    isProcessRecord(server) &&
    typeof server.binary === 'string' &&
    typeof server.dbFile === 'string' &&
    typeof server.port === 'number' &&
    typeof server.uiPort === 'number';
  return { owner: value.owner, ...(serverOk ? { server } : {}) };
}

/** Whether `info` is the recorded server: the same process, running our binary on our SQLite file. */
export function isRecordedServer(server: ServerRecord, info: ProcessInfo | undefined): boolean {
  if (!isSameProcess(server, info)) return false;
  if (info.args) {
    const db = info.args.indexOf('--db-filename');
    return info.args[0] === server.binary && db > 0 && info.args[db + 1] === server.dbFile;
  }
  return info.commandLine.startsWith(server.binary) && info.commandLine.includes(`--db-filename ${server.dbFile}`);
}

/** What to do about the record found in the lock file. Pure: `lookup` says what runs. */
export function judgeLock(record: LockRecord | undefined, lookup: Lookup): LockVerdict {
  if (!record) return { kind: 'stale' };
  if (isSameProcess(record.owner, lookup(record.owner.pid))) return { kind: 'held', record };
  if (record.server && isRecordedServer(record.server, lookup(record.server.pid)))
    return { kind: 'leftover', record, server: record.server };
  return { kind: 'stale' };
}

/** Another live run owns this DATA_DIR. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly record: LockRecord,
  ) {
    const { owner, server } = record;
    const serving = server
      ? `its Temporal dev server (pid ${server.pid}) listens on 127.0.0.1:${server.port}, its Web UI on http://127.0.0.1:${server.uiPort}`
      : 'its Temporal dev server is starting';
    super(
      `DATA_DIR ${dataDir} is in use by another run: pid ${owner.pid} (${owner.command}); ${serving}. ` +
        `Stop that one first (Ctrl-C in its terminal, or kill ${owner.pid}), or start this one with another DATA_DIR.`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Records the server this run started (or restarted). */
  recordServer(server: ServerRecord): Promise<void>;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

const LEFTOVER_TERM_WAIT_MS = 10_000;
const LEFTOVER_KILL_WAIT_MS = 5_000;

/** Signals the recorded server, if it still is that server (never a reused pid). */
function signalServer(server: ServerRecord, signal: NodeJS.Signals): boolean {
  if (!isRecordedServer(server, processInfo(server.pid))) return false;
  try {
    process.kill(server.pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function goneWithin(server: ServerRecord, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRecordedServer(server, processInfo(server.pid))) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Stops a server a crashed run left: SIGTERM (it closes its SQLite file), SIGKILL if it hangs. */
export async function stopLeftoverServer(server: ServerRecord): Promise<void> {
  signalServer(server, 'SIGTERM');
  if (await goneWithin(server, LEFTOVER_TERM_WAIT_MS)) return;
  signalServer(server, 'SIGKILL');
  if (await goneWithin(server, LEFTOVER_KILL_WAIT_MS)) return;
  throw new Error(`the Temporal dev server a previous run left (pid ${server.pid}) did not stop; stop it yourself`);
}

/** Writes `text` to `file` only if `file` does not exist, all at once (a reader never sees it half-written). */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temporary = `${file}.${randomUUID()}.new`;
  await writeFile(temporary, text, { mode: 0o600 });
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * Removes the lock file judged stale, unless another start replaced it meanwhile: it is moved
 * aside first (only one mover gets it), and put back if it is not the one that was judged.
 */
async function removeJudged(file: string, judged: string): Promise<void> {
  const aside = `${file}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch {
    return; // gone already
  }
  if ((await readFile(aside, 'utf8').catch(() => undefined)) !== judged) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

/**
 * Takes `DATA_DIR/temporal-server.lock` for this process, stopping the server a crashed run left
 * on this DATA_DIR first; throws DataDirInUseError when a live run holds it.
 */
export async function acquireDataDirLock(dataDir: string, logger: Logger): Promise<DataDirLock> {
  const file = path.join(dataDir, LOCK_FILE);
  const self = currentProcess();
  const owner = { ...self, command: process.argv.slice(1).join(' ') };
  const text = (record: LockRecord) => `${JSON.stringify(record, null, 2)}\n`;
  const lock: DataDirLock = {
    file,
    async recordServer(server) {
      const temporary = `${file}.${randomUUID()}.new`;
      await writeFile(temporary, text({ owner, server }), { mode: 0o600 });
      await rename(temporary, file);
    },
    async release() {
      const record = parseLockRecord(await readFile(file, 'utf8').catch(() => ''));
      if (record && record.owner.pid === self.pid && record.owner.startTime === self.startTime)
        await rm(file, { force: true });
    },
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(file, text({ owner }))) return lock;
    const found = await readFile(file, 'utf8').catch(() => undefined);
    if (found === undefined) continue;
    const verdict = judgeLock(parseLockRecord(found), processInfo);
    if (verdict.kind === 'held') throw new DataDirInUseError(dataDir, verdict.record);
    if (verdict.kind === 'leftover') {
      const { server, record } = verdict;
      logger.warn(
        { pid: server.pid, port: server.port, previousOwner: record.owner.pid },
        `a previous run on this DATA_DIR (pid ${record.owner.pid}) ended without stopping its Temporal dev server (pid ${server.pid}): stopping it`,
      );
      await stopLeftoverServer(server);
      logger.info({ pid: server.pid }, 'stopped the Temporal dev server the previous run left');
    } else {
      logger.info({ file }, 'replacing the lock file of a run that ended without removing it');
    }
    await removeJudged(file, found);
  }
  throw new Error(`could not take ${file}: other starts keep replacing it`);
}
