/**
 * MediaCacheWorkflow as other processes address it: the entity that kept one media's file_ids in
 * runs from before the state store (which now copies them once and retires it), and the signal
 * that tells a waiting MediaRequestWorkflow how another request's download ended.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CachedMedia } from '../activityTypes.js';
import type { MediaCacheState } from '../mediaCacheState.js';

export const MEDIA_CACHE_WORKFLOW = 'MediaCacheWorkflow';

export const claimUpdate = defineUpdate<
  { status: 'cached'; media: CachedMedia } | { status: 'lease' } | { status: 'wait' },
  [{ holder: string }]
>('claim');
export const completeUpdate = defineUpdate<void, [{ holder: string; media: CachedMedia }]>('complete');
export const releaseUpdate = defineUpdate<void, [{ holder: string }]>('release');
export const evictUpdate = defineUpdate<boolean, [{ fileId: string }]>('evict');
export const cacheStateQuery = defineQuery<MediaCacheState>('state');

/** Sent to waiting requests: the media is there (`media`), or the lease is free (`media` absent). */
export const mediaSettledSignal = defineSignal<[{ cacheId: string; media?: CachedMedia }]>('mediaSettled');

/** The state store has copied the entry's media: the entry ends once no lease or waiter is left. */
export const retireCacheSignal = defineSignal('retire');
