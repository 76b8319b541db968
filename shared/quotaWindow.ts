/**
 * The arithmetic of the per-user quotas, kept pure (no Temporal API, no clock: `now` is passed
 * in) so that UserQuotaWorkflow stays short and this part is unit-tested on its own.
 *
 * Two limits per user:
 * - **running at once**: one slot per request (a message, whatever its number of links: its links
 *   are handled one after the other, so a message never downloads two things at once);
 * - **links per hour**, over a sliding hour: each link of a granted request counts once (a link is
 *   what costs a download and an upload, and a message may carry up to 10). A request is admitted
 *   while the user is under the limit, with all its links: a big message may overshoot by a few,
 *   and the user then waits longer. It never starves a message with more links than the limit.
 *
 * Refused requests count nothing. Asking twice for the same holder (an activity retried after its
 * answer was lost) is granted again without counting twice.
 */

/** The sliding window of the hourly limit. */
export const QUOTA_WINDOW_MS = 60 * 60 * 1000;

/** At the limit, a holder checked less than this long ago is not checked again. */
export const RECHECK_AT_LIMIT_MS = 30 * 1000;

export interface QuotaLimits {
  /** Requests one user may have running at once; 0: no limit. */
  concurrentRequests: number;
  /** Links one user may send in any hour; 0: no limit. */
  requestsPerHour: number;
}

/** A request that holds a slot: its workflow id, since when, and when it was last seen running. */
export interface RunningRequest {
  holder: string;
  since: number;
  /** Last time the entity checked that the run still exists (absent: never checked). */
  checkedAt?: number;
}

/** A granted request within the last hour, weighted by its links. */
export interface RecentRequest {
  holder: string;
  at: number;
  links: number;
}

export interface QuotaState {
  running: RunningRequest[];
  recent: RecentRequest[];
}

export interface QuotaAsk {
  /** The request's workflow id. */
  holder: string;
  /** Links of the request (1 to 10). */
  links: number;
  limits: QuotaLimits;
}

export type QuotaRefusal =
  | { granted: false; reason: 'concurrent'; running: number; limit: number }
  | { granted: false; reason: 'hourly'; sent: number; limit: number; retryAfterMs: number };

export type QuotaDecision = { granted: true } | QuotaRefusal;

export function emptyQuotaState(): QuotaState {
  return { running: [], recent: [] };
}

/** Forgets the requests that left the hour. */
export function pruneWindow(state: QuotaState, now: number): QuotaState {
  return { ...state, recent: state.recent.filter((start) => now - start.at < QUOTA_WINDOW_MS) };
}

/** Links counted in the last hour. */
export function linksInWindow(state: QuotaState, now: number): number {
  return pruneWindow(state, now).recent.reduce((sum, start) => sum + start.links, 0);
}

/**
 * Grants a slot (and counts the request's links) or says why not. The hourly limit is checked
 * first: when it is reached, a finished download would not help, and its refusal says when to
 * come back.
 */
export function decideQuota(
  previous: QuotaState,
  ask: QuotaAsk,
  now: number,
): { decision: QuotaDecision; state: QuotaState } {
  const state = pruneWindow(previous, now);
  if (state.running.some((running) => running.holder === ask.holder)) return { decision: { granted: true }, state };

  const { concurrentRequests, requestsPerHour } = ask.limits;
  const sent = state.recent.reduce((sum, start) => sum + start.links, 0);
  if (requestsPerHour > 0 && sent >= requestsPerHour) {
    return {
      decision: {
        granted: false,
        reason: 'hourly',
        sent,
        limit: requestsPerHour,
        retryAfterMs: hourlyRetryAfterMs(state, requestsPerHour, now),
      },
      state,
    };
  }
  if (concurrentRequests > 0 && state.running.length >= concurrentRequests) {
    return {
      decision: { granted: false, reason: 'concurrent', running: state.running.length, limit: concurrentRequests },
      state,
    };
  }
  return {
    decision: { granted: true },
    state: {
      running: [...state.running, { holder: ask.holder, since: now }],
      recent: [...state.recent, { holder: ask.holder, at: now, links: Math.max(1, ask.links) }],
    },
  };
}

/**
 * How long until the links of the last hour drop below `limit`: the oldest requests leave the
 * window one after the other, an hour after they were granted.
 */
export function hourlyRetryAfterMs(state: QuotaState, limit: number, now: number): number {
  const recent = [...state.recent].sort((a, b) => a.at - b.at);
  let remaining = recent.reduce((sum, start) => sum + start.links, 0);
  for (const start of recent) {
    remaining -= start.links;
    if (remaining < limit) return Math.max(0, start.at + QUOTA_WINDOW_MS - now);
  }
  return 0;
}

/** Frees the holder's slot; its links stay counted for the rest of the hour. */
export function releaseSlot(state: QuotaState, holder: string): QuotaState {
  return { ...state, running: state.running.filter((running) => running.holder !== holder) };
}

/**
 * Applies the answer of a liveness check: holders whose run has ended lose their slot (a run that
 * was terminated never released it), the others are marked as seen now.
 */
export function applyLivenessCheck(
  state: QuotaState,
  results: ReadonlyArray<{ holder: string; running: boolean }>,
  now: number,
): QuotaState {
  const ended = new Set(results.filter((result) => !result.running).map((result) => result.holder));
  const seen = new Set(results.filter((result) => result.running).map((result) => result.holder));
  return {
    ...state,
    running: state.running
      .filter((running) => !ended.has(running.holder))
      .map((running) => (seen.has(running.holder) ? { ...running, checkedAt: now } : running)),
  };
}

/** Holders not checked for `olderThanMs` (counted from when they were granted if never checked). */
export function holdersToCheck(state: QuotaState, now: number, olderThanMs: number): string[] {
  return state.running
    .filter((running) => now - (running.checkedAt ?? running.since) >= olderThanMs)
    .map((running) => running.holder);
}

/**
 * Holders to check before refusing a request at the concurrent limit: those never checked, and
 * those not checked for `minIntervalMs` (so a user sending link after link at the limit does not
 * make the entity signal the same runs over and over).
 */
export function holdersToCheckAtLimit(state: QuotaState, now: number, minIntervalMs: number): string[] {
  return state.running
    .filter((running) => running.checkedAt === undefined || now - running.checkedAt >= minIntervalMs)
    .map((running) => running.holder);
}

/** Nothing running and nothing in the window: the entity may end. */
export function isIdle(state: QuotaState): boolean {
  return state.running.length === 0 && state.recent.length === 0;
}

/**
 * When the entity must look again on its own: the oldest request leaving the window, or the
 * oldest slot's lease running out (then it checks that the holder still runs). Undefined when idle.
 */
export function nextWakeAt(state: QuotaState, leaseMs: number): number | undefined {
  const times = [
    ...state.recent.map((start) => start.at + QUOTA_WINDOW_MS),
    ...state.running.map((running) => (running.checkedAt ?? running.since) + leaseMs),
  ];
  return times.length === 0 ? undefined : Math.min(...times);
}
