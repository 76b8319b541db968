/**
 * The send budget across hosts, end to end, against any Temporal and any PostgreSQL: the webhook,
 * one telegram worker and TWO downloads worker processes (each its own DATA_DIR, like two
 * machines) started with the project's CLI, all sharing the state store at `stateDatabaseUrl`,
 * with yt-dlp downloading from a loopback media server and the Bot API emulator answering. Each
 * downloads worker talks to the emulator through its own `apiRoot` (`/via/a`, `/via/b`), so every
 * call the emulator records says which host made it.
 *
 * test/e2e/sendBudget.test.ts runs it on the dev server and a private PostgreSQL; the lead engineer
 * runs the same function against a real Temporal cluster (pass its address and namespace).
 */
import path from 'node:path';
import type { Update } from 'grammy/types';
import { MESSAGE_METHODS } from '../../../activities/adapters/sendBudget.js';
import { deliveriesByRequest, MEDIA_METHODS } from '../../faults/support/deliveries.js';
import { startCli } from '../../faults/support/processes.js';
import { startThrottledMediaServer } from '../../faults/support/throttledMediaServer.js';
import { startBotApiEmulator, type BotApiEmulator, type RecordedCall } from '../../support/botApiEmulator.js';
import { createMediaFixtures } from '../../support/mediaFixtures.js';
import {
  baseEnv,
  freePort,
  removeProcessDirs,
  sleep,
  startWorkerProcess,
  waitFor,
  type CliProcess,
} from './operations.js';

export interface SendBudgetTarget {
  temporalAddress: string;
  /** The state store every process shares (STATE_DATABASE_URL). */
  stateDatabaseUrl: string;
  /** TEMPORAL_NAMESPACE; default `default`. */
  namespace?: string;
  /** More variables for every process (TEMPORAL_TLS…, TEMPORAL_API_KEY for a cloud cluster). */
  env?: Record<string, string>;
}

/** What the scenario measured, for the test's assertions and its report. */
export interface SendBudgetFindings {
  groupBudget: number;
  /** Phase 1: the group's requests, by `<chat>:<message>`, and how many media sends each got. */
  groupDeliveries: Map<string, number>;
  groupKeys: string[];
  /** Hosts (`a`, `b`) whose media sends to the group Telegram accepted. */
  groupMediaHosts: string[];
  /** Message-creating calls to the group that reached the emulator, and the most in any 60 s. */
  groupSends: RecordedCall[];
  fullestMinute: number;
  phaseOneMs: number;
  /** Phase 2: the private chat's requests. */
  privateDeliveries: Map<string, number>;
  privateKeys: string[];
  retryAfterSeconds: number;
  /** The media send that was answered 429, and the host that made it. */
  limited: RecordedCall;
  /** The other host's first send to the chat after the 429 (undefined: it sent nothing after). */
  otherHostNext: RecordedCall | undefined;
  /** Any call naming the chat (sends, edits, deletes, from any process) that reached the emulator during the block. */
  callsDuringBlock: RecordedCall[];
}

export const GROUP_CHAT = -100_424_242;
export const PRIVATE_CHAT = 6_262;
const GROUP_BUDGET = 12;
const GROUP_LINKS = 12;
const PRIVATE_LINKS = 6;
const RETRY_AFTER_SECONDS = 6;
const SECRET = 'send-budget-secret_1';
const MINUTE_MS = 60_000;

/** Messages a call created: an album's items, else one. */
function messagesOf(call: RecordedCall): number {
  if (call.method !== 'sendMediaGroup') return 1;
  const media = call.params.media;
  return Array.isArray(media) ? media.length : 1;
}

/** The most messages in any 60 s of arrivals (two arrivals a full minute apart never share one). */
export function fullestWindow(calls: RecordedCall[], windowMs = MINUTE_MS): number {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  let most = 0;
  for (const [i, first] of sorted.entries()) {
    let held = 0;
    for (let j = i; j < sorted.length && sorted[j]!.at - first.at < windowMs; j++) held += messagesOf(sorted[j]!);
    most = Math.max(most, held);
  }
  return most;
}

const chatOf = (call: RecordedCall) => Number(call.params.chat_id);
const createsMessages = (call: RecordedCall) => MESSAGE_METHODS.has(call.method);

function linkUpdate(chatId: number, messageId: number, url: string): Update {
  const group = chatId < 0;
  const userId = group ? 31_337 : chatId;
  return {
    update_id: 90_000 + messageId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: group
        ? ({ id: chatId, type: 'supergroup', title: 'Busy group' } as never)
        : { id: chatId, type: 'private', first_name: 'Budget' },
      from: { id: userId, is_bot: false, first_name: 'Budget' },
      text: url,
      entities: [{ type: 'url', offset: 0, length: url.length }],
    },
  } as Update;
}

export async function runSendBudgetScenario(target: SendBudgetTarget): Promise<SendBudgetFindings> {
  const processes: CliProcess[] = [];
  let emulator: BotApiEmulator | undefined;
  let media: Awaited<ReturnType<typeof startThrottledMediaServer>> | undefined;
  try {
    emulator = await startBotApiEmulator();
    const fixtures = await createMediaFixtures();
    // The 3 s clip at 20 kB/s: a few seconds per download, so both hosts (one download each at a time) get work.
    media = await startThrottledMediaServer(fixtures.dir, { bytesPerSecond: 20_000 });
    const clip = path.basename(fixtures.video);
    const shared = {
      ...target.env,
      STATE_DATABASE_URL: target.stateDatabaseUrl,
      TEMPORAL_NAMESPACE: target.namespace ?? 'default',
      // Every process must agree on the budget: each applies what its own configuration says.
      TELEGRAM_GROUP_SENDS_PER_MINUTE: String(GROUP_BUDGET),
    };
    const processTarget = { temporalAddress: target.temporalAddress, emulator };
    const host = (tag: string) => ({
      temporalAddress: target.temporalAddress,
      emulator: { token: emulator!.token, apiRoot: `${emulator!.apiRoot}/via/${tag}` },
    });
    const port = await freePort();
    const started = await Promise.all([
      startWorkerProcess('budget-telegram', processTarget, { queue: 'telegram', env: shared }),
      startWorkerProcess('budget-downloads-a', host('a'), { concurrency: 1, env: shared }),
      startWorkerProcess('budget-downloads-b', host('b'), { concurrency: 1, env: shared }),
      startCli(
        'budget-webhook',
        'src/cli/bot.ts',
        [],
        {
          ...baseEnv(processTarget),
          ...shared,
          PUBLIC_URL: 'https://bot.example.test',
          TELEGRAM_WEBHOOK_SECRET: SECRET,
          PORT: String(port),
          // The workflows' policy (it travels in their input): retries within the test's time.
          TELEGRAM_RETRY_SECONDS: '1',
          DOWNLOAD_RETRY_SECONDS: '1',
        },
        { readyMessage: 'bot running' },
      ),
    ]);
    processes.push(...started);
    const logs = () => started.map((proc) => `${proc.name}:\n${proc.output().slice(-2500)}`).join('\n');

    let messageId = 1;
    const post = async (chatId: number) => {
      const update = linkUpdate(chatId, messageId++, media!.uniqueUrl(clip));
      const response = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      });
      if (response.status !== 200) throw new Error(`the webhook answered ${response.status}`);
      return `${chatId}:${update.message!.message_id}`;
    };
    const deliveredOnce = (keys: string[]) => () => {
      const deliveries = deliveriesByRequest(emulator!);
      return keys.every((key) => (deliveries.get(key) ?? 0) >= 1);
    };
    const describe = (keys: string[]) => () =>
      `deliveries ${JSON.stringify(keys.map((key) => [key, deliveriesByRequest(emulator!).get(key) ?? 0]))}\n${logs()}`;

    // Phase 1: 12 links into one group at once; status messages and media from three processes.
    const phaseOneStart = Date.now();
    const groupKeys: string[] = [];
    for (let i = 0; i < GROUP_LINKS; i++) groupKeys.push(await post(GROUP_CHAT));
    await waitFor(deliveredOnce(groupKeys), 200_000, describe(groupKeys));
    const phaseOneMs = Date.now() - phaseOneStart;
    await sleep(2_000); // late duplicates would show up now
    const groupDeliveries = new Map(
      [...deliveriesByRequest(emulator)].filter(([key]) => key.startsWith(`${GROUP_CHAT}:`)),
    );
    const groupSends = emulator.calls.filter((call) => createsMessages(call) && chatOf(call) === GROUP_CHAT);
    const groupMediaHosts = [
      ...new Set(
        emulator.calls
          .filter((call) => MEDIA_METHODS.includes(call.method) && call.status === 200 && chatOf(call) === GROUP_CHAT)
          .map((call) => call.via ?? 'none'),
      ),
    ].sort();

    // Phase 2: the first media send to a private chat, from whichever host, is answered 429.
    emulator.failNextWhere(
      (call) => MEDIA_METHODS.includes(call.method) && chatOf(call) === PRIVATE_CHAT && call.via !== undefined,
      {
        error_code: 429,
        description: `Too Many Requests: retry after ${RETRY_AFTER_SECONDS}`,
        parameters: { retry_after: RETRY_AFTER_SECONDS },
      },
    );
    const privateKeys: string[] = [];
    for (let i = 0; i < PRIVATE_LINKS; i++) privateKeys.push(await post(PRIVATE_CHAT));
    await waitFor(deliveredOnce(privateKeys), 90_000, describe(privateKeys));
    await sleep(2_000);
    const privateDeliveries = new Map(
      [...deliveriesByRequest(emulator)].filter(([key]) => key.startsWith(`${PRIVATE_CHAT}:`)),
    );
    const limited = emulator.calls.find((call) => call.status === 429 && chatOf(call) === PRIVATE_CHAT);
    if (!limited) throw new Error(`no media send to ${PRIVATE_CHAT} was answered 429\n${logs()}`);
    const other = limited.via === 'a' ? 'b' : 'a';
    const otherHostNext = emulator.calls.find(
      (call) => call.via === other && chatOf(call) === PRIVATE_CHAT && createsMessages(call) && call.at > limited.at,
    );
    const callsDuringBlock = emulator.calls.filter(
      (call) =>
        call !== limited &&
        chatOf(call) === PRIVATE_CHAT &&
        call.at > limited.at &&
        call.at < limited.at + RETRY_AFTER_SECONDS * 1000,
    );
    return {
      groupBudget: GROUP_BUDGET,
      groupDeliveries,
      groupKeys,
      groupMediaHosts,
      groupSends,
      fullestMinute: fullestWindow(groupSends),
      phaseOneMs,
      privateDeliveries,
      privateKeys,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      limited,
      otherHostNext,
      callsDuringBlock,
    };
  } finally {
    await Promise.all(processes.map((proc) => proc.stop(10_000)));
    await Promise.all([emulator?.close(), media?.close()]);
    await removeProcessDirs();
  }
}
