/**
 * PlaylistWorkflow (`/playlist <link> [range]`) and the child it runs per entry,
 * PlaylistEntryWorkflow, as other processes address them: type names, inputs, results, queries.
 * Everything here is recorded in the workflow histories, so it must stay plain JSON and must never
 * carry a secret.
 */
import { defineQuery } from '@temporalio/workflow';
import type { MediaMode } from '../activityTypes.js';
import type { ChatSettings } from './chatSettings.js';
import type { PolicyOverrides } from '../policyOverrides.js';
import type { QuotaLimits } from '../quotaWindow.js';
import type { PlaylistRange } from '../playlistRange.js';
import type { Language } from '../i18n/languages.js';

export const PLAYLIST_WORKFLOW = 'PlaylistWorkflow';
export const PLAYLIST_ENTRY_WORKFLOW = 'PlaylistEntryWorkflow';

/** `/playlist <link> [range]`: the input of PlaylistWorkflow. */
export interface PlaylistInput {
  chatId: number;
  /** The /playlist message; replies thread under it, and its Cancel button names it. */
  messageId: number;
  userId?: number;
  link: string;
  /** The entries asked for; absent: from the first. */
  range?: PlaylistRange;
  /** MAX_PLAYLIST_ITEMS of the process that started the run: the most entries delivered. */
  maxItems: number;
  /** Largest file Telegram accepts from this bot. */
  maxUploadBytes: number;
  /** MAX_ALBUM_ITEMS: an entry that is itself a gallery sends at most this many items. */
  albumCap: number;
  policies?: PolicyOverrides;
  /** The sender's quota; the playlist is admitted once, for the number of its entries. */
  quota?: QuotaLimits;
  /** The sender's Telegram language (normalised; absent: English, or not spoken); the chat's own wins. */
  language?: Language;
}

/** One playlist entry as the listing found it. */
export interface PlaylistEntry {
  /** 1-based position in the playlist. */
  index: number;
  /** What the entry's child downloads: its own page, or (a page's `<video>` element) its media URL. */
  url: string;
  title?: string;
}

/** What the listing activity (`listPlaylist`, downloads queue) returns. */
export interface PlaylistListing {
  title?: string;
  /** What the site says the playlist holds (at least the entries listed). */
  availableItems: number;
  /** In playlist order, at most the number asked for. */
  entries: PlaylistEntry[];
}

/** One entry, delivered by its own child workflow (id `<playlist id>/<index>`). */
export interface PlaylistEntryInput {
  chatId: number;
  /** The /playlist message: the media replies to it. */
  messageId: number;
  userId?: number;
  /** The playlist's status message, shared by every entry (the child sends no "⏳" of its own). */
  statusMessageId: number;
  entry: PlaylistEntry;
  /** The chat's settings, read once by the playlist. */
  mode: MediaMode;
  maxHeight?: ChatSettings['maxHeight'];
  split: boolean;
  maxUploadBytes: number;
  albumCap: number;
  policies?: PolicyOverrides;
  /** The language the playlist writes in (absent: English). */
  language?: Language;
}

export interface PlaylistEntryResult {
  outcome: 'delivered' | 'cached';
  /** Messages the entry sent (an album of n counts n): what the playlist's pacing counts. */
  items: number;
}

export interface PlaylistEntryOutcome {
  index: number;
  url: string;
  outcome: 'delivered' | 'cached' | 'failed' | 'cancelled';
  failureType?: string;
  reason?: string;
  items?: number;
}

export interface PlaylistResult {
  /** Every entry that was started, in order, with its outcome. */
  entries: PlaylistEntryOutcome[];
  delivered: number;
  failed: number;
  /** Entries of the range beyond MAX_PLAYLIST_ITEMS. */
  leftOut: number;
  /** Entries of the range the playlist does not have. */
  missing: number[];
}

export interface PlaylistStatus {
  phase: 'listing' | 'delivering' | 'pacing' | 'done' | 'failed' | 'cancelled';
  /** 1-based entry being worked on, of `entries` (its position in the playlist is `index`). */
  entry: number;
  entries: number;
  /** The playlist position of the entry being worked on. */
  index?: number;
  delivered: number;
  failed: number;
  lastError?: string;
}

/** Where the playlist stands (the same query name as a media request's status). */
export const playlistStatusQuery = defineQuery<PlaylistStatus>('status');

/**
 * The child that delivers one entry (1-based playlist position) of a playlist: `<playlist id>/<position>`.
 * Here rather than in shared/workflowIds.ts, which the workflow bundle cannot import (its chat pseudonyms use node:crypto).
 */
export function playlistEntryWorkflowId(playlistId: string, index: number): string {
  return `${playlistId}/${index}`;
}
