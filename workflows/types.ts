/**
 * The shapes that cross the workflow/activity boundary. Everything here is recorded in the
 * workflow history, so it must stay plain JSON and must never carry a secret.
 */
import type { PolicyOverrides } from './policies.js';
import type { QuotaLimits } from './quotaWindow.js';

export type MediaKind = 'video' | 'audio' | 'document';
/** What a person asked for: the media as a playable video, only its audio, or the file as is. */
export type MediaMode = 'video' | 'audio' | 'document';

/** The links of one message, sent by one person: the input of MediaRequestWorkflow. */
export interface MediaRequestInput {
  chatId: number;
  /** The message that carried the links; replies thread under it. */
  messageId: number;
  userId?: number;
  /** 1 to 10 links, in message order; each gets its own outcome. */
  links: string[];
  /** Set by /audio; otherwise the chat's default mode applies. */
  mode?: MediaMode;
  /** Largest file Telegram accepts from this bot (50 MB cloud, 2000 MB local Bot API). */
  maxUploadBytes: number;
  /** Most items sent from one gallery or playlist. */
  albumCap: number;
  policies?: PolicyOverrides;
  /**
   * The sender's quota (QUOTA_* of the process that started the run); absent: no quota, as in
   * runs started before quotas existed.
   */
  quota?: QuotaLimits;
}

export interface LinkOutcome {
  link: string;
  outcome: 'delivered' | 'cached' | 'failed';
  failureType?: string;
  items?: number;
}

export interface MediaRequestResult {
  /** A request with a failed link fails as a whole (its failure details list every link's outcome). */
  outcome: 'delivered' | 'cached';
  links: LinkOutcome[];
}

/** A text the bot sends on its own (help, usage), without downloading anything. */
export interface ReplyInput {
  chatId: number;
  messageId: number;
  text: string;
  policies?: PolicyOverrides;
}

export interface ChatSettings {
  mode: MediaMode;
  /** Highest video height to download (e.g. 480); undefined: the best that fits. */
  maxHeight?: number;
}

export type SettingsChoice = { setting: 'mode'; value: MediaMode } | { setting: 'maxHeight'; value: number | null };

/** /settings (show the keyboard) or a press on one of its buttons. */
export interface SettingsInput {
  chatId: number;
  userId?: number;
  /** The /settings command message (show) or the keyboard message (choose). */
  messageId: number;
  choice?: SettingsChoice;
  callbackQueryId?: string;
  policies?: PolicyOverrides;
}

/** The Cancel button under a status message, or /cancel. */
export interface CancelInput {
  chatId: number;
  userId: number;
  /** The request to cancel (button, or /cancel as a reply to the link); absent: all of the chat's. */
  targetMessageId?: number;
  callbackQueryId?: string;
  /** /cancel's own message, answered with the outcome. */
  commandMessageId?: number;
  policies?: PolicyOverrides;
}

/** Where the download activity shows its progress. */
export interface StatusMessage {
  chatId: number;
  messageId: number;
  /** The request's id, for the Cancel button under the status. */
  requestMessageId: number;
}

export interface DownloadInput {
  /** The workflow id: names the temp dir's owner in logs, never the path. */
  requestId: string;
  url: string;
  mode: MediaMode;
  maxHeight?: number;
  maxUploadBytes: number;
  albumCap: number;
  status?: StatusMessage;
}

export interface DownloadedFile {
  /** Absolute path on the download host. */
  path: string;
  fileName: string;
  sizeBytes: number;
  kind: MediaKind;
  thumbnailPath?: string;
  title?: string;
  performer?: string;
  durationSeconds?: number;
  width?: number;
  height?: number;
}

export interface DownloadResult {
  /** The task queue of the worker process that holds the files: send and clean up there. */
  hostQueue: string;
  /** The request's temp dir on that host. */
  dir: string;
  files: DownloadedFile[];
  /** A gallery or playlist (sent as an album), even when it yielded one item. */
  album: boolean;
  /** How many items the gallery offered (more than `files.length` when the cap cut it). */
  availableItems: number;
  title?: string;
}

/** A media Telegram already has: sent again by file_id, without downloading. */
export interface SentFile {
  fileId: string;
  fileUniqueId: string;
  kind: MediaKind;
}

export interface CachedMedia {
  files: SentFile[];
  album: boolean;
  availableItems: number;
  title?: string;
}

export interface SendMediaInput {
  chatId: number;
  replyToMessageId: number;
  files: DownloadedFile[];
  album: boolean;
  caption?: string;
  /**
   * The request dir, removed by the upload once Telegram has the media (runs from
   * LIGHT_REQUEST_PATCH on): the workflow then schedules no `cleanup` after a delivered upload.
   */
  removeDir?: string;
}

export interface SendCachedInput {
  chatId: number;
  replyToMessageId: number;
  media: CachedMedia;
  caption?: string;
}

export interface SentMedia {
  messageIds: number[];
  files: SentFile[];
}

export interface SendTextInput {
  chatId: number;
  text: string;
  replyToMessageId?: number;
  /** Put a Cancel button for this request under the message. */
  cancelButtonFor?: number;
  html?: boolean;
}

export interface EditTextInput {
  chatId: number;
  messageId: number;
  text: string;
  cancelButtonFor?: number;
}

export interface DeleteMessageInput {
  chatId: number;
  messageId: number;
}

export interface SentMessage {
  messageId: number;
}

export interface CleanupInput {
  dir: string;
}

export interface MediaKey {
  url: string;
  mode: MediaMode;
  maxHeight?: number;
  maxUploadBytes: number;
  albumCap: number;
}

/** The answer of the media cache to a request that wants a link's media. */
export type CacheClaim =
  | { status: 'cached'; cacheId: string; media: CachedMedia }
  /** This request downloads; others wait for it. */
  | { status: 'lease'; cacheId: string }
  /** Another request is downloading this media right now: wait for its signal. */
  | { status: 'wait'; cacheId: string };
