/**
 * The rules of one media cache entry, kept pure (no Temporal API, no clock: `now` is passed in)
 * so that the state store (activities/storeActivities.ts) and the MediaCacheWorkflow entities of
 * runs from before it apply the very same ones.
 *
 * An entry holds what Telegram knows of one media (its file_ids), and makes concurrent requests
 * for the same media download once: the first claim gets a lease and downloads; later claims
 * wait, and are told the file_ids (or that the lease is free again, when the download failed).
 */
import type { CachedMedia } from './activityTypes.js';

export interface MediaCacheState {
  media?: CachedMedia;
  lease?: { holder: string; since: number };
  waiters: string[];
}

export type ClaimAnswer = { status: 'cached'; media: CachedMedia } | { status: 'lease' } | { status: 'wait' };

/** A download that holds the lease longer than this is presumed dead; the next claim takes over. */
export const LEASE_TTL_MS = 15 * 60 * 1000;

export function emptyCacheState(): MediaCacheState {
  return { waiters: [] };
}

/** The media when it is known; else the lease (free, expired or already this holder's), else a place among the waiters. */
export function claimEntry(state: MediaCacheState, holder: string, now: number): ClaimAnswer {
  if (state.media) return { status: 'cached', media: state.media };
  const lease = state.lease;
  if (!lease || lease.holder === holder || now - lease.since > LEASE_TTL_MS) {
    state.lease = { holder, since: now };
    return { status: 'lease' };
  }
  if (!state.waiters.includes(holder)) state.waiters.push(holder);
  return { status: 'wait' };
}

/**
 * The holder's download is in the chat: the entry keeps its file_ids and frees the lease.
 * Returns the waiters to tell (and forgets them); undefined when another request holds the lease.
 */
export function completeEntry(state: MediaCacheState, holder: string, media: CachedMedia): string[] | undefined {
  if (state.lease?.holder !== holder && state.lease) return undefined;
  state.media = media;
  state.lease = undefined;
  return state.waiters.splice(0);
}

/** The holder's download failed: the lease is free. Returns the waiters to tell; undefined when it was not the holder. */
export function releaseEntry(state: MediaCacheState, holder: string): string[] | undefined {
  if (state.lease?.holder !== holder) return undefined;
  state.lease = undefined;
  return state.waiters.splice(0);
}

/** Telegram rejected this file_id: the entry forgets its media. False when it held other file_ids. */
export function evictEntry(state: MediaCacheState, fileId: string): boolean {
  if (!state.media?.files.some((file) => file.fileId === fileId)) return false;
  state.media = undefined;
  return true;
}
