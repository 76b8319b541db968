import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  proxyActivities,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutType } from '@temporalio/common';
import type { DownloadActivities, HostActivities, TelegramActivities } from '../activities/index.js';
import { FailureType } from './failures.js';
import { ACKNOWLEDGED, failureMessage } from './messages.js';
import { downloadPolicy, hostCleanupPolicy, hostUploadPolicy, MAX_HOST_ROUNDS, telegramPolicy } from './policies.js';
import type { DownloadResult, MediaKind, MediaRequestInput, SentMessage } from './types.js';

export interface MediaRequestResult {
  outcome: 'delivered';
  kind: MediaKind;
  messageId: number;
  sizeBytes: number;
}

/**
 * One link from one person, from "⏳" to the media in the chat (or one clear reason why not).
 * The download runs on any downloads worker; the upload and the cleanup run on the task queue
 * of the process that holds the file. A request that finally fails tells the person once, then
 * ends Failed with its failure type, so it stays listed in the Web UI.
 */
export async function MediaRequestWorkflow(input: MediaRequestInput): Promise<MediaRequestResult> {
  const telegram = proxyActivities<TelegramActivities>(telegramPolicy(input.policies));
  let status: SentMessage | undefined;
  try {
    status = await telegram.sendText({ chatId: input.chatId, text: ACKNOWLEDGED, replyToMessageId: input.messageId });
    const delivered = await downloadAndSend(input);
    await telegram.deleteMessage({ chatId: input.chatId, messageId: status.messageId }).catch((error: unknown) => {
      // The media is there; a status line left behind is cosmetic.
      log.warn('could not delete the status message', { error: String(error) });
    });
    return delivered;
  } catch (error) {
    if (isCancellation(error)) throw error;
    const failure = describeFailure(error);
    if (failure.type !== FailureType.ChatUnavailable) {
      await tellUser(telegram, input, status, failureMessage({ ...failure, url: input.url, limitBytes: failure.limitBytes ?? input.maxUploadBytes }));
    }
    throw ApplicationFailure.create({ type: failure.type, message: failure.reason, nonRetryable: true, details: [failure] });
  }
}

async function downloadAndSend(input: MediaRequestInput): Promise<MediaRequestResult> {
  const downloads = proxyActivities<DownloadActivities>(downloadPolicy(input.policies));
  for (let round = 1; ; round++) {
    const download: DownloadResult = await downloads.downloadMedia({
      requestId: workflowInfo().workflowId,
      url: input.url,
      maxUploadBytes: input.maxUploadBytes,
    });
    const host = proxyActivities<HostActivities>(hostUploadPolicy(download.hostQueue, input.policies));
    const hostCleanup = proxyActivities<HostActivities>(hostCleanupPolicy(download.hostQueue, input.policies));
    let hostGone = false;
    try {
      const sent = await host.sendMedia({
        chatId: input.chatId,
        replyToMessageId: input.messageId,
        file: download.file,
        metadata: download.metadata,
        caption: download.metadata.title,
      });
      return { outcome: 'delivered', kind: download.file.kind, messageId: sent.messageId, sizeBytes: download.file.sizeBytes };
    } catch (error) {
      hostGone = isHostGone(error);
      if (hostGone && round < MAX_HOST_ROUNDS) {
        log.warn('the download host stopped answering; downloading again on another host', { hostQueue: download.hostQueue, round });
        continue;
      }
      throw error;
    } finally {
      // Runs on success, failure and cancellation alike. A host that is gone cannot be reached;
      // its worker sweeps stale request dirs when it starts again.
      if (!hostGone) {
        await CancellationScope.nonCancellable(() =>
          hostCleanup.cleanup({ dir: download.dir }).catch((error: unknown) => {
            log.warn('cleanup failed', { hostQueue: download.hostQueue, error: String(error) });
            return false;
          }),
        );
      }
    }
  }
}

/** Nobody picked up the host's task: the process that holds the file is gone. */
function isHostGone(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    (error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START || error.cause.timeoutType === TimeoutType.HEARTBEAT)
  );
}

interface DescribedFailure {
  type: string;
  reason: string;
  sizeBytes?: number;
  limitBytes?: number;
}

/** The failure type and reason of whatever ended the request, from the innermost typed failure. */
function describeFailure(error: unknown): DescribedFailure {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure && current.type) {
      const facts = (current.details?.[0] ?? {}) as { sizeBytes?: number; limitBytes?: number };
      return { type: current.type, reason: current.message, sizeBytes: facts.sizeBytes, limitBytes: facts.limitBytes };
    }
    if (current instanceof TimeoutFailure) {
      return { type: FailureType.TransientNetwork, reason: `timed out (${current.timeoutType ?? 'timeout'})` };
    }
    current = current.cause;
  }
  return { type: FailureType.DownloadFailed, reason: error instanceof Error ? error.message : String(error) };
}

async function tellUser(
  telegram: TelegramActivities,
  input: MediaRequestInput,
  status: SentMessage | undefined,
  text: string,
): Promise<void> {
  try {
    if (status && (await telegram.editText({ chatId: input.chatId, messageId: status.messageId, text }))) return;
    await telegram.sendText({ chatId: input.chatId, text, replyToMessageId: input.messageId });
  } catch (error) {
    // The request has failed already; not being able to say so must not hide why.
    log.warn('could not tell the user about the failure', { error: String(error) });
  }
}
