/**
 * The arithmetic of the bot's Telegram send budget (activities/adapters/sendBudget.ts), pure: from
 * the reservations already made (past and booked ahead), when may the next message go.
 *
 * Telegram allows a bot about 30 messages a second overall, about one a second per chat and 20 a
 * minute per group. Each scope is a rolling window: at most `limit` messages in any `windowMs`
 * (two reservations `windowMs` apart or more never share a window). The per-chat interval is the
 * window with a limit of one call.
 */

/** One reservation: `n` messages (an album's items) going out at `at` (ms since the epoch). */
export interface SendSlot {
  at: number;
  n: number;
  /** Who reserved (an activity's call), so its retry finds the slot it was told to come back for. */
  key?: string;
  /** The caller did not wait for it (too far ahead): its retry claims it. */
  deferred?: boolean;
}

/** A chat's row: its reservations and, after a 429, when Telegram lets it send again. */
export interface ChatBudgetState {
  slots: SendSlot[];
  blockedUntil?: number;
}

/** The bot's row: every chat's reservations of the last second and ahead. */
export interface GlobalBudgetState {
  slots: SendSlot[];
}

export interface SendLimits {
  /** Least time between two messages to one chat (TELEGRAM_CHAT_SEND_INTERVAL_MS). */
  chatIntervalMs: number;
  /** Messages to one group (chat id < 0) in any `groupWindowMs` (TELEGRAM_GROUP_SENDS_PER_MINUTE). */
  groupSendsPerWindow: number;
  groupWindowMs: number;
  /** Messages of the whole bot in any `globalWindowMs` (TELEGRAM_SENDS_PER_SECOND). */
  globalSendsPerWindow: number;
  globalWindowMs: number;
}

/** A send reaches Telegram a little after its reserved time: the group window is counted this much wider. */
export const SEND_SLACK_MS = 250;

export function defaultSendLimits(
  overrides: Partial<Pick<SendLimits, 'chatIntervalMs' | 'groupSendsPerWindow' | 'globalSendsPerWindow'>> = {},
): SendLimits {
  return {
    chatIntervalMs: overrides.chatIntervalMs ?? 1_000,
    groupSendsPerWindow: overrides.groupSendsPerWindow ?? 20,
    groupWindowMs: 60_000,
    globalSendsPerWindow: overrides.globalSendsPerWindow ?? 30,
    globalWindowMs: 1_000,
  };
}

/** Whether `n` more messages at `at` keep every `windowMs` window holding `at` at `limit` or fewer. */
export function fitsWindow(
  slots: readonly SendSlot[],
  at: number,
  n: number,
  limit: number,
  windowMs: number,
): boolean {
  // The windows holding `at` are [s, s + windowMs - 1] for s in [at - windowMs + 1, at]; the
  // fullest is the first one, or one whose right edge just took in a later slot.
  const starts = [at - windowMs + 1];
  for (const slot of slots) if (slot.at > at && slot.at <= at + windowMs - 1) starts.push(slot.at - windowMs + 1);
  for (const start of starts) {
    let held = n;
    for (const slot of slots) if (slot.at >= start && slot.at <= start + windowMs - 1) held += slot.n;
    if (held > limit) return false;
  }
  return true;
}

/**
 * The earliest time at or after `from` when `n` more messages fit the window. A time that does
 * not fit becomes one when the earliest slot of a full window leaves it (`slot.at + windowMs`),
 * so those are the only candidates.
 */
export function earliestInWindow(
  slots: readonly SendSlot[],
  from: number,
  n: number,
  limit: number,
  windowMs: number,
): number {
  const want = Math.min(n, limit);
  const candidates = [from, ...slots.map((slot) => slot.at + windowMs).filter((at) => at > from)].sort((a, b) => a - b);
  for (const candidate of candidates) if (fitsWindow(slots, candidate, want, limit, windowMs)) return candidate;
  return candidates.at(-1)!;
}

export interface PlanInput {
  chatId: number;
  /** Messages this call creates (an album's items). */
  n: number;
  now: number;
  limits: SendLimits;
  chat: ChatBudgetState | undefined;
  global: GlobalBudgetState | undefined;
  key?: string;
  /** A wait longer than this is not waited: the slot is booked and the caller comes back for it. */
  maxWaitMs: number;
}

export interface SendPlan {
  /** When the message may go. */
  at: number;
  /** True when `at - now` is more than the caller waits: fail the attempt, retry at `at`. */
  deferred: boolean;
  chat: ChatBudgetState;
  global: GlobalBudgetState;
}

const isGroup = (chatId: number) => chatId < 0;

/** What is worth keeping of a chat's row at `now`: whatever can still share a window with a later send. */
export function pruneChat(state: ChatBudgetState | undefined, now: number, limits: SendLimits): ChatBudgetState {
  const keep = Math.max(limits.chatIntervalMs, limits.groupWindowMs + SEND_SLACK_MS);
  const slots = (state?.slots ?? []).filter((slot) => slot.at > now - keep);
  const blockedUntil = state?.blockedUntil !== undefined && state.blockedUntil > now ? state.blockedUntil : undefined;
  return blockedUntil === undefined ? { slots } : { slots, blockedUntil };
}

function pruneGlobal(state: GlobalBudgetState | undefined, now: number, limits: SendLimits): GlobalBudgetState {
  return { slots: (state?.slots ?? []).filter((slot) => slot.at > now - limits.globalWindowMs) };
}

/** When the chat's next call may go: after its block, the chat interval, the group and the global windows. */
function earliestSlot(chat: ChatBudgetState, global: GlobalBudgetState, input: PlanInput, n: number): number {
  const { limits } = input;
  const calls = chat.slots.map((slot) => ({ at: slot.at, n: 1 }));
  let at = Math.max(input.now, chat.blockedUntil ?? -Infinity);
  for (;;) {
    let next = earliestInWindow(calls, at, 1, 1, limits.chatIntervalMs);
    if (isGroup(input.chatId))
      next = earliestInWindow(chat.slots, next, n, limits.groupSendsPerWindow, limits.groupWindowMs + SEND_SLACK_MS);
    next = earliestInWindow(global.slots, next, n, limits.globalSendsPerWindow, limits.globalWindowMs);
    if (next === at) return at;
    at = next;
  }
}

/**
 * Reserves the next send to `chatId`: the earliest time every scope allows, booked in the chat's
 * and the bot's rows (so the next reservation, from any host, comes after it). A call that comes
 * back (`key`) for a slot it was told to wait for gets that slot, unless a 429 has blocked the
 * chat beyond it since: then it books anew.
 */
export function planSend(input: PlanInput): SendPlan {
  const { now, limits } = input;
  const chat = pruneChat(input.chat, now, limits);
  const global = pruneGlobal(input.global, now, limits);
  const n = Math.max(
    1,
    Math.min(input.n, limits.globalSendsPerWindow, isGroup(input.chatId) ? limits.groupSendsPerWindow : Infinity),
  );
  if (input.key !== undefined) {
    const booked = chat.slots.find((slot) => slot.key === input.key && slot.deferred);
    if (booked && booked.at >= (chat.blockedUntil ?? -Infinity)) {
      booked.deferred = false;
      return { at: booked.at, deferred: false, chat, global };
    }
    if (booked) {
      chat.slots = chat.slots.filter((slot) => slot !== booked);
      const globalIndex = global.slots.findIndex((slot) => slot.at === booked.at && slot.n === booked.n);
      if (globalIndex >= 0) global.slots.splice(globalIndex, 1);
    }
  }
  const at = earliestSlot(chat, global, input, n);
  const deferred = input.key !== undefined && at - now > input.maxWaitMs;
  chat.slots.push({ at, n, ...(input.key === undefined ? {} : { key: input.key }), ...(deferred ? { deferred } : {}) });
  global.slots.push({ at, n });
  return { at, deferred, chat, global };
}

/** A 429 for the chat: nothing goes to it before `until` (the later of two blocks wins). */
export function blockChat(
  state: ChatBudgetState | undefined,
  until: number,
  now: number,
  limits: SendLimits,
): ChatBudgetState {
  const chat = pruneChat(state, now, limits);
  return { ...chat, blockedUntil: Math.max(chat.blockedUntil ?? -Infinity, until) };
}

/** How long a chat's row must live: until its last slot and its block no longer matter. */
export function chatExpiry(state: ChatBudgetState, limits: SendLimits): number {
  const lastSlot = Math.max(-Infinity, ...state.slots.map((slot) => slot.at));
  const keep = Math.max(limits.chatIntervalMs, limits.groupWindowMs + SEND_SLACK_MS);
  return Math.max(lastSlot + keep, state.blockedUntil ?? -Infinity);
}
