/**
 * MediaRequestWorkflow as other processes address it: its type name, its input and result, and
 * the signals and queries it answers. Everything here is recorded in the workflow history, so it
 * must stay plain JSON and must never carry a secret.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Language } from '../i18n/languages.js';
import type { MediaMode } from '../activityTypes.js';
import type { PolicyOverrides } from '../policyOverrides.js';
import type { QuotaLimits } from '../quotaWindow.js';
import type { ClipRange } from '../clipRange.js';
import type { QualityChoice } from '../qualityChoice.js';

export const MEDIA_REQUEST_WORKFLOW = 'MediaRequestWorkflow';

/** The links of one message, sent by one person: the input of MediaRequestWorkflow. */
export interface MediaRequestInput {
  chatId: number;
  /** The message that carried the links; replies thread under it. */
  messageId: number;
  userId?: number;
  /** 1 to 10 links, in message order; each gets its own outcome. */
  links: string[];
  /**
   * Per link (same order as `links`), the part asked for (`link 1:30-2:45`, /clip); null: all of
   * it. Absent when no link has a range, as in runs from before ranges existed.
   */
  clips?: Array<ClipRange | null>;
  /** Set by /audio; otherwise the chat's default mode applies. */
  mode?: MediaMode;
  /** Largest file Telegram accepts from this bot (50 MB cloud, 2000 MB local Bot API). */
  maxUploadBytes: number;
  /** Most items sent from one gallery or playlist. */
  albumCap: number;
  policies?: PolicyOverrides;
  /**
   * PICKER_TIMEOUT_SECONDS: how long a chat that asks each time waits for a press before it sends
   * its default. Absent (runs from before the picker): 120.
   */
  pickerTimeoutSeconds?: number;
  /**
   * The sender's quota (QUOTA_* of the process that started the run); absent: no quota, as in
   * runs started before quotas existed.
   */
  quota?: QuotaLimits;
  /**
   * The sender's Telegram language (`from.language_code`, normalised), absent when the bot does
   * not speak it, when it is English, or in runs from before languages: the texts come in the
   * chat's language (/settings), else this one, else English.
   */
  language?: Language;
  /**
   * Whether the links were asked of the bot (`/dl`, a reply to it, `@bot`, any private message);
   * false: a link alone in a group, which ends quietly, counted by no quota, where the chat
   * answers only links asked for. Absent (runs from before): asked.
   */
  explicit?: boolean;
}

export interface LinkOutcome {
  link: string;
  outcome: 'delivered' | 'cached' | 'failed';
  failureType?: string;
  items?: number;
}

export interface MediaRequestResult {
  /** A request with a failed link fails as a whole (its failure details list every link's outcome). */
  /** 'ignored': a link alone in a group that answers only links asked for (nothing was done). */
  outcome: 'delivered' | 'cached' | 'ignored';
  links: LinkOutcome[];
}

/**
 * What a running download tells its workflow, at most every few seconds, so that the `status`
 * query and the Web UI's current details show the progress and the attempt without anyone
 * reading heartbeat details.
 */
export interface DownloadProgressReport {
  phase: 'probing' | 'downloading' | 'converting';
  downloadedBytes?: number;
  totalBytes?: number;
  speedBytesPerSecond?: number;
  /** The downloadMedia activity's attempt (1 on the first). */
  attempt: number;
  /** Gallery item being fetched, of `items`, when the link has several. */
  item?: number;
  items?: number;
}

export const downloadProgressSignal = defineSignal<[DownloadProgressReport]>('downloadProgress');

/** What the running download last reported (see {@link downloadProgressSignal}); its attempt is kept in the status itself. */
export interface DownloadProgressStatus extends Omit<DownloadProgressReport, 'attempt'> {
  /** 0 to 100, when the total size is known. */
  percent?: number;
}

export interface RequestStatus {
  phase:
    | 'acknowledging'
    | 'choosing quality'
    | 'downloading'
    | 'uploading'
    | 'sending cached'
    | 'waiting for another download'
    | 'done'
    | 'failed'
    | 'cancelled';
  /** 1-based link being handled, of `links`. */
  link: number;
  links: number;
  /** The part of the current link's media asked for ("1:30–2:45"); absent: all of it. */
  clip?: string;
  /** Uploading a video split to fit the limit: into how many parts. */
  parts?: number;
  /** What was picked for the current link ("720p", "audio", "file", "default: no press"); absent: not asked. */
  choice?: string;
  /** Download attempts (hosts) used for the current link. */
  downloadRounds: number;
  /** The downloadMedia activity's attempt on the current host (1 on the first), once it reported. */
  attempt?: number;
  /** The running download's progress; absent outside a download. */
  progress?: DownloadProgressStatus;
  /** The last failure this request saw: a failed link, a failed request, or a host that vanished. */
  lastError?: string;
}

/** Who asked: checked before anyone else may cancel the request. */
export const requesterQuery = defineQuery<number | undefined>('requester');

/** Where the request stands, for the Web UI and `npm run ops`. */
export const statusQuery = defineQuery<RequestStatus>('status');

/**
 * A press on the quality picker of this request (the webhook signals it; the workflow checks the
 * presser is the requester or a chat admin). Telegram may deliver the same press twice: the
 * first one that counts settles the link, the rest are answered and ignored.
 */
export interface QualityPress {
  /** 1-based link the picker was shown for. */
  link: number;
  choice: QualityChoice;
  userId: number;
  callbackQueryId: string;
}

export const qualityPressSignal = defineSignal<[QualityPress]>('qualityPress');
