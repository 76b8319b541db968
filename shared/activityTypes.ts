/**
 * The inputs and results of the activities, as the workflows schedule them. Everything here is
 * recorded in the workflow history, so it must stay plain JSON and must never carry a secret.
 */

import type { ClipRange } from './clipRange.js';
import type { Language } from './i18n/languages.js';

/**
 * How media reaches the chat, as a person asks for it and as it is sent: a playable video, only
 * its audio, or the file as is. A downloaded or sent file's `kind` is one of these too.
 */
export type MediaMode = 'video' | 'audio' | 'document';

/**
 * How one file is sent: as a {@link MediaMode}, or as a picture (`photo`: sendPhoto) or a GIF
 * (`animation`: sendAnimation), which only gallery-dl's image posts yield. A person never chooses these.
 */
export type FileKind = MediaMode | 'photo' | 'animation';

/** Where the download activity shows its progress. */
export interface StatusMessage {
  chatId: number;
  messageId: number;
  /** The request's id, for the Cancel button under the status. */
  requestMessageId: number;
  /** The language of the progress and the Cancel button; absent: English. */
  language?: Language;
}

export interface DownloadInput {
  /** The workflow id: names the temp dir's owner in logs, never the path. */
  requestId: string;
  url: string;
  mode: MediaMode;
  maxHeight?: number;
  maxUploadBytes: number;
  albumCap: number;
  /** Only this part of the media (`link 1:30-2:45`); absent: all of it. */
  clip?: ClipRange;
  /** A video over the upload limit may be sent in parts (the chat's split setting); absent: not split. */
  split?: boolean;
  status?: StatusMessage;
}

/** The picker's probe of one link (`listQualities`). */
export interface QualityProbeInput {
  url: string;
  maxUploadBytes: number;
}

export interface DownloadedFile {
  /** Absolute path on the download host. */
  path: string;
  fileName: string;
  sizeBytes: number;
  kind: FileKind;
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
  /** One video split into `files` to fit the upload limit. */
  parts?: boolean;
}

/** A media Telegram already has: sent again by file_id, without downloading. */
export interface SentFile {
  fileId: string;
  fileUniqueId: string;
  kind: FileKind;
}

export interface CachedMedia {
  files: SentFile[];
  album: boolean;
  /** The parts of one video, in order: re-sent as they were, "part i/n". */
  parts?: boolean;
  availableItems: number;
  title?: string;
}

export interface SendMediaInput {
  chatId: number;
  replyToMessageId: number;
  files: DownloadedFile[];
  album: boolean;
  /** The files are the parts of one video: sent one by one, in order, captioned "part i/n". */
  parts?: boolean;
  caption?: string;
  /** The language of the parts' captions ("part 1/3"); absent: English. */
  language?: Language;
  /**
   * The request dir, removed by the upload once Telegram has the media: the workflow then
   * schedules no `cleanup` after a delivered upload.
   */
  removeDir?: string;
}

export interface SendCachedInput {
  chatId: number;
  replyToMessageId: number;
  media: CachedMedia;
  caption?: string;
  /** The language of the parts' captions; absent: English. */
  language?: Language;
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
  /** The language of the Cancel button; absent: English. */
  language?: Language;
}

export interface EditTextInput {
  chatId: number;
  messageId: number;
  text: string;
  cancelButtonFor?: number;
  /** The language of the Cancel button; absent: English. */
  language?: Language;
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
  /** A part of the media is another media; absent: all of it. */
  clip?: ClipRange;
}

/** The answer of the media cache to a request that wants a link's media. */
export type CacheClaim =
  | { status: 'cached'; cacheId: string; media: CachedMedia }
  /** This request downloads; others wait for it. */
  | { status: 'lease'; cacheId: string }
  /** Another request is downloading this media right now: wait for its signal. */
  | { status: 'wait'; cacheId: string };
