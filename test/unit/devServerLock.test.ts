import type { ProcessInfo } from '../../activities/adapters/processInfo.js';
import {
  DataDirInUseError,
  isRecordedServer,
  judgeLock,
  parseLockRecord,
  type LockRecord,
  type ServerRecord,
} from '../../src/temporal/devServerLock.js';

const BINARY = '/opt/bot/.tools/bin/temporal';
const DB = '/srv/bot/data/temporal.sqlite';
const server: ServerRecord = { pid: 200, startTime: '5000', binary: BINARY, dbFile: DB, port: 7233, uiPort: 8233 };
const record: LockRecord = { owner: { pid: 100, startTime: '4000', command: '/opt/bot/src/cli/start.ts' }, server };

const serverArgs = [BINARY, 'server', 'start-dev', '--db-filename', DB, '--ip', '127.0.0.1', '--port', '7233'];
const serverInfo = (overrides: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid: 200,
  startTime: '5000',
  args: serverArgs,
  commandLine: serverArgs.join(' '),
  ...overrides,
});
const ownerInfo: ProcessInfo = {
  pid: 100,
  startTime: '4000',
  args: ['node', '/opt/bot/src/cli/start.ts'],
  commandLine: 'node /opt/bot/src/cli/start.ts',
};

/** A machine where only `running` runs. */
const only =
  (...running: ProcessInfo[]) =>
  (pid: number) =>
    running.find((info) => info.pid === pid);

describe('parseLockRecord', () => {
  it('reads what acquireDataDirLock writes, with or without the server', () => {
    expect(parseLockRecord(JSON.stringify(record))).toEqual(record);
    expect(parseLockRecord(JSON.stringify({ owner: record.owner }))).toEqual({ owner: record.owner });
  });

  it('takes an empty, truncated or foreign file for no record, and drops a malformed server entry', () => {
    for (const text of [
      '',
      '{"owner":{"pid":1',
      'pid=100',
      '[]',
      JSON.stringify({ owner: { pid: '100', startTime: '1', command: 'x' } }),
    ]) {
      expect(parseLockRecord(text)).toBeUndefined();
    }
    expect(parseLockRecord(JSON.stringify({ owner: record.owner, server: { pid: 200 } }))).toEqual({
      owner: record.owner,
    });
  });
});

describe('isRecordedServer', () => {
  it('is the recorded server only with the same pid, start time, binary and SQLite file', () => {
    expect(isRecordedServer(server, serverInfo())).toBe(true);
    // Tried: the pid reused by a later process, by another program, by a Temporal server of
    // another DATA_DIR, and a server whose db path merely contains ours.
    expect(isRecordedServer(server, serverInfo({ startTime: '9999' }))).toBe(false);
    expect(isRecordedServer(server, serverInfo({ args: ['sleep', '300'], commandLine: 'sleep 300' }))).toBe(false);
    const otherDb = serverArgs.map((arg) => (arg === DB ? '/srv/other/temporal.sqlite' : arg));
    expect(isRecordedServer(server, serverInfo({ args: otherDb, commandLine: otherDb.join(' ') }))).toBe(false);
    const longerDb = serverArgs.map((arg) => (arg === DB ? `${DB}.bak` : arg));
    expect(isRecordedServer(server, serverInfo({ args: longerDb, commandLine: longerDb.join(' ') }))).toBe(false);
    expect(isRecordedServer(server, undefined)).toBe(false);
  });

  it('falls back to the joined command line where there is no /proc (ps)', () => {
    expect(isRecordedServer(server, serverInfo({ args: undefined }))).toBe(true);
    expect(
      isRecordedServer(
        server,
        serverInfo({ args: undefined, commandLine: `/usr/bin/other ${serverArgs.slice(1).join(' ')}` }),
      ),
    ).toBe(false);
  });
});

describe('judgeLock', () => {
  it('no record, or nothing of it running: stale, take it over', () => {
    expect(judgeLock(undefined, only())).toEqual({ kind: 'stale' });
    expect(judgeLock(record, only())).toEqual({ kind: 'stale' });
  });

  it('the owner runs: held (refuse), whatever became of its server', () => {
    expect(judgeLock(record, only(ownerInfo, serverInfo()))).toEqual({ kind: 'held', record });
    expect(judgeLock(record, only(ownerInfo))).toEqual({ kind: 'held', record });
    expect(judgeLock({ owner: record.owner }, only(ownerInfo))).toEqual({
      kind: 'held',
      record: { owner: record.owner },
    });
  });

  it('the owner is gone and its server runs: a leftover to stop', () => {
    expect(judgeLock(record, only(serverInfo()))).toEqual({ kind: 'leftover', record, server });
  });

  it('pids reused by other processes are not ours: stale, and nothing is signalled', () => {
    // A container restarted on the same volume: the same small pids, other processes, later start times.
    const reusedOwner = { ...ownerInfo, startTime: '7000' };
    const reusedServer = serverInfo({ startTime: '7001', args: ['yt-dlp'], commandLine: 'yt-dlp' });
    expect(judgeLock(record, only(reusedOwner, reusedServer))).toEqual({ kind: 'stale' });
  });
});

describe('DataDirInUseError', () => {
  it('names the running one: its pid and command, its server’s pid and both ports', () => {
    expect(new DataDirInUseError('/srv/bot/data', record).message).toBe(
      'DATA_DIR /srv/bot/data is in use by another run: pid 100 (/opt/bot/src/cli/start.ts); its Temporal dev server (pid 200) listens on 127.0.0.1:7233, ' +
        'its Web UI on http://127.0.0.1:8233. Stop that one first (Ctrl-C in its terminal, or kill 100), or start this one with another DATA_DIR.',
    );
    expect(new DataDirInUseError('/d', { owner: record.owner }).message).toContain(
      'pid 100 (/opt/bot/src/cli/start.ts); its Temporal dev server is starting.',
    );
  });
});
