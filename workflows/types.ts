/**
 * The shapes that cross the workflow/activity boundary. Everything here is recorded in the
 * workflow history, so it must stay plain JSON and must never carry a secret.
 */
import type { PolicyOverrides } from './policies.js';

/** One link sent by one person: the input of MediaRequestWorkflow. */
export interface MediaRequestInput {
  chatId: number;
  /** The message that carried the link; replies thread under it. */
  messageId: number;
  userId?: number;
  url: string;
  /** Largest file Telegram accepts from this bot (50 MB cloud, 2000 MB local Bot API). */
  maxUploadBytes: number;
  policies?: PolicyOverrides;
}

/** A text the bot sends on its own (help, usage), without downloading anything. */
export interface ReplyInput {
  chatId: number;
  messageId: number;
  text: string;
  policies?: PolicyOverrides;
}

export type MediaKind = 'video' | 'audio' | 'document';

export interface DownloadInput {
  /** The workflow id: names the temp dir's owner in logs, never the path. */
  requestId: string;
  url: string;
  maxUploadBytes: number;
}

export interface DownloadedFile {
  /** Absolute path on the download host. */
  path: string;
  fileName: string;
  sizeBytes: number;
  kind: MediaKind;
  mimeType?: string;
}

export interface MediaMetadata {
  title?: string;
  performer?: string;
  durationSeconds?: number;
  width?: number;
  height?: number;
}

export interface DownloadResult {
  /** The task queue of the worker process that holds the file: send and clean up there. */
  hostQueue: string;
  /** The request's temp dir on that host. */
  dir: string;
  file: DownloadedFile;
  metadata: MediaMetadata;
}

export interface SendTextInput {
  chatId: number;
  text: string;
  replyToMessageId?: number;
}

export interface EditTextInput {
  chatId: number;
  messageId: number;
  text: string;
}

export interface DeleteMessageInput {
  chatId: number;
  messageId: number;
}

export interface SendMediaInput {
  chatId: number;
  replyToMessageId: number;
  file: DownloadedFile;
  metadata: MediaMetadata;
  caption?: string;
}

export interface SentMessage {
  messageId: number;
}

export interface CleanupInput {
  dir: string;
}
