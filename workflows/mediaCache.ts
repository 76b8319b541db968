import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CachedMedia } from './types.js';

/**
 * One media (one normalized link + mode + quality + limit + bot) and what Telegram knows of it.
 * Its workflow id is a full SHA-256 of that key, so two different media can never share an
 * entry: a cache hit is the very same request made before.
 *
 * It also makes concurrent requests for the same media download once: the first claim gets a
 * lease and downloads; later claims wait and are signalled the file_ids (or that the lease is
 * free again, when the download failed).
 */
export interface MediaCacheState {
  media?: CachedMedia;
  lease?: { holder: string; since: number };
  waiters: string[];
}

export const claimUpdate = defineUpdate<{ status: 'cached'; media: CachedMedia } | { status: 'lease' } | { status: 'wait' }, [{ holder: string }]>('claim');
export const completeUpdate = defineUpdate<void, [{ holder: string; media: CachedMedia }]>('complete');
export const releaseUpdate = defineUpdate<void, [{ holder: string }]>('release');
export const evictUpdate = defineUpdate<boolean, [{ fileId: string }]>('evict');
export const cacheStateQuery = defineQuery<MediaCacheState>('state');

/** Sent to waiting requests: the media is there (`media`), or the lease is free (`media` absent). */
export const mediaSettledSignal = defineSignal<[{ cacheId: string; media?: CachedMedia }]>('mediaSettled');

/** A download that holds the lease longer than this is presumed dead; the next claim takes over. */
const LEASE_TTL_MS = 15 * 60 * 1000;
/** An entry nobody asked for in this long is dropped (its workflow completes). */
const IDLE_EXPIRY = '30 days';

export async function MediaCacheWorkflow(previous?: MediaCacheState): Promise<void> {
  const state: MediaCacheState = previous ?? { waiters: [] };
  let touched = false;

  const settleWaiters = async (media?: CachedMedia) => {
    const waiters = state.waiters.splice(0);
    for (const waiter of waiters) {
      // A waiter that ended meanwhile cannot be signalled; that is fine.
      await getExternalWorkflowHandle(waiter)
        .signal(mediaSettledSignal, { cacheId: workflowInfo().workflowId, media })
        .catch((error: unknown) => log.info('waiter gone', { waiter, error: String(error) }));
    }
  };

  setHandler(claimUpdate, ({ holder }) => {
    touched = true;
    if (state.media) return { status: 'cached', media: state.media };
    const lease = state.lease;
    if (!lease || lease.holder === holder || Date.now() - lease.since > LEASE_TTL_MS) {
      state.lease = { holder, since: Date.now() };
      return { status: 'lease' };
    }
    if (!state.waiters.includes(holder)) state.waiters.push(holder);
    return { status: 'wait' };
  });

  setHandler(completeUpdate, async ({ holder, media }) => {
    touched = true;
    if (state.lease?.holder !== holder && state.lease) return;
    state.media = media;
    state.lease = undefined;
    await settleWaiters(media);
  });

  setHandler(releaseUpdate, async ({ holder }) => {
    touched = true;
    if (state.lease?.holder !== holder) return;
    state.lease = undefined;
    await settleWaiters();
  });

  setHandler(evictUpdate, ({ fileId }) => {
    touched = true;
    if (!state.media?.files.some((file) => file.fileId === fileId)) return false;
    state.media = undefined;
    return true;
  });

  setHandler(cacheStateQuery, () => state);

  for (;;) {
    touched = false;
    const active = await condition(() => touched || workflowInfo().continueAsNewSuggested, IDLE_EXPIRY);
    if (!active && !state.lease && state.waiters.length === 0) return;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof MediaCacheWorkflow>(state);
    }
  }
}
