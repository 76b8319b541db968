/**
 * Every task queue's timeouts and retry policy, in one place. The workflow builds its activity
 * proxies from these; the operator can override the marked values through the environment
 * (see src/config/specs.ts, shared/policyOverrides.ts), and the overrides travel in the workflow input so a run's history says
 * which policy it ran with.
 */
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURES } from '../shared/failures.js';
import type { PolicyOverrides } from '../shared/policyOverrides.js';
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../shared/taskQueues.js';

/** How many times the workflow downloads again on another host when the first host vanished. */
export const MAX_HOST_ROUNDS = 3;

/** Bot API calls (text messages): quick, cheap, and rate limited by Telegram. */
export function telegramPolicy(overrides: PolicyOverrides = {}): ActivityOptions {
  const o = overrides.telegram ?? {};
  return {
    taskQueue: TELEGRAM_QUEUE,
    // The old system's 10 s job timeout: a Bot API call that takes longer is stuck.
    startToCloseTimeout: o.startToCloseTimeout ?? '10 seconds',
    retry: {
      maximumAttempts: o.maximumAttempts ?? 3,
      initialInterval: o.initialInterval ?? '1 second',
      backoffCoefficient: 2,
      // A 429 overrides this with exactly `retry_after` through `nextRetryDelay`, and so does a
      // SendBudgetWait with the time to its slot of the shared send budget (retryable: not listed below).
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
    },
  };
}

/**
 * The same Bot API calls as local activities (the "⏳", its edits, its deletion, re-sends by
 * file_id): they run in the telegram worker that runs the
 * workflow task and are recorded as a marker, with no activity task to dispatch. The policy is the
 * one above: a 429's `retry_after` becomes the next attempt's delay (`nextRetryDelay`; the worker
 * waits it out inside the workflow task, or with a timer beyond `localRetryThreshold`), and the
 * non-retryable types (ChatUnavailable, …) end the call at once.
 */
export function localTelegramPolicy(overrides: PolicyOverrides = {}): LocalActivityOptions {
  const { startToCloseTimeout, retry } = telegramPolicy(overrides);
  return { startToCloseTimeout, retry };
}

/**
 * answerInlineQuery: Telegram shows an answer only within about 10 seconds of the query, so one
 * short attempt and one retry, never the 429 waits of a chat message (a late answer is useless).
 */
export function inlineAnswerPolicy(overrides: PolicyOverrides = {}): LocalActivityOptions {
  const { retry } = telegramPolicy(overrides);
  return {
    startToCloseTimeout: '3 seconds',
    retry: { ...retry, maximumAttempts: 2, initialInterval: '200 milliseconds', maximumInterval: '1 second' },
  };
}

/**
 * Reads and writes of the state store (the media cache, the quotas, the chats' settings: SQLite
 * or PostgreSQL), as local activities: a few milliseconds each, and safe to repeat (a claim, a
 * slot or a release asked again by the same request counts once). When the quota cannot be
 * reached within these attempts, the request is served without it (workflows/mediaRequest.ts).
 */
export function localStatePolicy(overrides: PolicyOverrides = {}): LocalActivityOptions {
  const { retry } = statePolicy(overrides);
  return { startToCloseTimeout: '10 seconds', retry };
}

/**
 * Activities on the `telegram` queue that ask Temporal itself (a chat's running requests, their
 * cancel): short, and safe to repeat. The state store's local activities retry the same way.
 */
export function statePolicy(overrides: PolicyOverrides = {}): ActivityOptions {
  const o = overrides.telegram ?? {};
  return {
    taskQueue: TELEGRAM_QUEUE,
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 5, initialInterval: o.initialInterval ?? '1 second', backoffCoefficient: 2 },
  };
}

/** yt-dlp runs: heavy, slow, and the only step that touches the media host. */
export function downloadPolicy(overrides: PolicyOverrides = {}): ActivityOptions {
  const o = overrides.download ?? {};
  return {
    taskQueue: DOWNLOADS_QUEUE,
    // A cancelled request waits until yt-dlp is killed and its files are gone.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // The old system's 60 s covered a plain download; galleries and conversions to H.264 on a
    // small host take minutes. A dead worker is noticed much sooner, by the heartbeat timeout.
    startToCloseTimeout: o.startToCloseTimeout ?? '600 seconds',
    // The activity heartbeats every second; silence this long means a dead worker.
    heartbeatTimeout: o.heartbeatTimeout ?? '15 seconds',
    retry: {
      // The old system's policy: 2 tries, 5 s then 15 s apart.
      maximumAttempts: o.maximumAttempts ?? 2,
      initialInterval: o.initialInterval ?? '5 seconds',
      backoffCoefficient: 3,
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
    },
  };
}

/**
 * The quality picker's probe (`listQualities`): yt-dlp reads the page, nothing is downloaded. A
 * person is waiting to see buttons, so it is bounded tightly; when it fails the link goes on with
 * the chat's default, and the download reports what is wrong.
 */
export function qualityProbePolicy(overrides: PolicyOverrides = {}): ActivityOptions {
  const o = overrides.download ?? {};
  return {
    taskQueue: DOWNLOADS_QUEUE,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    startToCloseTimeout: '60 seconds',
    heartbeatTimeout: o.heartbeatTimeout ?? '15 seconds',
    retry: {
      maximumAttempts: 2,
      initialInterval: o.initialInterval ?? '5 seconds',
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
    },
  };
}

/**
 * Activities that read or delete the downloaded files run on the queue of the one process that
 * holds them. `scheduleToStartTimeout` is what notices that this host is gone (nobody else polls
 * its queue), so the workflow can download again elsewhere instead of waiting forever.
 */
export function hostUploadPolicy(hostQueue: string, overrides: PolicyOverrides = {}): ActivityOptions {
  const o = overrides.host ?? {};
  return {
    taskQueue: hostQueue,
    // A cancelled request waits until the upload has stopped, or has finished because Telegram
    // already had the whole file, so it never says "Cancelled" while the media is on its way.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    scheduleToStartTimeout: o.scheduleToStartTimeout ?? '60 seconds',
    // A 50 MB upload over a slow uplink (2 GB on a local Bot API server).
    startToCloseTimeout: o.uploadTimeout ?? '300 seconds',
    // The upload heartbeats every second for the whole call, Telegram's processing included.
    heartbeatTimeout: '60 seconds',
    retry: {
      // An upload is a Bot API call: TELEGRAM_MAX_ATTEMPTS applies to it too.
      maximumAttempts: overrides.telegram?.maximumAttempts ?? 3,
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
    },
  };
}

/** Deleting a temp dir: must not be skipped, must not hang the workflow if the host is gone. */
export function hostCleanupPolicy(hostQueue: string, overrides: PolicyOverrides = {}): ActivityOptions {
  const o = overrides.host ?? {};
  return {
    taskQueue: hostQueue,
    scheduleToStartTimeout: o.scheduleToStartTimeout ?? '60 seconds',
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
  };
}

/**
 * A yt-dlp update's first step on `downloads` (ask the index, create a venv, pip install): a
 * minute or two on a slow uplink. It heartbeats every 5 s; a host that vanished is noticed by
 * the heartbeat timeout and the step runs again on another host.
 */
export function ytDlpPreparePolicy(): ActivityOptions {
  return {
    taskQueue: DOWNLOADS_QUEUE,
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '60 seconds',
    retry: { maximumAttempts: 3, initialInterval: '30 seconds', backoffCoefficient: 2 },
  };
}

/**
 * The canary downloads and the switch, on the queue of the host that installed the candidate
 * (its venvs are on its disk). A host gone before they start is noticed by the
 * schedule-to-start timeout: the run fails and the next scheduled run starts over.
 */
export function ytDlpHostPolicy(hostQueue: string): ActivityOptions {
  return {
    taskQueue: hostQueue,
    scheduleToStartTimeout: '5 minutes',
    // The loopback canary takes seconds; each real link may download up to 200 MB.
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '60 seconds',
    retry: { maximumAttempts: 2, initialInterval: '10 seconds' },
  };
}
