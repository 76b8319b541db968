/**
 * `npm run bench:entities`: what the entity workflows of the old design cost (the media cache,
 * MediaCacheWorkflow; the user quota, UserQuotaWorkflow; the chat settings, ChatSettingsWorkflow)
 * against the state store that replaced them (a SQLite table each), per request and at rest.
 *
 * 1. Per request: the operations a request made on each (acquire + release of a quota slot, claim
 *    + complete of a new cache entry, a claim that hits, a settings read), N of each with a few in
 *    flight, through the entities' client (bench/lib/entityClient.ts) against the embedded
 *    server (startDevServer, its SQLite file) with a telegram worker process running the entities,
 *    then the same through the store's activities (activities/storeActivities.ts). Server and
 *    worker CPU from /proc, history events from the histories.
 * 2. At rest: 10,000 open cache entries (each made by a claim and a complete, as requests make
 *    them): the SQLite file's size and the server's start latency (time to answer after a restart
 *    with them present), measured at steps, and extrapolated to 1,000,000. The store's table beside it.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createStoreActivities } from '../activities/index.js';
import { createEntityClient } from './lib/entityClient.js';
import { openStateStore } from '../activities/adapters/openStateStore.js';
import { SQLITE_FILE_NAME } from '../activities/adapters/stateStore.js';
import { createLogger } from '../src/logger.js';
import { startDevServer, type DevServer } from '../src/temporal/devServer.js';
import { resolveTools } from '../src/tools.js';
import { runBounded } from '../test/faults/support/httpClient.js';
import { freePort, readCpu, startCli } from '../test/faults/support/processes.js';
import type { CachedMedia, MediaKey } from '../shared/activityTypes.js';
import { numbers, positive, readOptions } from './lib/args.js';
import { printConditions } from './lib/conditions.js';
import { startBenchStack } from './lib/stack.js';
import { median, mib, ms, table } from './lib/stats.js';
import { snapshotRuns, totalOf } from './lib/temporalCounts.js';

const options = readOptions('node --import tsx bench/entities.ts [options]', {
  ops: { default: '100', help: 'operations of each kind in the per-request part' },
  concurrency: { default: '4', help: 'operations in flight' },
  entries: { default: '2500,5000,10000', help: 'open cache entries at which disk and start latency are measured' },
  extrapolate: { default: '1000000', help: 'entries to extrapolate to' },
});
const OPS = positive(options.ops, 'ops');
const CONCURRENCY = positive(options.concurrency, 'concurrency');
const STEPS = numbers(options.entries);
const TARGET = positive(options.extrapolate, 'extrapolate');

printConditions('entity workflows vs the state store (bench/entities.ts)', {
  'per request': `${OPS} operations of each kind, ${CONCURRENCY} in flight; entities through bench/lib/entityClient.ts, a telegram worker process (src/cli/worker.ts) running them; the store through activities/storeActivities.ts on SQLite`,
  'at rest': `open MediaCacheWorkflow entries made by claim + complete, measured at ${STEPS.join(', ')}; extrapolated to ${TARGET.toLocaleString('en')}`,
});

const BOT_ID = '123456';
const media = (n: number): CachedMedia => ({
  files: [
    {
      fileId: `BAACAgIAAxkBAAI${n}file-id-of-a-video-as-long-as-telegram-makes-them`,
      fileUniqueId: `AgAD${n}unique`,
      kind: 'video',
    },
  ],
  album: false,
  availableItems: 1,
  title: `A video title of a usual length, number ${n}`,
});
let nextKey = 0;
const newKey = (): MediaKey => ({
  url: `https://media.example.com/watch?v=${nextKey++}`,
  mode: 'video',
  maxUploadBytes: 50 * 1024 * 1024,
  albumCap: 10,
});
const sleep = (msToWait: number) => new Promise((resolve) => setTimeout(resolve, msToWait));

async function fileSize(file: string): Promise<number> {
  const sizes = await Promise.all(
    ['', '-wal', '-shm'].map((suffix) =>
      stat(`${file}${suffix}`).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

// ---- 1. per request --------------------------------------------------------------------------
const stack = await startBenchStack();
const rows: Array<Array<string | number>> = [];
try {
  const worker = await stack.startWorker('telegram');
  const entities = createEntityClient({ client: stack.client, botId: BOT_ID });
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-bench-store-'));
  const store = await openStateStore({ dataDir: storeDir });
  const stored = createStoreActivities({ store, client: stack.client, botId: BOT_ID });
  let user = 1_000_000;

  /** Runs `op` OPS times; CPU of the server, the worker and this process, events added, wall per op. */
  const measure = async (label: string, op: (i: number) => Promise<unknown>) => {
    const before = await snapshotRuns(stack.client);
    const cpu = () => ({
      server: readCpu(stack.temporalPid!).self,
      worker: readCpu(worker.pid).self,
      bench: readCpu('self').self,
    });
    const cpu0 = cpu();
    const walls: number[] = [];
    let i = 0;
    await runBounded(OPS, CONCURRENCY, async () => {
      const t0 = performance.now();
      await op(i++);
      walls.push(performance.now() - t0);
    });
    await sleep(500); // the entities' last workflow tasks
    const cpu1 = cpu();
    const added = totalOf((await snapshotRuns(stack.client, before.snapshot)).added);
    rows.push([
      label,
      ((cpu1.server - cpu0.server) / OPS).toFixed(4),
      ((cpu1.worker - cpu0.worker) / OPS).toFixed(4),
      ((cpu1.bench - cpu0.bench) / OPS).toFixed(4),
      (added.events / OPS).toFixed(1),
      (added.workflowTasks / OPS).toFixed(1),
      ms(median(walls)),
    ]);
    console.log(`  ${label}: done`);
  };

  const limits = { concurrentRequests: 10_000, requestsPerHour: 1_000_000 };
  await measure('quota, entity: acquire + release (UserQuotaWorkflow, Update-with-Start, Update)', async (i) => {
    const slot = { userId: user + i, holder: `bench-quota-entity-${i}` };
    await entities.acquireQuota({ ...slot, links: 1, limits });
    await entities.releaseQuota(slot);
  });
  user += OPS;
  await measure('quota, store: admitRequest + releaseQuotaSlot (SQLite)', async (i) => {
    const slot = { userId: user + i, holder: `bench-quota-store-${i}` };
    await stored.admitRequest({ chatId: slot.userId, ...slot, links: 1, limits });
    await stored.releaseQuotaSlot(slot);
  });

  const entityKeys: MediaKey[] = [];
  await measure('cache miss, entity: claim + complete (MediaCacheWorkflow, Update-with-Start, Update)', async (i) => {
    const key = newKey();
    entityKeys.push(key);
    const claim = await entities.claimMedia({ key, holder: `bench-cache-${i}` });
    await entities.completeMedia({ cacheId: claim.cacheId, holder: `bench-cache-${i}`, media: media(i) });
  });
  const storeKeys: MediaKey[] = [];
  await measure('cache miss, store: claimCachedMedia + completeCachedMedia', async (i) => {
    const key = newKey();
    storeKeys.push(key);
    const claim = await stored.claimCachedMedia({ key, holder: `bench-cache-${i}` });
    await stored.completeCachedMedia({ cacheId: claim.cacheId, holder: `bench-cache-${i}`, media: media(i) });
  });
  await measure('cache hit, entity: claim', (i) =>
    entities.claimMedia({ key: entityKeys[i]!, holder: `bench-hit-${i}` }),
  );
  await measure('cache hit, store: claimCachedMedia', (i) =>
    stored.claimCachedMedia({ key: storeKeys[i]!, holder: `bench-hit-${i}` }),
  );

  const chats = Array.from({ length: OPS }, (_, i) => 2_000_000 + i);
  for (const chatId of chats) await entities.chooseChatSetting({ chatId, choice: { setting: 'mode', value: 'audio' } });
  for (const chatId of chats) await stored.saveChatSetting({ chatId, choice: { setting: 'mode', value: 'audio' } });
  await measure('settings, entity: Query (ChatSettingsWorkflow)', (i) => entities.getChatSettings(chats[i]!));
  await measure('settings, entity: Query of a chat without settings (not found)', (i) =>
    entities.getChatSettings(3_000_000 + i),
  );
  await measure('settings, store: readChatSettings', (i) => stored.readChatSettings(chats[i]!));
  await store.close();
  await rm(storeDir, { recursive: true, force: true });
} finally {
  await stack.stop();
}
console.log('\n## Per operation (a request makes one of each kind it needs)');
console.log(
  table(
    [
      'operation',
      'server CPU s',
      'telegram worker CPU s',
      'bench process CPU s (the store runs here)',
      'history events',
      'workflow tasks',
      'wall p50',
    ],
    rows,
  ),
);

// ---- 2. at rest: open cache entries -----------------------------------------------------------
const root = await mkdtemp(path.join(os.tmpdir(), 'media-bot-bench-entities-'));
const ports = { port: await freePort(), uiPort: await freePort() };
const logger = createLogger('error', 'temporal');
const startServer = () =>
  startDevServer({
    temporalPath: resolveTools().temporal,
    dataDir: path.join(root, 'temporal'),
    ...ports,
    namespace: 'default',
    logger,
  });
/** Stops the server, measures its file, starts it again on the same file and times how long it takes to answer. */
const restart = async (server: DevServer) => {
  await server.stop();
  const bytes = await fileSize(server.dbFile);
  const t0 = performance.now();
  const again = await startServer();
  return { server: again, bytes, startMs: performance.now() - t0 };
};
const atRest: Array<{ entries: number; bytes: number; startMs: number; storeBytes: number }> = [];
let server = await startServer();
const storeDir = path.join(root, 'store');
let store = await openStateStore({ dataDir: storeDir });
try {
  const env = {
    TELEGRAM_BOT_TOKEN: `${BOT_ID}:bench-token-not-used-for-anything-xx`,
    TEMPORAL_ADDRESS: server.address,
    // The readiness line is an info line.
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(root, 'data'),
  };
  const startWorker = () =>
    startCli('worker-telegram', 'src/cli/worker.ts', ['--queue', 'telegram'], env, {
      readyMessage: 'worker running',
      readyTimeoutMs: 180_000,
    });
  let made = 0;
  // Empty: the start latency of the server alone.
  const empty = await restart(server);
  server = empty.server;
  atRest.push({ entries: 0, bytes: empty.bytes, startMs: empty.startMs, storeBytes: 0 });
  for (const step of STEPS) {
    const worker = await startWorker();
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const entities = createEntityClient({ client, botId: BOT_ID });
    const stored = createStoreActivities({ store, client, botId: BOT_ID });
    const t0 = performance.now();
    await runBounded(step - made, 16, async () => {
      const n = made++;
      const key = newKey();
      const claim = await entities.claimMedia({ key, holder: `bench-rest-${n}` });
      await entities.completeMedia({ cacheId: claim.cacheId, holder: `bench-rest-${n}`, media: media(n) });
      const lease = await stored.claimCachedMedia({ key, holder: `bench-rest-${n}` });
      await stored.completeCachedMedia({ cacheId: lease.cacheId, holder: `bench-rest-${n}`, media: media(n) });
    });
    console.log(`  ${step} open entries (made in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    await connection.close();
    await worker.stop(10_000);
    const result = await restart(server);
    server = result.server;
    // Closed, its write-ahead log is folded into the file: the size it keeps.
    await store.close();
    atRest.push({
      entries: step,
      bytes: result.bytes,
      startMs: result.startMs,
      storeBytes: await fileSize(path.join(storeDir, SQLITE_FILE_NAME)),
    });
    store = await openStateStore({ dataDir: storeDir });
  }
} finally {
  await store.close();
  await server.stop();
  await rm(root, { recursive: true, force: true });
}

const base = atRest[0]!;
// Slopes between the first and the last step: the first entries also grow the write-ahead logs to their working size.
const first = atRest[1]!;
const last = atRest.at(-1)!;
const span = Math.max(1, last.entries - first.entries);
const perEntry = (last.bytes - first.bytes) / span;
const startPerEntry = (last.startMs - first.startMs) / span;
const storePerEntry = (last.storeBytes - first.storeBytes) / span;
console.log('\n## Open cache entries at rest (the dev server stopped and started again on its SQLite file)');
console.log(
  table(
    [
      'open MediaCacheWorkflow entries',
      'temporal.sqlite (+ wal)',
      'server start to ready',
      'store: state.sqlite, the same entries',
    ],
    atRest.map((row) => [
      row.entries.toLocaleString('en'),
      mib(row.bytes),
      ms(row.startMs),
      row.entries === 0 ? '-' : mib(row.storeBytes),
    ]),
  ),
);
console.log(
  `\nPer entry (from ${first.entries.toLocaleString('en')} to ${last.entries.toLocaleString('en')}): ${(perEntry / 1024).toFixed(1)} KiB in Temporal's SQLite, ${(storePerEntry / 1024).toFixed(2)} KiB in the store; start latency ${(startPerEntry * 1000).toFixed(1)} µs per entry (empty: ${ms(base.startMs)}).`,
);
console.log(
  `Extrapolated linearly to ${TARGET.toLocaleString('en')} entries: Temporal's SQLite ${((last.bytes + perEntry * (TARGET - last.entries)) / 1024 ** 3).toFixed(1)} GiB, ` +
    `start ${((last.startMs + startPerEntry * (TARGET - last.entries)) / 1000).toFixed(1)} s; the store ${((last.storeBytes + storePerEntry * (TARGET - last.entries)) / 1024 ** 3).toFixed(2)} GiB.`,
);
