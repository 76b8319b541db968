import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyLivenessCheck,
  decideQuota,
  emptyQuotaState,
  holdersToCheck,
  holdersToCheckAtLimit,
  isIdle,
  nextWakeAt,
  pruneWindow,
  RECHECK_AT_LIMIT_MS,
  releaseSlot,
  type QuotaState,
} from '../shared/quotaWindow.js';
import {
  acquireQuotaUpdate,
  quotaProbeSignal,
  quotaStateQuery,
  releaseQuotaUpdate,
} from '../shared/contracts/userQuota.js';

/** A holder not seen running for this long is checked (and its slot freed when its run ended). */
const LEASE_MS = 60 * 60 * 1000;

/**
 * One user's quota as runs from before the state store kept it (new runs use the store's
 * `user_quota` table, with the same arithmetic: shared/quotaWindow.ts), kept by Temporal
 * (`user-quota-<user id>`): the requests running now and the
 * links of the last hour. Every webhook process and worker reaches the same entity, so the limits
 * hold however many of them run. Requests ask for a slot through `acquire` (Update-with-Start from
 * an activity) and give it back through `release` when they end, also when they fail or are
 * cancelled.
 *
 * A slot is a lease: a run that ended without releasing it (terminated by an operator) is found by
 * signalling it (the signal fails once the run is closed), before a request is refused at the
 * limit and in any case an hour after the holder was last seen. The entity completes once nothing
 * runs and the hour is empty, so idle users cost nothing.
 */
export async function UserQuotaWorkflow(previous?: QuotaState): Promise<void> {
  let state: QuotaState = previous ?? emptyQuotaState();
  let touched = false;

  /** Drops the holders whose runs have ended; marks the others as seen. */
  const checkHolders = async (holders: string[]) => {
    if (holders.length === 0) return;
    const results = await Promise.all(
      holders.map((holder) =>
        getExternalWorkflowHandle(holder)
          .signal(quotaProbeSignal)
          .then(
            () => ({ holder, running: true }),
            (error: unknown) => ({ holder, running: !isRunGone(error) }),
          ),
      ),
    );
    const ended = results.filter((result) => !result.running).map((result) => result.holder);
    if (ended.length > 0) log.info('freed the slots of requests that ended without releasing them', { ended });
    state = applyLivenessCheck(state, results, Date.now());
  };

  setHandler(acquireQuotaUpdate, async (ask) => {
    touched = true;
    let answer = decideQuota(state, ask, Date.now());
    if (!answer.decision.granted && answer.decision.reason === 'concurrent') {
      // Before saying no: a request terminated by an operator never released its slot.
      await checkHolders(holdersToCheckAtLimit(state, Date.now(), RECHECK_AT_LIMIT_MS));
      answer = decideQuota(state, ask, Date.now());
    }
    // Decided and applied in one step (no await in between): concurrent asks cannot both get the last slot.
    state = answer.state;
    return answer.decision;
  });

  setHandler(releaseQuotaUpdate, ({ holder }) => {
    touched = true;
    state = releaseSlot(state, holder);
  });

  setHandler(quotaStateQuery, () => state);

  for (;;) {
    state = pruneWindow(state, Date.now());
    if (isIdle(state)) {
      await condition(allHandlersFinished);
      if (isIdle(state)) return;
      continue;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof UserQuotaWorkflow>(state);
    }
    touched = false;
    const wakeAt = nextWakeAt(state, LEASE_MS) ?? Date.now() + LEASE_MS;
    const woken = await condition(
      () => touched || workflowInfo().continueAsNewSuggested,
      Math.max(1, wakeAt - Date.now()),
    );
    if (!woken) await checkHolders(holdersToCheck(state, Date.now(), LEASE_MS));
  }
}

/** The signal failed because the run is closed (or never existed), not for a passing reason. */
function isRunGone(error: unknown): boolean {
  return error instanceof ApplicationFailure && /not ?found/i.test(`${error.type ?? ''} ${error.message}`);
}
