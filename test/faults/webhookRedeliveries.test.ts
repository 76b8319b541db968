/**
 * Fault injection: 10,000 webhook posts over real HTTP, 30 % of them redeliveries of earlier
 * updates (half of those right behind the original, so both are in flight at once), sent 64 at a
 * time. What is tested is the dedupe at the start: workflow ids derived from the update, and
 * Temporal refusing a second start. No workers run (nothing here downloads), so the machine
 * spends itself on the starts. Number of workflows == number of distinct updates. A post answered
 * 503 (start not acknowledged in time on an overloaded machine) is delivered again, as Telegram does.
 */
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import { WEBHOOK_PATH } from '../../src/http/app.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import {
  linkUpdate,
  startEmbeddedTemporal,
  startFaultStack,
  WEBHOOK_SECRET,
  type EmbeddedTemporal,
  type FaultStack,
} from './support/faultStack.js';
import { createPoster, runBounded } from './support/httpClient.js';
import { seededRandom } from './support/faultyBotApi.js';

const POSTS = Number(process.env.FAULT_REDELIVERY_POSTS ?? 10_000);
const REDELIVERED_SHARE = 0.3;
const CONCURRENCY = 64;
/** How often a post answered 503 is delivered again (1 s apart), as Telegram would. */
const REDELIVERY_ROUNDS = 30;

let temporal: EmbeddedTemporal;
let emulator: BotApiEmulator;
let stack: FaultStack;
let baseUrl: string;

beforeAll(async () => {
  // One at a time, each assigned as it comes up: afterAll closes whatever started if a later start fails.
  temporal = await startEmbeddedTemporal();
  emulator = await startBotApiEmulator();
  stack = await startFaultStack({
    temporalAddress: temporal.address,
    apiRoot: emulator.apiRoot,
    token: emulator.token,
    telegramWorker: false,
  });
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([temporal?.close(), emulator?.close()]);
});

/** 70 % new updates from 500 people, 30 % copies of earlier ones: half recent, half from any time before. */
function deliveries(random: () => number): { bodies: string[]; distinct: number } {
  const originals: string[] = [];
  const bodies: string[] = [];
  const redeliveries = Math.round(POSTS * REDELIVERED_SHARE);
  let redelivered = 0;
  for (let i = 0; i < POSTS; i++) {
    const left = POSTS - i;
    const redeliver = originals.length > 0 && random() < (redeliveries - redelivered) / left;
    if (redeliver) {
      redelivered += 1;
      const recent = random() < 0.5;
      const from = recent ? Math.max(0, originals.length - 3) : 0;
      bodies.push(originals[from + Math.floor(random() * (originals.length - from))]!);
    } else {
      const chatId = 800_000 + Math.floor(random() * 500);
      const update: Update = linkUpdate(
        `https://media.example/v/${originals.length}.mp4`,
        chatId,
        10_000 + originals.length,
        500_000 + originals.length,
      );
      const body = JSON.stringify(update);
      originals.push(body);
      bodies.push(body);
    }
  }
  return { bodies, distinct: originals.length };
}

it(`${POSTS} webhook posts with 30 % redeliveries, ${CONCURRENCY} at a time: one workflow per distinct update`, async () => {
  const { bodies, distinct } = deliveries(seededRandom(42));
  expect(bodies.length - distinct).toBe(Math.round(POSTS * REDELIVERED_SHARE));
  const poster = createPoster(baseUrl, {
    maxSockets: CONCURRENCY,
    headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
  });
  const started = performance.now();
  const results = await runBounded(bodies.length, CONCURRENCY, (i) => poster.post(WEBHOOK_PATH, bodies[i]!));
  const seconds = (performance.now() - started) / 1000;

  // A 503 is the webhook's answer when Temporal did not acknowledge a start within its deadline
  // (an overloaded machine): Telegram then delivers the update again. So does this test, until
  // each is answered 200; any other answer fails it.
  const byStatus = new Map<number, number>();
  for (const result of results) byStatus.set(result.status, (byStatus.get(result.status) ?? 0) + 1);
  expect([...byStatus.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);
  let pending = results.flatMap((result, i) => (result.status === 503 ? [i] : []));
  const unavailable = pending.length;
  for (let round = 1; pending.length > 0 && round <= REDELIVERY_ROUNDS; round++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answers = await Promise.all(pending.map((i) => poster.post(WEBHOOK_PATH, bodies[i]!)));
    expect(answers.map((answer) => answer.status).filter((status) => status !== 200 && status !== 503)).toEqual([]);
    pending = pending.filter((_, k) => answers[k]!.status !== 200);
  }
  poster.close();
  expect(pending).toEqual([]);

  // Visibility is updated asynchronously: wait until the count stops moving.
  const query = 'WorkflowType = "MediaRequestWorkflow"';
  let count = -1;
  const deadline = Date.now() + 60_000;
  for (let stable = 0; stable < 3 && Date.now() < deadline;) {
    const next = (await stack.client.workflow.count(query)).count;
    stable = next === count && next >= distinct ? stable + 1 : 0;
    count = next;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(count).toBe(distinct);

  const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(0);
  process.stdout.write(
    `[fault: redeliveries] ${POSTS} posts (${bodies.length - distinct} redeliveries) in ${seconds.toFixed(1)} s ` +
      `(${(POSTS / seconds).toFixed(0)}/s, ${CONCURRENCY} concurrent): ${POSTS - unavailable} answered 200 at once, ${unavailable} 503 then 200 on redelivery; workflows ${count} == distinct updates ${distinct}; ` +
      `latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms\n`,
  );
}, 480_000);
