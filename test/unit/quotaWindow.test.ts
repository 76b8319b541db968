import {
  applyLivenessCheck,
  decideQuota,
  emptyQuotaState,
  holdersToCheck,
  holdersToCheckAtLimit,
  hourlyRetryAfterMs,
  isIdle,
  linksInWindow,
  nextWakeAt,
  pruneWindow,
  QUOTA_WINDOW_MS,
  releaseSlot,
  type QuotaDecision,
  type QuotaLimits,
  type QuotaState,
} from '../../shared/quotaWindow.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 27, 19, 0, 0);
const LIMITS: QuotaLimits = { concurrentRequests: 2, requestsPerHour: 4 };

/** Asks for `holder` at `at` and returns the decision and the state after it. */
function ask(
  state: QuotaState,
  holder: string,
  at: number,
  links = 1,
  limits = LIMITS,
): { decision: QuotaDecision; state: QuotaState } {
  return decideQuota(state, { holder, links, limits }, at);
}

/** Grants, in order, each holder at its time (fails the test when one is refused). */
function granted(asks: Array<[holder: string, at: number, links?: number]>, limits = LIMITS): QuotaState {
  let state = emptyQuotaState();
  for (const [holder, at, links] of asks) {
    const answer = ask(state, holder, at, links, limits);
    expect({ holder, decision: answer.decision }).toEqual({ holder, decision: { granted: true } });
    state = answer.state;
  }
  return state;
}

/** The same, each request finishing (releasing its slot) before the next one. */
function grantedOneAfterTheOther(
  asks: Array<[holder: string, at: number, links?: number]>,
  limits = LIMITS,
): QuotaState {
  let state = emptyQuotaState();
  for (const [holder, at, links] of asks) {
    const answer = ask(state, holder, at, links, limits);
    expect({ holder, decision: answer.decision }).toEqual({ holder, decision: { granted: true } });
    state = releaseSlot(answer.state, holder);
  }
  return state;
}

describe('the concurrent limit', () => {
  it('refuses the (N+1)th request while N run, naming the limit', () => {
    // Tried: N = 2 requests granted, a third one asked while both still hold their slot.
    const state = granted([
      ['a', T0],
      ['b', T0 + 1],
    ]);
    expect(ask(state, 'c', T0 + 2).decision).toEqual({ granted: false, reason: 'concurrent', running: 2, limit: 2 });
  });

  it('grants again once one of them released its slot', () => {
    // Tried: two running, one releases, a third asks.
    const state = releaseSlot(
      granted([
        ['a', T0],
        ['b', T0 + 1],
      ]),
      'a',
    );
    expect(ask(state, 'c', T0 + 2).decision).toEqual({ granted: true });
  });

  it('does not count a refused request', () => {
    // Tried: a refused ask leaves the running list and the hour as they were.
    const state = granted([
      ['a', T0],
      ['b', T0 + 1],
    ]);
    expect(ask(state, 'c', T0 + 2).state).toEqual(state);
  });

  it('counts a message of several links as one running request', () => {
    // Tried: two messages of 1 link with concurrentRequests 3; the running list holds 2 entries whatever their links.
    const state = granted(
      [
        ['a', T0, 1],
        ['b', T0, 1],
      ],
      { concurrentRequests: 3, requestsPerHour: 0 },
    );
    expect(ask(state, 'c', T0, 10, { concurrentRequests: 3, requestsPerHour: 0 }).state.running).toHaveLength(3);
  });

  it('has no limit at 0', () => {
    // Tried: 50 requests at once with concurrentRequests 0.
    const limits = { concurrentRequests: 0, requestsPerHour: 0 };
    const state = granted(
      Array.from({ length: 50 }, (_, i) => [`r${i}`, T0] as [string, number]),
      limits,
    );
    expect(state.running).toHaveLength(50);
  });
});

describe('the same holder asking twice', () => {
  it('is granted again without taking a second slot or counting its links twice', () => {
    // Tried: an activity retried after its first answer was lost asks again for the same workflow id.
    const once = granted([['a', T0, 3]]);
    const twice = ask(once, 'a', T0 + 5);
    expect(twice.decision).toEqual({ granted: true });
    expect(twice.state.running).toHaveLength(1);
    expect(linksInWindow(twice.state, T0 + 5)).toBe(3);
  });

  it('is granted even at the limit (it already holds its slot)', () => {
    // Tried: both slots taken, one of the holders asks again.
    const state = granted([
      ['a', T0],
      ['b', T0],
    ]);
    expect(ask(state, 'b', T0 + 1).decision).toEqual({ granted: true });
  });
});

describe('the hourly limit', () => {
  it('refuses the (M+1)th link in the hour and says when the oldest leaves the window', () => {
    // Tried: M = 4 single-link requests 10 minutes apart (each finished), then a fifth at T0 + 40 min.
    const state = grantedOneAfterTheOther([
      ['a', T0],
      ['b', T0 + 10 * MINUTE],
      ['c', T0 + 20 * MINUTE],
      ['d', T0 + 30 * MINUTE],
    ]);
    expect(ask(state, 'e', T0 + 40 * MINUTE).decision).toEqual({
      granted: false,
      reason: 'hourly',
      sent: 4,
      limit: 4,
      retryAfterMs: 20 * MINUTE,
    });
  });

  it('grants again once the oldest request is an hour old', () => {
    // Tried: the same four, asked again exactly one hour after the first.
    const state = grantedOneAfterTheOther([
      ['a', T0],
      ['b', T0 + 10 * MINUTE],
      ['c', T0 + 20 * MINUTE],
      ['d', T0 + 30 * MINUTE],
    ]);
    expect(ask(state, 'e', T0 + QUOTA_WINDOW_MS).decision).toEqual({ granted: true });
  });

  it('is checked before the concurrent limit: its refusal says when to come back', () => {
    // Tried: both limits reached at once.
    const state = granted([
      ['a', T0, 2],
      ['b', T0 + MINUTE, 2],
    ]);
    expect(ask(state, 'c', T0 + 2 * MINUTE).decision).toMatchObject({ granted: false, reason: 'hourly' });
  });

  it('counts every link of a message, and admits a message with more links than are left', () => {
    // Tried: limit 4; a message of 3 links, then one of 3 (1 left: admitted, the user is now over), then one more.
    const limits = { concurrentRequests: 0, requestsPerHour: 4 };
    const state = granted(
      [
        ['a', T0, 3],
        ['b', T0 + MINUTE, 3],
      ],
      limits,
    );
    expect(linksInWindow(state, T0 + MINUTE)).toBe(6);
    const refused = ask(state, 'c', T0 + 2 * MINUTE, 1, limits).decision;
    // 6 links: the 3 of the first message leave at T0 + 60 min, leaving 3 < 4.
    expect(refused).toEqual({ granted: false, reason: 'hourly', sent: 6, limit: 4, retryAfterMs: 58 * MINUTE });
  });

  it('admits a message with more links than the hourly limit when the hour is empty', () => {
    // Tried: limit 4, a first message of 10 links.
    expect(ask(emptyQuotaState(), 'a', T0, 10, { concurrentRequests: 1, requestsPerHour: 4 }).decision).toEqual({
      granted: true,
    });
  });

  it('has no limit at 0', () => {
    // Tried: 200 links in a minute with requestsPerHour 0.
    const limits = { concurrentRequests: 0, requestsPerHour: 0 };
    const state = granted(
      Array.from({ length: 200 }, (_, i) => [`r${i}`, T0 + i] as [string, number]),
      limits,
    );
    expect(linksInWindow(state, T0 + 200)).toBe(200);
  });
});

describe('hourlyRetryAfterMs', () => {
  it('waits for as many old requests to leave as it takes to get under the limit', () => {
    // Tried: 1 + 1 + 5 links, limit 4: the first two leaving leaves 5, still not under: the third must leave.
    const state: QuotaState = {
      running: [],
      recent: [
        { holder: 'c', at: T0 + 20 * MINUTE, links: 5 },
        { holder: 'a', at: T0, links: 1 },
        { holder: 'b', at: T0 + 10 * MINUTE, links: 1 },
      ],
    };
    expect(hourlyRetryAfterMs(state, 4, T0 + 30 * MINUTE)).toBe(50 * MINUTE);
  });

  it('is never negative', () => {
    // Tried: asked after the entry should already have left (a stale state not yet pruned).
    const state: QuotaState = { running: [], recent: [{ holder: 'a', at: T0, links: 5 }] };
    expect(hourlyRetryAfterMs(state, 4, T0 + 2 * QUOTA_WINDOW_MS)).toBe(0);
  });
});

describe('the window and the entity’s life', () => {
  it('forgets requests older than an hour', () => {
    // Tried: entries at T0 and T0 + 30 min, pruned at T0 + 61 min.
    const state: QuotaState = {
      running: [],
      recent: [
        { holder: 'a', at: T0, links: 1 },
        { holder: 'b', at: T0 + 30 * MINUTE, links: 1 },
      ],
    };
    expect(pruneWindow(state, T0 + 61 * MINUTE).recent.map((start) => start.holder)).toEqual(['b']);
  });

  it('is idle only with nothing running and nothing in the hour', () => {
    // Tried: a granted request, released, then an hour later.
    const state = releaseSlot(granted([['a', T0]]), 'a');
    expect(isIdle(state)).toBe(false);
    expect(isIdle(pruneWindow(state, T0 + QUOTA_WINDOW_MS))).toBe(true);
  });

  it('wakes when the oldest request leaves the hour or the oldest lease runs out', () => {
    // Tried: a request granted at T0 (window ends T0 + 60 min) with a 30-minute lease.
    const state = granted([['a', T0]]);
    expect(nextWakeAt(state, 30 * MINUTE)).toBe(T0 + 30 * MINUTE);
    expect(nextWakeAt(releaseSlot(state, 'a'), 30 * MINUTE)).toBe(T0 + QUOTA_WINDOW_MS);
    expect(nextWakeAt(emptyQuotaState(), 30 * MINUTE)).toBeUndefined();
  });
});

describe('leases', () => {
  it('frees the slots of runs that ended without releasing them and marks the others as seen', () => {
    // Tried: two holders; the check found 'a' ended (terminated) and 'b' running.
    const state = granted([
      ['a', T0],
      ['b', T0],
    ]);
    const checked = applyLivenessCheck(
      state,
      [
        { holder: 'a', running: false },
        { holder: 'b', running: true },
      ],
      T0 + MINUTE,
    );
    expect(checked.running).toEqual([{ holder: 'b', since: T0, checkedAt: T0 + MINUTE }]);
    // Its links stay counted for the hour.
    expect(linksInWindow(checked, T0 + MINUTE)).toBe(2);
    expect(ask(checked, 'c', T0 + MINUTE).decision).toEqual({ granted: true });
  });

  it('checks a holder once its lease ran out since it was granted or last seen', () => {
    // Tried: 'a' granted at T0, 'b' granted at T0 and seen at T0 + 50 min; lease 60 min, asked at T0 + 60 min.
    const state = applyLivenessCheck(
      granted([
        ['a', T0],
        ['b', T0],
      ]),
      [{ holder: 'b', running: true }],
      T0 + 50 * MINUTE,
    );
    expect(holdersToCheck(state, T0 + 60 * MINUTE, 60 * MINUTE)).toEqual(['a']);
  });

  it('at the limit, checks holders never checked and those not checked recently', () => {
    // Tried: 'a' never checked, 'b' checked 10 s ago, 'c' checked 40 s ago; minimum interval 30 s.
    let state = granted(
      [
        ['a', T0],
        ['b', T0],
        ['c', T0],
      ],
      { concurrentRequests: 3, requestsPerHour: 0 },
    );
    state = applyLivenessCheck(state, [{ holder: 'c', running: true }], T0);
    state = applyLivenessCheck(state, [{ holder: 'b', running: true }], T0 + 30_000);
    expect(holdersToCheckAtLimit(state, T0 + 40_000, 30_000)).toEqual(['a', 'c']);
  });
});
