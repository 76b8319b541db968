import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  claimEntry,
  completeEntry,
  evictEntry,
  releaseEntry,
  type MediaCacheState,
} from '../shared/mediaCacheState.js';
import type { CachedMedia } from '../shared/activityTypes.js';
import {
  cacheStateQuery,
  claimUpdate,
  completeUpdate,
  evictUpdate,
  mediaSettledSignal,
  releaseUpdate,
  retireCacheSignal,
} from '../shared/contracts/mediaCache.js';

/** An entry nobody asked for in this long is dropped (its workflow completes). */
const IDLE_EXPIRY = '30 days';

/**
 * One media (one normalized link + mode + quality + limit + bot) and what Telegram knows of it,
 * as runs from before the state store kept it (new runs use the store, with the same rules:
 * shared/mediaCacheState.ts). Its workflow id is a full SHA-256 of that key, so two different
 * media can never share an entry: a cache hit is the very same request made before. Entries end
 * after 30 days unused, or when the store has taken their media over (`retire`).
 */
export async function MediaCacheWorkflow(previous?: MediaCacheState): Promise<void> {
  const state: MediaCacheState = previous ?? { waiters: [] };
  let touched = false;

  let retired = false;

  const settleWaiters = async (waiters: string[] | undefined, media?: CachedMedia) => {
    for (const waiter of waiters ?? []) {
      // A waiter that ended meanwhile cannot be signalled; that is fine.
      await getExternalWorkflowHandle(waiter)
        .signal(mediaSettledSignal, { cacheId: workflowInfo().workflowId, media })
        .catch((error: unknown) => log.info('waiter gone', { waiter, error: String(error) }));
    }
  };

  setHandler(claimUpdate, ({ holder }) => {
    touched = true;
    return claimEntry(state, holder, Date.now());
  });

  setHandler(completeUpdate, async ({ holder, media }) => {
    touched = true;
    await settleWaiters(completeEntry(state, holder, media), media);
  });

  setHandler(releaseUpdate, async ({ holder }) => {
    touched = true;
    await settleWaiters(releaseEntry(state, holder));
  });

  setHandler(evictUpdate, ({ fileId }) => {
    touched = true;
    return evictEntry(state, fileId);
  });

  setHandler(retireCacheSignal, () => {
    retired = true;
  });

  setHandler(cacheStateQuery, () => state);

  for (;;) {
    touched = false;
    const active = await condition(() => touched || retired || workflowInfo().continueAsNewSuggested, IDLE_EXPIRY);
    if ((!active || retired) && !state.lease && state.waiters.length === 0) {
      await condition(allHandlersFinished);
      return;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof MediaCacheWorkflow>(state);
    }
  }
}
