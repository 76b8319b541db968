/**
 * Fault injection: 10,000 malformed or hostile bodies (random JSON, wrong types, huge strings,
 * deep nesting, invalid UTF-8, prototype pollution, not JSON, wrong content types and secrets,
 * hostile links, thousands of entities) posted over HTTP to the production webhook running in
 * its own process. No answer is a 5xx, the server stays up, and its memory returns to its
 * baseline: heapUsed after a full GC (the process runs with --expose-gc and reports over IPC),
 * measured after a warm-up and again at the end (within 10 % or 2 MiB); RSS is reported too,
 * with only a loose sanity bound (the allocator keeps pages it freed after the 1 MB bodies).
 */
import type { ChildProcess } from 'node:child_process';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { WEBHOOK_BODY_LIMIT, WEBHOOK_PATH } from '../../src/http/app.js';
import { startEmbeddedTemporal, WEBHOOK_SECRET, type EmbeddedTemporal } from './support/faultStack.js';
import { seededRandom } from './support/faultyBotApi.js';
import { hostileBody, type HostileBody } from './support/hostileBodies.js';
import { createPoster, runBounded } from './support/httpClient.js';
import { startCli, type CliProcess } from './support/processes.js';

const BODIES = Number(process.env.FAULT_HOSTILE_BODIES ?? 10_000);
const WARM_UP = Math.min(1_000, Math.floor(BODIES / 10));
const CONCURRENCY = 16;
const SEED = 7;

let temporal: EmbeddedTemporal;
let emulator: BotApiEmulator;
let webhook: CliProcess;
let port: number;

interface Heap {
  heapUsed: number;
  rss: number;
  gc: boolean;
}

function nextMessage<T>(child: ChildProcess, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the webhook process')), timeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as T);
    });
  });
}

async function heap(): Promise<Heap> {
  const answer = nextMessage<Heap>(webhook.child);
  webhook.child.send('heap');
  return answer;
}

beforeAll(async () => {
  // One at a time, each assigned as it comes up: afterAll closes whatever started if a later start fails.
  temporal = await startEmbeddedTemporal();
  emulator = await startBotApiEmulator();
  webhook = await startCli(
    'webhook',
    'test/faults/support/webhookHarness.ts',
    [],
    {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TEMPORAL_ADDRESS: temporal.address,
      // The production default: every handled update and refused body is logged.
      LOG_LEVEL: 'info',
    },
    { nodeArgs: ['--expose-gc'], ipc: true },
  );
  port = (await nextMessage<{ port: number }>(webhook.child, 60_000)).port;
}, 120_000);

afterAll(async () => {
  await webhook?.stop(5_000);
  await Promise.all([temporal?.close(), emulator?.close()]);
});

it(`${BODIES} hostile webhook bodies: no 5xx, the server stays up, memory returns to baseline`, async () => {
  const random = seededRandom(SEED);
  const bodies: HostileBody[] = Array.from({ length: BODIES }, (_, n) => hostileBody(random, n));
  const poster = createPoster(`http://127.0.0.1:${port}`, {
    maxSockets: CONCURRENCY,
    headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
  });
  const statuses = new Map<string, Map<number, number>>();
  const connectionErrors: string[] = [];
  const send = async (i: number) => {
    const { kind, body, headers } = bodies[i]!;
    let result = await poster.post(WEBHOOK_PATH, body, headers);
    // Over the body limit the server answers 413 and closes without reading the rest; a sender
    // still writing sees EPIPE/ECONNRESET instead of the answer. That is the refusal, not a failure.
    if (result.error && Buffer.byteLength(body) > WEBHOOK_BODY_LIMIT && /EPIPE|ECONNRESET/.test(result.error))
      result = { status: 413, ms: result.ms };
    if (result.error) connectionErrors.push(`${kind}: ${result.error} (${Buffer.byteLength(body)} bytes)`);
    const byStatus = statuses.get(kind) ?? new Map<number, number>();
    byStatus.set(result.status, (byStatus.get(result.status) ?? 0) + 1);
    statuses.set(kind, byStatus);
    return result;
  };

  const started = performance.now();
  await runBounded(WARM_UP, CONCURRENCY, send);
  const baseline = await heap();
  const rest = await runBounded(BODIES - WARM_UP, CONCURRENCY, (i) => send(WARM_UP + i));
  const seconds = (performance.now() - started) / 1000;
  const after = await heap();
  poster.close();

  const table = Object.fromEntries([...statuses].map(([kind, byStatus]) => [kind, Object.fromEntries(byStatus)]));
  const serverErrors = [...statuses.values()].flatMap((byStatus) =>
    [...byStatus].filter(([status]) => status >= 500 || status === 0),
  );
  expect({ serverErrors, connectionErrors, table }).toEqual({ serverErrors: [], connectionErrors: [], table });
  expect(rest.length).toBe(BODIES - WARM_UP);

  // Still up, still serving.
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(webhook.child.exitCode).toBeNull();

  expect(baseline.gc).toBe(true);
  const heapGrowth = after.heapUsed - baseline.heapUsed;
  const MiB = 1024 * 1024;
  // Back to the baseline: within 10 % (or 2 MiB, whichever is more) of the live heap after the warm-up.
  expect(heapGrowth).toBeLessThanOrEqual(Math.max(baseline.heapUsed * 0.1, 2 * MiB));
  // RSS keeps what the allocator does not give back after the 1 MB bodies; it is only a sanity
  // bound against a gross leak (the heap after GC above is the real measure).
  expect(after.rss - baseline.rss).toBeLessThanOrEqual(Math.max(baseline.rss, 128 * MiB));

  const mb = (bytes: number) => (bytes / MiB).toFixed(1);
  process.stdout.write(
    `[fault: hostile bodies] ${BODIES} bodies in ${seconds.toFixed(1)} s (${CONCURRENCY} concurrent, seed ${SEED}); answers by kind: ${JSON.stringify(table)}; ` +
      `heapUsed after GC: ${mb(baseline.heapUsed)} MiB after ${WARM_UP} → ${mb(after.heapUsed)} MiB after ${BODIES} (${heapGrowth >= 0 ? '+' : ''}${mb(heapGrowth)} MiB); ` +
      `RSS ${mb(baseline.rss)} → ${mb(after.rss)} MiB\n`,
  );
}, 240_000);
