/**
 * The state store on its two databases: SQLite under DATA_DIR (shared by the processes of one
 * host) and PostgreSQL (a private cluster made with initdb on a free loopback port, as compose's
 * state-db). What the entity workflows guaranteed must hold: a lease or a quota slot goes to one
 * request only, however many processes ask at once; rows expire; values are encrypted with the
 * payload keys.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import { SQLITE_FILE_NAME, type StateStore } from '../../activities/adapters/stateStore.js';
import { createValueCodec } from '../../activities/adapters/stateValueCodec.js';
import { claimEntry, emptyCacheState, type MediaCacheState } from '../../shared/mediaCacheState.js';
import { decideQuota, emptyQuotaState, type QuotaDecision, type QuotaState } from '../../shared/quotaWindow.js';
import { PROJECT_ROOT } from '../faults/support/processes.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/postgres.js';

const KEYS = { keys: [{ id: 'k1', key: Buffer.alloc(32, 7) }] };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const claim = (store: StateStore, key: string, holder: string) =>
  store.update<MediaCacheState, string>('media_cache', key, (current, now) => {
    const state = current ?? emptyCacheState();
    return { next: { value: state }, result: claimEntry(state, holder, now).status };
  });

const acquire = (store: StateStore, holder: string) =>
  store.update<QuotaState, QuotaDecision>('user_quota', 'user-quota-1', (current, now) => {
    const { decision, state } = decideQuota(
      current ?? emptyQuotaState(),
      { holder, links: 1, limits: { concurrentRequests: 1, requestsPerHour: 100 } },
      now,
    );
    return { next: { value: state }, result: decision };
  });

/** Per key, the answers the holders got. */
function byKey(answers: Array<Record<string, string>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const answer of answers)
    for (const [key, status] of Object.entries(answer)) out.set(key, [...(out.get(key) ?? []), status]);
  return out;
}

describe('the SQLite store', () => {
  it('gives each cache lease to one of four processes claiming the same 40 entries at once', async () => {
    // Tried: four `node` processes on one DATA_DIR/state.sqlite, each claiming every entry once.
    const runs = await Promise.all(
      ['a', 'b', 'c', 'd'].map((holder) =>
        execa(process.execPath, ['--import', 'tsx', 'test/support/storeClaimer.ts', dir, holder, '40'], {
          cwd: PROJECT_ROOT,
        }),
      ),
    );
    const answers = byKey(runs.map((run) => JSON.parse(run.stdout) as Record<string, string>));
    expect(answers.size).toBe(40);
    for (const [key, statuses] of answers)
      expect({
        key,
        leases: statuses.filter((status) => status === 'lease').length,
        waits: statuses.filter((status) => status === 'wait').length,
      }).toEqual({ key, leases: 1, waits: 3 });
  }, 60_000);

  it('treats an expired row as absent and sweeps it', async () => {
    const store = await openStateStore({ dataDir: dir });
    try {
      await store.update('chat_settings', 'gone', () => ({
        next: { value: { mode: 'audio' }, expiresAt: Date.now() - 1 },
        result: undefined,
      }));
      await store.update('chat_settings', 'kept', () => ({ next: { value: { mode: 'video' } }, result: undefined }));
      expect(await store.read('chat_settings', 'gone')).toBeUndefined();
      expect(
        await store.update('chat_settings', 'gone', (current) => ({ next: 'unchanged', result: current })),
      ).toBeUndefined();
      expect(await store.sweep('chat_settings')).toBe(1);
      expect(await store.read('chat_settings', 'kept')).toEqual({ mode: 'video' });
    } finally {
      await store.close();
    }
  });

  it('stores values encrypted with the payload keys, and reads them back', async () => {
    // Tried: a title written with PAYLOAD_CODEC_KEYS, looked for in the database's bytes.
    const store = await openStateStore({ dataDir: dir, payloadKeys: KEYS.keys });
    try {
      await store.update('media_cache', 'entry', () => ({
        next: { value: { title: 'a holiday secret 5821' } },
        result: undefined,
      }));
      expect(await store.read('media_cache', 'entry')).toEqual({ title: 'a holiday secret 5821' });
    } finally {
      await store.close();
    }
    const bytes = (await readFile(path.join(dir, SQLITE_FILE_NAME))).toString('latin1');
    expect(bytes).not.toContain('holiday');
    const plain = await openStateStore({ dataDir: dir });
    await expect(plain.read('media_cache', 'entry')).rejects.toThrow(/PAYLOAD_CODEC_KEYS/);
    await plain.close();
  });
});

describe('the value codec', () => {
  it('reads plain values written before the keys were set, and refuses a value under an unknown key', () => {
    const codec = createValueCodec(KEYS.keys);
    expect(codec.decode(JSON.stringify({ mode: 'audio' }))).toEqual({ mode: 'audio' });
    const sealed = codec.encode({ mode: 'document' });
    expect(sealed).toMatch(/^enc:k1:/);
    expect(codec.decode(sealed)).toEqual({ mode: 'document' });
    expect(() => createValueCodec([{ id: 'k2', key: Buffer.alloc(32, 9) }]).decode(sealed)).toThrow(/k1/);
  });
});

describe('the PostgreSQL store', () => {
  let postgres: PrivatePostgres;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.stop();
  });

  it('gives each cache lease to one holder and the last quota slot to one request, with two workers asking at once', async () => {
    // Tried: two stores (two connection pools, as two telegram workers) on one database, 8
    // holders claiming 30 entries concurrently, then 10 requests of one user racing for its one slot.
    const stores = await Promise.all([
      openStateStore({ dataDir: dir, databaseUrl: postgres.url }),
      openStateStore({ dataDir: dir, databaseUrl: postgres.url }),
    ]);
    try {
      expect(stores[0]!.kind).toBe('postgres');
      expect(stores[0]!.location).not.toContain('@');
      const holders = Array.from({ length: 8 }, (_, i) => `holder-${i}`);
      const answers = await Promise.all(
        holders.map(async (holder, i) => {
          const answer: Record<string, string> = {};
          await Promise.all(
            Array.from(
              { length: 30 },
              async (_, key) => (answer[`key-${key}`] = await claim(stores[i % 2]!, `key-${key}`, holder)),
            ),
          );
          return answer;
        }),
      );
      for (const [key, statuses] of byKey(answers))
        expect({ key, leases: statuses.filter((status) => status === 'lease').length }).toEqual({ key, leases: 1 });

      const decisions = await Promise.all(
        Array.from({ length: 10 }, (_, i) => acquire(stores[i % 2]!, `request-${i}`)),
      );
      expect(decisions.filter((decision) => decision.granted)).toHaveLength(1);
      expect(await stores[1]!.read<QuotaState>('user_quota', 'user-quota-1')).toMatchObject({
        running: [expect.objectContaining({ holder: expect.stringMatching(/^request-/) })],
      });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);

  it('survives its connection terminated in the middle of a change (a database restart): that change fails, the next succeeds', async () => {
    // Tried: a change waiting on its row's lock (held by another session) when the server
    // terminates its connection, as a PostgreSQL stop does. The checked-out connection's error
    // must reach that change, not crash the worker as an unhandled 'error' event.
    const store = await openStateStore({ dataDir: dir, databaseUrl: postgres.url });
    const holder = new pg.Client({ connectionString: postgres.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['user_quota:held']);
      const change = store.update('user_quota', 'held', () => ({ next: 'unchanged', result: 'changed' }));
      const waiting = async () =>
        (
          await holder.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
          )
        ).rows;
      for (let tries = 0; (await waiting()).length === 0; tries++) {
        if (tries > 100) throw new Error('the change never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const pid = (await waiting())[0]!.pid;
      await holder.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(change).rejects.toThrow(/terminat/i);
      await holder.query('ROLLBACK');
      // The pool dropped the broken connection: the next change opens another.
      expect(await store.update('user_quota', 'held', () => ({ next: 'unchanged', result: 'next' }))).toBe('next');
    } finally {
      await holder.end();
      await store.close();
    }
  });

  it('deletes a row when a change leaves nothing, and sweeps expired ones', async () => {
    const store = await openStateStore({ dataDir: dir, databaseUrl: postgres.url, payloadKeys: KEYS.keys });
    try {
      await store.update('user_quota', 'idle', () => ({
        next: { value: { running: [], recent: [] } },
        result: undefined,
      }));
      await store.update('user_quota', 'idle', () => ({ next: null, result: undefined }));
      expect(await store.read('user_quota', 'idle')).toBeUndefined();
      await store.update('media_cache', 'old', () => ({
        next: { value: { waiters: [] }, expiresAt: Date.now() - 1 },
        result: undefined,
      }));
      expect(await store.read('media_cache', 'old')).toBeUndefined();
      expect(await store.sweep('media_cache')).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });
});
