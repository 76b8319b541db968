/**
 * YtDlpUpdateWorkflow as other processes address it: the schedule that starts it, its input
 * (recorded in every run's history) and its result.
 */

export const YTDLP_UPDATE_WORKFLOW = 'YtDlpUpdateWorkflow';
/** The Temporal Schedule (one per namespace) that runs the update; pausable in the Web UI. */
export const YTDLP_UPDATE_SCHEDULE_ID = 'ytdlp-update';
/** Each run's workflow id starts with this (Temporal appends the scheduled time). */
export const YTDLP_UPDATE_WORKFLOW_ID = 'ytdlp-update';

export interface YtDlpUpdateInput {
  /** ADMIN_CHAT_IDS: each gets one message per switch or refused candidate. */
  adminChatIds: number[];
}

export interface YtDlpReleaseView {
  version: string;
  python: string;
}

export interface YtDlpCanaryCheckView {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the first step found on the downloads host that took it. */
export type YtDlpCandidate =
  | { kind: 'up-to-date'; hostQueue: string; inUse: string; newest: string }
  | { kind: 'skipped'; hostQueue: string; inUse: string; newest: string; why: string }
  | { kind: 'candidate'; hostQueue: string; inUse: string; newest: string; release: YtDlpReleaseView };

export interface YtDlpCanaryOutcome {
  version: string;
  ok: boolean;
  checks: YtDlpCanaryCheckView[];
}

export type YtDlpUpdateResult =
  | { outcome: 'up-to-date' | 'skipped'; inUse: string; newest: string; hostQueue: string }
  | { outcome: 'switched'; from: string; to: string; hostQueue: string; checks: YtDlpCanaryCheckView[] }
  | { outcome: 'refused'; inUse: string; candidate: string; hostQueue: string; checks: YtDlpCanaryCheckView[] };
