/**
 * The send budget's arithmetic (activities/adapters/sendBudgetPlan.ts): rolling windows, the
 * per-chat interval, the group and global windows, a 429's block and a deferred slot's claim.
 */
import {
  blockChat,
  earliestInWindow,
  fitsWindow,
  planSend,
  SEND_SLACK_MS,
  type ChatBudgetState,
  type GlobalBudgetState,
  type SendLimits,
  type SendSlot,
} from '../../activities/adapters/sendBudgetPlan.js';

const LIMITS: SendLimits = {
  chatIntervalMs: 1_000,
  groupSendsPerWindow: 5,
  groupWindowMs: 60_000,
  globalSendsPerWindow: 3,
  globalWindowMs: 1_000,
};
const GROUP = -100;
const PRIVATE = 42;
const T0 = 1_700_000_000_000;

/** Reserves `count` sends to `chatId` all asked at `now`, threading the rows through; returns their times. */
function reserveMany(
  count: number,
  chatId: number,
  now: number,
  rows: { chats: Map<number, ChatBudgetState>; global?: GlobalBudgetState },
  limits = LIMITS,
): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const plan = planSend({
      chatId,
      n: 1,
      now,
      limits,
      chat: rows.chats.get(chatId),
      global: rows.global,
      maxWaitMs: Infinity,
    });
    rows.chats.set(chatId, plan.chat);
    rows.global = plan.global;
    times.push(plan.at);
  }
  return times;
}

/** The most sends any window of `windowMs` holds. */
function fullestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (const [i, start] of sorted.entries()) {
    let held = 0;
    for (let j = i; j < sorted.length && sorted[j]! - start < windowMs; j++) held++;
    most = Math.max(most, held);
  }
  return most;
}

describe('the window arithmetic', () => {
  const slots: SendSlot[] = [
    { at: 0, n: 1 },
    { at: 10_000, n: 1 },
  ];

  it('lets a send in while the window holds fewer than the limit', () => {
    expect(fitsWindow(slots, 20_000, 1, 3, 60_000)).toBe(true);
    expect(fitsWindow(slots, 20_000, 2, 3, 60_000)).toBe(false);
  });

  it('counts the windows that hold a later, already booked slot too', () => {
    // A send at 5 s shares a window ([4.001 s, 64 s]) with the slots at 10 s and at 64 s (booked ahead).
    const ahead: SendSlot[] = [
      { at: 10_000, n: 1 },
      { at: 64_000, n: 1 },
    ];
    expect(fitsWindow(ahead, 5_000, 1, 2, 60_000)).toBe(false);
    expect(fitsWindow(ahead.slice(0, 1), 5_000, 1, 2, 60_000)).toBe(true);
    expect(fitsWindow(ahead, 5_000, 1, 3, 60_000)).toBe(true);
  });

  it('finds the first time the earliest slot of a full window has left it', () => {
    expect(earliestInWindow(slots, 20_000, 1, 2, 60_000)).toBe(60_000);
    expect(earliestInWindow(slots, 20_000, 2, 2, 60_000)).toBe(70_000);
    expect(earliestInWindow([], 20_000, 1, 2, 60_000)).toBe(20_000);
  });

  it('is the per-chat interval with a limit of one', () => {
    expect(earliestInWindow([{ at: 0, n: 1 }], 300, 1, 1, 1_000)).toBe(1_000);
    // A gap between two booked sends is used when it is wide enough on both sides.
    const booked: SendSlot[] = [
      { at: 0, n: 1 },
      { at: 5_000, n: 1 },
    ];
    expect(earliestInWindow(booked, 500, 1, 1, 1_000)).toBe(1_000);
    expect(earliestInWindow(booked, 4_500, 1, 1, 1_000)).toBe(6_000);
  });
});

describe('planSend', () => {
  it('spaces the sends to one private chat by the interval and never groups them by the minute', () => {
    const times = reserveMany(10, PRIVATE, T0, { chats: new Map() }, { ...LIMITS, globalSendsPerWindow: 30 });
    expect(times.map((at) => at - T0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => s * 1_000));
  });

  it('holds any 60 s of a group to its budget (with the slack), however many sends are asked at once', () => {
    const times = reserveMany(17, GROUP, T0, { chats: new Map() });
    expect(fullestWindow(times, LIMITS.groupWindowMs + SEND_SLACK_MS)).toBe(LIMITS.groupSendsPerWindow);
    // The first five one second apart, the sixth when the first has left the window.
    expect(times.slice(0, 6).map((at) => at - T0)).toEqual([0, 1_000, 2_000, 3_000, 4_000, 60_000 + SEND_SLACK_MS]);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('counts an album as its items in the group window and as one call for the interval', () => {
    const first = planSend({
      chatId: GROUP,
      n: 4,
      now: T0,
      limits: { ...LIMITS, globalSendsPerWindow: 30 },
      chat: undefined,
      global: undefined,
      maxWaitMs: Infinity,
    });
    expect(first.at).toBe(T0);
    const second = planSend({
      chatId: GROUP,
      n: 1,
      now: T0,
      limits: { ...LIMITS, globalSendsPerWindow: 30 },
      chat: first.chat,
      global: first.global,
      maxWaitMs: Infinity,
    });
    expect(second.at).toBe(T0 + 1_000);
    const third = planSend({
      chatId: GROUP,
      n: 1,
      now: T0,
      limits: { ...LIMITS, globalSendsPerWindow: 30 },
      chat: second.chat,
      global: second.global,
      maxWaitMs: Infinity,
    });
    expect(third.at).toBe(T0 + 60_000 + SEND_SLACK_MS);
  });

  it('holds the whole bot to the global rate across chats', () => {
    const rows = { chats: new Map<number, ChatBudgetState>() } as {
      chats: Map<number, ChatBudgetState>;
      global?: GlobalBudgetState;
    };
    const times = [1, 2, 3, 4, 5, 6, 7].flatMap((chatId) => reserveMany(1, chatId, T0, rows));
    expect(times.map((at) => at - T0)).toEqual([0, 0, 0, 1_000, 1_000, 1_000, 2_000]);
    expect(fullestWindow(times, LIMITS.globalWindowMs)).toBe(LIMITS.globalSendsPerWindow);
  });

  it('a chat booked far ahead does not hold the other chats back', () => {
    const rows = { chats: new Map<number, ChatBudgetState>() } as {
      chats: Map<number, ChatBudgetState>;
      global?: GlobalBudgetState;
    };
    reserveMany(8, GROUP, T0, rows); // the last three are a minute ahead
    const [other] = reserveMany(1, PRIVATE, T0 + 5_000, rows);
    expect(other).toBe(T0 + 5_000);
  });

  it('nothing goes to a chat before a 429 block ends, and later sends keep their interval after it', () => {
    const blocked = blockChat(undefined, T0 + 7_000, T0, LIMITS);
    const first = planSend({
      chatId: PRIVATE,
      n: 1,
      now: T0 + 100,
      limits: LIMITS,
      chat: blocked,
      global: undefined,
      maxWaitMs: Infinity,
    });
    expect(first.at).toBe(T0 + 7_000);
    const second = planSend({
      chatId: PRIVATE,
      n: 1,
      now: T0 + 100,
      limits: LIMITS,
      chat: first.chat,
      global: first.global,
      maxWaitMs: Infinity,
    });
    expect(second.at).toBe(T0 + 8_000);
    // A shorter block later does not shorten the longer one; a longer one extends it.
    expect(blockChat(blocked, T0 + 3_000, T0 + 1_000, LIMITS).blockedUntil).toBe(T0 + 7_000);
    expect(blockChat(blocked, T0 + 9_000, T0 + 1_000, LIMITS).blockedUntil).toBe(T0 + 9_000);
    // Once it has passed it is forgotten.
    expect(
      planSend({
        chatId: PRIVATE,
        n: 1,
        now: T0 + 20_000,
        limits: LIMITS,
        chat: blocked,
        global: undefined,
        maxWaitMs: Infinity,
      }).chat.blockedUntil,
    ).toBeUndefined();
  });

  it('defers a send whose slot is beyond the wait, and gives the slot to its retry', () => {
    const rows = { chats: new Map<number, ChatBudgetState>() } as {
      chats: Map<number, ChatBudgetState>;
      global?: GlobalBudgetState;
    };
    reserveMany(5, GROUP, T0, rows);
    const asked = planSend({
      chatId: GROUP,
      n: 1,
      now: T0 + 5_000,
      limits: LIMITS,
      chat: rows.chats.get(GROUP),
      global: rows.global,
      key: 'wf/run/7#1',
      maxWaitMs: 4_000,
    });
    expect(asked).toMatchObject({ at: T0 + 60_000 + SEND_SLACK_MS, deferred: true });
    // Another send meanwhile goes after it, not into it.
    const other = planSend({
      chatId: GROUP,
      n: 1,
      now: T0 + 6_000,
      limits: LIMITS,
      chat: asked.chat,
      global: asked.global,
      key: 'wf/run/8#1',
      maxWaitMs: 4_000,
    });
    expect(other.at).toBe(T0 + 61_000 + SEND_SLACK_MS);
    // The retry comes back at its slot and gets it, without booking another.
    const retry = planSend({
      chatId: GROUP,
      n: 1,
      now: T0 + 60_300,
      limits: LIMITS,
      chat: other.chat,
      global: other.global,
      key: 'wf/run/7#1',
      maxWaitMs: 4_000,
    });
    expect(retry).toMatchObject({ at: T0 + 60_000 + SEND_SLACK_MS, deferred: false });
    expect(retry.chat.slots.filter((slot) => slot.key === 'wf/run/7#1')).toHaveLength(1);
    // A slot already used is not used twice: the same key asking again books anew.
    const again = planSend({
      chatId: GROUP,
      n: 1,
      now: T0 + 60_400,
      limits: LIMITS,
      chat: retry.chat,
      global: retry.global,
      key: 'wf/run/7#1',
      maxWaitMs: Infinity,
    });
    expect(again.at).toBeGreaterThan(other.at);
  });

  it('a deferred slot a 429 has since blocked is booked anew after the block', () => {
    const deferred = planSend({
      chatId: PRIVATE,
      n: 1,
      now: T0,
      limits: LIMITS,
      chat: { slots: [{ at: T0 - 500, n: 1 }] },
      global: undefined,
      key: 'k#1',
      maxWaitMs: 0,
    });
    expect(deferred).toMatchObject({ at: T0 + 500, deferred: true });
    const blocked = blockChat(deferred.chat, T0 + 10_000, T0 + 100, LIMITS);
    const retry = planSend({
      chatId: PRIVATE,
      n: 1,
      now: T0 + 600,
      limits: LIMITS,
      chat: blocked,
      global: deferred.global,
      key: 'k#1',
      maxWaitMs: 0,
    });
    expect(retry).toMatchObject({ at: T0 + 10_000, deferred: true });
    expect(retry.chat.slots.filter((slot) => slot.key === 'k#1')).toHaveLength(1);
  });

  it('without a key a send is never deferred (nothing could come back for it): it waits', () => {
    const blocked = blockChat(undefined, T0 + 30_000, T0, LIMITS);
    expect(
      planSend({ chatId: PRIVATE, n: 1, now: T0, limits: LIMITS, chat: blocked, global: undefined, maxWaitMs: 1_000 }),
    ).toMatchObject({ at: T0 + 30_000, deferred: false });
  });
});
