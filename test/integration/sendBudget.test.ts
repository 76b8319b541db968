/**
 * The send budget across "hosts": two state store instances (two PostgreSQL pools on one private
 * cluster; or two SQLite connections on one DATA_DIR file, the single-host case), each under its
 * own Bot API client (grammY, with the budget applied as in the workers) sending to the Bot API
 * emulator at once. What the emulator receives must keep to the budget: no group window holds more
 * than the limit, no two sends to a chat closer than the interval; a 429 one host receives holds
 * the other host's next send to that chat (and its edits) until `retry_after` has passed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GrammyError } from 'grammy';
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import { applySendBudget, createSendBudget } from '../../activities/adapters/sendBudget.js';
import { SEND_SLACK_MS, type SendLimits } from '../../activities/adapters/sendBudgetPlan.js';
import type { StateStore } from '../../activities/adapters/stateStore.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { startBotApiEmulator, type BotApiEmulator, type RecordedCall } from '../support/botApiEmulator.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/postgres.js';

/** A group's minute shrunk to 3 s so the test runs in seconds; the arithmetic is the same. */
const LIMITS: SendLimits = {
  chatIntervalMs: 200,
  groupSendsPerWindow: 4,
  groupWindowMs: 3_000,
  globalSendsPerWindow: 30,
  globalWindowMs: 1_000,
};
const GROUP = -1_001_234;
const PER_HOST = 8;

let emulator: BotApiEmulator;
let postgres: PrivatePostgres | undefined;
let dir: string;

beforeAll(async () => {
  emulator = await startBotApiEmulator();
}, 30_000);
afterAll(async () => {
  await emulator?.close();
  await postgres?.stop();
});
beforeEach(async () => {
  emulator.reset();
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-budget-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One host: its own store instance and its own budgeted Bot API client. */
function host(store: StateStore) {
  return applySendBudget(createBotApi(emulator.token, emulator.apiRoot), createSendBudget(store, LIMITS), {
    maxWaitMs: 60_000,
  });
}

/** The most calls in any window of `windowMs` (two calls `windowMs` apart never share one). */
function fullestWindow(calls: RecordedCall[], windowMs: number): number {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  let most = 0;
  for (const [i, start] of times.entries()) {
    let held = 0;
    for (let j = i; j < times.length && times[j]! - start < windowMs; j++) held++;
    most = Math.max(most, held);
  }
  return most;
}

const sendsTo = (chatId: number) =>
  emulator.calls.filter((call) => call.method === 'sendMessage' && call.params.chat_id === chatId);

async function twoHostsKeepTheGroupBudget(stores: [StateStore, StateStore]): Promise<void> {
  const [a, b] = stores.map(host);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: PER_HOST }, (_, i) => [a!.sendMessage(GROUP, `a${i}`), b!.sendMessage(GROUP, `b${i}`)]).flat(),
  );
  const calls = sendsTo(GROUP);
  expect(calls).toHaveLength(2 * PER_HOST);
  expect(calls.every((call) => call.status === 200)).toBe(true);
  // Both hosts sent, interleaved by the shared budget.
  const texts = calls.map((call) => String(call.params.text));
  expect(texts.some((text) => text.startsWith('a')) && texts.some((text) => text.startsWith('b'))).toBe(true);
  const fullest = fullestWindow(calls, LIMITS.groupWindowMs);
  expect(fullest).toBeLessThanOrEqual(LIMITS.groupSendsPerWindow);
  const times = calls.map((call) => call.at).sort((x, y) => x - y);
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  // The slots are the interval apart; an arrival lags its slot by the store's commit and the
  // request (tens of ms: a slot at "now" lags most), which the interval has no slack for.
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(LIMITS.chatIntervalMs - 100);
  // 16 sends at 4 per 3 s: the last window opens after three full ones.
  expect(Date.now() - started).toBeGreaterThanOrEqual(3 * (LIMITS.groupWindowMs + SEND_SLACK_MS) - 100);
  process.stdout.write(
    `[sendBudget] ${calls.length} sends from 2 hosts to one group: at most ${fullest} in any ${LIMITS.groupWindowMs} ms (budget ${LIMITS.groupSendsPerWindow}); ` +
      `closest two ${Math.min(...gaps)} ms apart (interval ${LIMITS.chatIntervalMs}); took ${Date.now() - started} ms\n`,
  );
}

async function a429OnOneHostHoldsTheOther(stores: [StateStore, StateStore]): Promise<void> {
  const [a, b] = stores.map(host);
  const chat = 5_150;
  const first = await a!.sendMessage(chat, 'hello');
  emulator.failNext('sendMessage', {
    error_code: 429,
    description: 'Too Many Requests: retry after 2',
    parameters: { retry_after: 2 },
  });
  const refused = await a!.sendMessage(chat, 'refused').catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(GrammyError);
  expect((refused as GrammyError).error_code).toBe(429);
  const limited = emulator.calls.find((call) => call.status === 429)!;
  // Host B's edit while the chat is blocked is answered as a 429 without reaching Telegram …
  const edit = await b!.editMessageText(chat, first.message_id, 'edited').catch((error: unknown) => error);
  expect(edit).toBeInstanceOf(GrammyError);
  expect((edit as GrammyError).error_code).toBe(429);
  expect(emulator.callsTo('editMessageText')).toHaveLength(0);
  // … and its next send goes once the block has passed.
  await b!.sendMessage(chat, 'from b');
  const next = sendsTo(chat).find((call) => call.params.text === 'from b')!;
  const delay = next.at - limited.at;
  expect(delay).toBeGreaterThanOrEqual(2_000);
  expect(delay).toBeLessThan(4_000);
  // Another chat was never held.
  const otherStarted = Date.now();
  await b!.sendMessage(chat + 1, 'elsewhere');
  expect(Date.now() - otherStarted).toBeLessThan(1_000);
  process.stdout.write(`[sendBudget] 429 retry_after=2 on host A; host B's next send to the chat ${delay} ms later\n`);
}

describe('on PostgreSQL (two hosts)', () => {
  let stores: [StateStore, StateStore];
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 60_000);
  beforeEach(async () => {
    stores = [
      await openStateStore({ databaseUrl: postgres!.url, dataDir: dir }),
      await openStateStore({ databaseUrl: postgres!.url, dataDir: dir }),
    ];
  });
  afterEach(async () => {
    for (const store of stores) await store.sweep('send_budget').catch(() => undefined);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('keeps any window of a group within its budget while two hosts send to it at once', async () => {
    await twoHostsKeepTheGroupBudget(stores);
  }, 60_000);

  it("holds host B's sends and edits to a chat for the retry_after of a 429 host A received", async () => {
    await a429OnOneHostHoldsTheOther(stores);
  }, 30_000);
});

describe('on SQLite (two processes of one host, one DATA_DIR)', () => {
  let stores: [StateStore, StateStore];
  beforeEach(async () => {
    stores = [await openStateStore({ dataDir: dir }), await openStateStore({ dataDir: dir })];
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it('keeps any window of a group within its budget while two senders share the file', async () => {
    await twoHostsKeepTheGroupBudget(stores);
  }, 60_000);

  it("holds the other sender's sends to a chat for the retry_after of a 429", async () => {
    await a429OnOneHostHoldsTheOther(stores);
  }, 30_000);
});
