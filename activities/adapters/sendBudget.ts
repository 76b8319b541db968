/**
 * The bot's Telegram send budget, shared by every process of every host through the state store
 * (SQLite in DATA_DIR on one host, PostgreSQL with STATE_DATABASE_URL across hosts).
 *
 * What counts: every call that creates messages in a chat ({@link MESSAGE_METHODS}); an album
 * (sendMediaGroup) counts as its item count in the group and global windows (each item is a
 * message in the chat) and as one call for the per-chat interval. Edits, deletions and reactions
 * do not take a slot, but none goes to a chat that a 429 blocked, whichever host received it.
 *
 * A send reserves its slot in one transaction over the chat's row and the bot's row; the caller
 * waits when the slot is near (`maxWaitMs`), otherwise its attempt fails with SendBudgetWait and
 * Temporal retries it when the slot comes (`nextRetryDelay`), so no activity outlives its timeout.
 * The retry claims the slot it was told to come back for (the reservation's key names the
 * activity's call). A 429 with `retry_after` blocks the chat in the shared store.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from 'grammy';
import { FailureType } from '../../shared/failures.js';
import { typedFailure } from '../failure.js';
import {
  blockChat,
  chatExpiry,
  planSend,
  type ChatBudgetState,
  type GlobalBudgetState,
  type SendLimits,
} from './sendBudgetPlan.js';
import type { NextRow, StateStore } from './stateStore.js';

/** Methods whose call creates messages in `chat_id`: each takes a slot of the budget. */
export const MESSAGE_METHODS: ReadonlySet<string> = new Set([
  'sendMessage',
  'sendPhoto',
  'sendVideo',
  'sendAudio',
  'sendDocument',
  'sendAnimation',
  'sendVoice',
  'sendVideoNote',
  'sendSticker',
  'sendMediaGroup',
  'sendLocation',
  'sendVenue',
  'sendContact',
  'sendPoll',
  'sendDice',
  'sendPaidMedia',
  'copyMessage',
  'forwardMessage',
  'copyMessages',
  'forwardMessages',
]);

/** A wait up to this long is waited inside the call; a longer one fails the attempt with SendBudgetWait. */
export const DEFAULT_MAX_SEND_WAIT_MS = 4_000;

const GLOBAL_KEY = 'global';

type BudgetRow = ChatBudgetState | GlobalBudgetState;

export interface SendReservation {
  at: number;
  deferred: boolean;
}

export interface SendBudget {
  readonly limits: SendLimits;
  /** Books the next send of `n` messages to `chatId`; `key` names the caller, so its retry finds a deferred slot. */
  reserve(chatId: number, n: number, key: string | undefined, maxWaitMs: number): Promise<SendReservation>;
  /** Until when a 429 blocks the chat (undefined: it is not blocked). */
  blockedUntil(chatId: number): Promise<number | undefined>;
  /** Telegram answered 429 for the chat: every host holds its sends until `retryAfterSeconds` have passed. */
  recordRateLimited(chatId: number, retryAfterSeconds: number): Promise<number>;
}

/**
 * `chatIdPart` names a chat in the store's keys: with payload encryption, its pseudonym (the
 * keys are stored in the clear; the values are encrypted), as every other table of the store does.
 */
export function createSendBudget(
  store: StateStore,
  limits: SendLimits,
  chatIdPart: (chatId: number) => string = String,
): SendBudget {
  const chatKey = (chatId: number) => `chat:${chatIdPart(chatId)}`;
  return {
    limits,
    async reserve(chatId, n, key, maxWaitMs) {
      return store.updateRows<BudgetRow, SendReservation>(
        'send_budget',
        [chatKey(chatId), GLOBAL_KEY],
        ([chat, global], now) => {
          const plan = planSend({
            chatId,
            n,
            now,
            limits,
            key,
            maxWaitMs,
            chat: chat as ChatBudgetState | undefined,
            global: global as GlobalBudgetState | undefined,
          });
          const globalExpiry = Math.max(now, ...plan.global.slots.map((slot) => slot.at)) + limits.globalWindowMs;
          const next: Array<NextRow<BudgetRow>> = [
            { value: plan.chat, expiresAt: chatExpiry(plan.chat, limits) },
            { value: plan.global, expiresAt: globalExpiry },
          ];
          return { next, result: { at: plan.at, deferred: plan.deferred } };
        },
      );
    },
    async blockedUntil(chatId) {
      const chat = await store.read<ChatBudgetState>('send_budget', chatKey(chatId));
      return chat?.blockedUntil !== undefined && chat.blockedUntil > Date.now() ? chat.blockedUntil : undefined;
    },
    async recordRateLimited(chatId, retryAfterSeconds) {
      return store.update<ChatBudgetState, number>('send_budget', chatKey(chatId), (current, now) => {
        const chat = blockChat(current, now + retryAfterSeconds * 1000, now, limits);
        return { next: { value: chat, expiresAt: chatExpiry(chat, limits) }, result: chat.blockedUntil! };
      });
    },
  };
}

export interface SendBudgetHookOptions {
  /** A wait longer than this fails the attempt (SendBudgetWait) instead: keep it well under the activity's timeout. */
  maxWaitMs?: number;
  /** Names the current caller (an activity attempt's call), stable across its retries; undefined: never deferred. */
  callerKey?: () => string | undefined;
  /** The store could not be reached: the call goes on unbudgeted (Telegram's own 429 remains). */
  onStoreError?: (error: unknown, method: string) => void;
}

function chatIdOf(payload: unknown): number | undefined {
  const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
  if (typeof chatId === 'number') return chatId;
  if (typeof chatId === 'string' && /^-?\d+$/.test(chatId)) return Number(chatId);
  return undefined;
}

function messageCount(method: string, payload: unknown): number {
  if (method === 'sendMediaGroup') return (payload as { media?: unknown[] }).media?.length ?? 1;
  if (method === 'copyMessages' || method === 'forwardMessages')
    return (payload as { message_ids?: unknown[] }).message_ids?.length ?? 1;
  return 1;
}

/**
 * Puts every call of `api` under the budget: message-creating calls reserve a slot (and wait for
 * it, or fail the attempt with SendBudgetWait); a call naming a blocked chat (an edit, or a send
 * whose wait a 429 overtook) is answered as Telegram would, with a 429 and the time left as
 * `retry_after`, without reaching it, so the callers' own 429 handling paces it; and any 429
 * Telegram answers is recorded for every host.
 */
export function applySendBudget(api: Api, budget: SendBudget, options: SendBudgetHookOptions = {}): Api {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_SEND_WAIT_MS;
  api.config.use(async (prev, method, payload, signal) => {
    const chatId = chatIdOf(payload);
    if (chatId === undefined) return prev(method, payload, signal);
    const blockedAnswer = async (chatId: number) => {
      const until = await guarded(() => budget.blockedUntil(chatId));
      const left = until === undefined ? 0 : until - Date.now();
      if (left <= 0) return undefined;
      // As Telegram would answer: the callers' 429 handling (retry_after) applies unchanged.
      const retryAfter = Math.ceil(left / 1000);
      return {
        ok: false as const,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter} (this chat is rate limited, learned by the send budget)`,
        parameters: { retry_after: retryAfter },
      };
    };
    const guarded = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (error) {
        options.onStoreError?.(error, method);
        return undefined;
      }
    };
    if (MESSAGE_METHODS.has(method)) {
      const key = options.callerKey?.();
      const slot = await guarded(() => budget.reserve(chatId, messageCount(method, payload), key, maxWaitMs));
      const wait = slot ? slot.at - Date.now() : 0;
      if (slot?.deferred) {
        throw typedFailure(FailureType.SendBudgetWait, `${method} waits ${wait} ms for this chat's send budget`, {
          nextRetryDelay: Math.max(1, wait),
          details: [{ waitMs: wait }],
        });
      }
      if (wait > 0) {
        await sleep(wait, undefined, signal ? { signal: signal as AbortSignal } : undefined);
        // A 429 another send received while this one waited holds it too.
        const blocked = await blockedAnswer(chatId);
        if (blocked) return blocked;
      }
    } else {
      const blocked = await blockedAnswer(chatId);
      if (blocked) return blocked;
    }
    const result = await prev(method, payload, signal);
    if (!result.ok && result.error_code === 429) {
      const retryAfter = Math.max(1, result.parameters?.retry_after ?? 1);
      await guarded(() => budget.recordRateLimited(chatId, retryAfter));
    }
    return result;
  });
  return api;
}
