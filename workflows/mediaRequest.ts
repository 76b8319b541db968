import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  isCancellation,
  log,
  proxyActivities,
  patched,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureTypeAttribute, mediaHostOf, RequestOutcomeAttribute, type RequestOutcome } from './searchAttributes.js';
import { TimeoutType } from '@temporalio/common';
import type { DownloadActivities, HostActivities, StateActivities, TelegramActivities } from '../activities/index.js';
import { FailureType } from './failures.js';
import { mediaSettledSignal } from './mediaCache.js';
import { ACKNOWLEDGED, albumCapNote, CANCELLED, doneSummary, failureMessage, linkProgressText, mediaCaption, quotaRefusalText, UPLOADING } from './messages.js';
import { downloadPolicy, hostCleanupPolicy, hostUploadPolicy, MAX_HOST_ROUNDS, statePolicy, telegramPolicy } from './policies.js';
import type { QuotaDecision, QuotaLimits, QuotaRefusal } from './quotaWindow.js';
import type { CachedMedia, ChatSettings, LinkOutcome, MediaKey, MediaRequestInput, MediaRequestResult, SentMessage } from './types.js';
import { quotaProbeSignal } from './userQuota.js';

/** Who asked: checked before anyone else may cancel the request. */
export const requesterQuery = defineQuery<number | undefined>('requester');

export interface RequestStatus {
  phase: 'acknowledging' | 'downloading' | 'uploading' | 'sending cached' | 'waiting for another download' | 'done' | 'failed' | 'cancelled';
  /** 1-based link being handled, of `links`. */
  link: number;
  links: number;
  /** Download attempts (hosts) used for the current link. */
  downloadRounds: number;
  lastError?: string;
}

/** Where the request stands, for the Web UI and `npm run ops`. */
export const statusQuery = defineQuery<RequestStatus>('status');

/** The patch that added the outcome search attributes: runs started before it replay without them. */
export const OUTCOME_SEARCH_ATTRIBUTES_PATCH = 'outcome-search-attributes';

/** The patch that added per-user quotas: runs started before it replay without asking for a slot. */
export const USER_QUOTA_PATCH = 'user-quota';

/** How long a request waits for another one that is downloading the same media. */
const SHARED_DOWNLOAD_WAIT = '15 minutes';

interface LinkFailure {
  type: string;
  reason: string;
  sizeBytes?: number;
  limitBytes?: number;
}

/**
 * The links of one message, from "⏳" to the media in the chat, one link after the other, each
 * with its own outcome. Media Telegram already has is sent again by file_id; media another
 * request is fetching right now is waited for, not downloaded twice. A failed link is explained
 * to the person once; a request with a failed link ends Failed with that failure's type, so it
 * stays listed in the Web UI. Cancel (button or /cancel) stops the download and says so.
 *
 * First of all the sender's quota gives the request a slot, or refuses it: then the person reads
 * when to try again, nothing is downloaded, and the run fails with the type QuotaExceeded. The
 * slot is given back however the request ends (delivered, failed or cancelled).
 */
export async function MediaRequestWorkflow(input: MediaRequestInput): Promise<MediaRequestResult> {
  setHandler(requesterQuery, () => input.userId);
  // The quota entity signals its holders to learn whether they still run; nothing to do here.
  setHandler(quotaProbeSignal, () => undefined);
  const progress = createProgress(input.links.length);
  const limits = input.quota && patched(USER_QUOTA_PATCH) ? input.quota : undefined;
  if (!limits) return serveLinks(input, progress);

  const state = proxyActivities<StateActivities>({ ...statePolicy(input.policies), summary: `quota of the sender, chat ${input.chatId}` });
  // Messages without a sender (rare: some channel-linked groups) count against the chat.
  const slot = { userId: input.userId ?? input.chatId, holder: workflowInfo().workflowId };
  let refused = false;
  try {
    const decision = await acquireSlot(state, slot, input.links.length, limits);
    if (!decision.granted) {
      refused = true;
      return await refuse(input, decision, progress);
    }
    return await serveLinks(input, progress);
  } finally {
    if (!refused) {
      await CancellationScope.nonCancellable(() => state.releaseQuota(slot).catch(warn('could not release the quota slot')));
    }
  }
}

/**
 * Asks the quota for a slot. When the quota cannot answer at all (its activity ran out of
 * attempts), the request is served anyway: a sick quota entity must not take the bot down.
 */
async function acquireSlot(state: StateActivities, slot: { userId: number; holder: string }, links: number, limits: QuotaLimits): Promise<QuotaDecision> {
  try {
    return await state.acquireQuota({ ...slot, links, limits });
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('the quota did not answer; serving the request without it', { error: String(error) });
    return { granted: true };
  }
}

/** Tells the person why nothing happens and when to send the link again; the run fails as QuotaExceeded. */
async function refuse(input: MediaRequestInput, refusal: QuotaRefusal, progress: Progress): Promise<never> {
  const telegram = proxyActivities<TelegramActivities>({ ...telegramPolicy(input.policies), summary: `Telegram, chat ${input.chatId}` });
  const reason =
    refusal.reason === 'concurrent'
      ? `${refusal.running} requests of this user running (limit ${refusal.limit})`
      : `${refusal.sent} links from this user in the last hour (limit ${refusal.limit}); room again in ${Math.ceil(refusal.retryAfterMs / 1000)} s`;
  await telegram.sendText({ chatId: input.chatId, text: quotaRefusalText(refusal), replyToMessageId: input.messageId }).catch(warn('could not send the quota refusal'));
  const failure: LinkFailure = { type: FailureType.QuotaExceeded, reason };
  progress.failedLink(failure);
  progress.end('failed', failure.type);
  const links: LinkOutcome[] = input.links.map((link) => ({ link, outcome: 'failed', failureType: failure.type }));
  throw ApplicationFailure.create({ type: failure.type, message: reason, nonRetryable: true, details: [{ ...failure, quota: refusal, links }] });
}

/** The links of the message, one after the other (see {@link MediaRequestWorkflow}). */
async function serveLinks(input: MediaRequestInput, progress: Progress): Promise<MediaRequestResult> {
  const settled = new Map<string, CachedMedia | null>();
  setHandler(mediaSettledSignal, ({ cacheId, media }) => {
    settled.set(cacheId, media ?? null);
  });

  const telegram = proxyActivities<TelegramActivities>({ ...telegramPolicy(input.policies), summary: `Telegram, chat ${input.chatId}` });
  const state = proxyActivities<StateActivities>({ ...statePolicy(input.policies), summary: `settings and media cache, chat ${input.chatId}` });
  const chat = { chatId: input.chatId, replyTo: input.messageId };
  let statusMessage: SentMessage | undefined;
  const outcomes: LinkOutcome[] = [];
  const failures: LinkFailure[] = [];
  try {
    statusMessage = await telegram.sendText({ chatId: chat.chatId, text: ACKNOWLEDGED, replyToMessageId: chat.replyTo, cancelButtonFor: chat.replyTo });
    const settings: ChatSettings = await state.getChatSettings(input.chatId);
    const mode = input.mode ?? settings.mode;

    for (const [index, link] of input.links.entries()) {
      progress.startLink(index + 1);
      if (input.links.length > 1) {
        await telegram.editText({ chatId: chat.chatId, messageId: statusMessage.messageId, text: linkProgressText(index + 1, input.links.length), cancelButtonFor: chat.replyTo });
      }
      const key: MediaKey = { url: link, mode, maxHeight: settings.maxHeight, maxUploadBytes: input.maxUploadBytes, albumCap: input.albumCap };
      try {
        outcomes.push(await deliverLink(input, key, statusMessage, settled, progress));
      } catch (error) {
        if (isCancellation(error)) throw error;
        const failure = describeFailure(error);
        failures.push(failure);
        progress.failedLink(failure);
        outcomes.push({ link, outcome: 'failed', failureType: failure.type });
        if (failure.type === FailureType.ChatUnavailable) break; // nobody left to send anything to
        const text = failureMessage({ ...failure, url: link, limitBytes: failure.limitBytes ?? input.maxUploadBytes });
        if (input.links.length === 1) await tellUser(telegram, input, statusMessage, text);
        else await telegram.sendText({ chatId: chat.chatId, text: `${text}\n(${link})`, replyToMessageId: chat.replyTo }).catch(warn('could not report a failed link'));
      }
    }

    const delivered = outcomes.filter((outcome) => outcome.outcome !== 'failed').length;
    if (failures.length === 0) {
      await telegram.deleteMessage({ chatId: chat.chatId, messageId: statusMessage.messageId }).catch(warn('could not delete the status message'));
    } else if (input.links.length > 1 && failures[0]?.type !== FailureType.ChatUnavailable) {
      await telegram.editText({ chatId: chat.chatId, messageId: statusMessage.messageId, text: doneSummary(delivered, input.links.length) }).catch(warn('could not update the status'));
    }
  } catch (error) {
    if (isCancellation(error)) {
      progress.end('cancelled');
      if (statusMessage) {
        const { messageId } = statusMessage;
        await CancellationScope.nonCancellable(() => telegram.editText({ chatId: chat.chatId, messageId, text: CANCELLED }).catch(warn('could not show the cancel')));
      }
      throw error;
    }
    const failure = describeFailure(error);
    failures.push(failure);
    if (failure.type !== FailureType.ChatUnavailable) {
      await tellUser(telegram, input, statusMessage, failureMessage({ ...failure, url: input.links[0] ?? '', limitBytes: failure.limitBytes ?? input.maxUploadBytes }));
    }
  }

  const first = failures[0];
  const outcome = outcomes.length > 0 && outcomes.every((link) => link.outcome === 'cached') ? 'cached' : 'delivered';
  progress.end(first ? 'failed' : outcome, first?.type);
  if (first) {
    throw ApplicationFailure.create({ type: first.type, message: first.reason, nonRetryable: true, details: [{ ...first, links: outcomes }] });
  }
  return { outcome, links: outcomes };
}

/**
 * One link: by file_id when the cache has it, after another request's download when one is
 * running, or downloaded here (and then cached for everyone).
 */
async function deliverLink(
  input: MediaRequestInput,
  key: MediaKey,
  status: SentMessage,
  settled: Map<string, CachedMedia | null>,
  progress: Progress,
): Promise<LinkOutcome> {
  const telegram = proxyActivities<TelegramActivities>({ ...telegramPolicy(input.policies), summary: `Telegram, chat ${input.chatId}` });
  const state = proxyActivities<StateActivities>({ ...statePolicy(input.policies), summary: `settings and media cache, chat ${input.chatId}` });
  const holder = workflowInfo().workflowId;
  const caption = (title?: string) => mediaCaption(title, key.url);

  for (let claims = 1; ; claims++) {
    // Forget older news before asking: the answer to this claim may be signalled at any moment.
    settled.clear();
    const claim = await state.claimMedia({ key, holder });
    let media: CachedMedia | undefined;
    if (claim.status === 'cached') media = claim.media;
    if (claim.status === 'wait') {
      progress.phase('waiting for another download');
      const arrived = await condition(() => settled.has(claim.cacheId), SHARED_DOWNLOAD_WAIT);
      media = arrived ? (settled.get(claim.cacheId) ?? undefined) : undefined;
      if (!media) continue; // the other download failed or took too long: claim again
    }
    if (media) {
      progress.phase('sending cached');
      try {
        await telegram.sendCachedMedia({ chatId: input.chatId, replyToMessageId: input.messageId, media, caption: caption(media.title) });
        return { link: key.url, outcome: 'cached', items: media.files.length };
      } catch (error) {
        if (failureTypeOf(error) !== FailureType.StaleFileId || claims > 2) throw error;
        log.warn('Telegram rejected a cached file_id; evicting it and downloading again', { cacheId: claim.cacheId });
        await state.evictMedia({ cacheId: claim.cacheId, fileId: media.files[0]!.fileId });
        continue;
      }
    }

    // claim.status === 'lease': this request downloads, for itself and for whoever waits.
    try {
      const sent = await downloadAndSend(input, key, status, caption, progress);
      await state.completeMedia({ cacheId: claim.cacheId, holder, media: sent.media });
      return { link: key.url, outcome: 'delivered', items: sent.media.files.length };
    } catch (error) {
      await CancellationScope.nonCancellable(() => state.releaseMedia({ cacheId: claim.cacheId, holder }).catch(warn('could not release the cache lease')));
      throw error;
    }
  }
}

async function downloadAndSend(
  input: MediaRequestInput,
  key: MediaKey,
  status: SentMessage,
  caption: (title?: string) => string,
  progress: Progress,
): Promise<{ media: CachedMedia }> {
  const telegram = proxyActivities<TelegramActivities>({ ...telegramPolicy(input.policies), summary: `Telegram, chat ${input.chatId}` });
  // Summaries name each call in the Web UI's event list.
  const downloads = proxyActivities<DownloadActivities>({ ...downloadPolicy(input.policies), summary: `download (${key.mode}) ${mediaHostOf(key.url)}` });
  for (let round = 1; ; round++) {
    progress.download(round);
    const download = await downloads.downloadMedia({
      requestId: workflowInfo().workflowId,
      url: key.url,
      mode: key.mode,
      maxHeight: key.maxHeight,
      maxUploadBytes: key.maxUploadBytes,
      albumCap: key.albumCap,
      status: { chatId: input.chatId, messageId: status.messageId, requestMessageId: input.messageId },
    });
    const files = download.files.length === 1 ? `a ${download.files[0]!.kind}` : `an album of ${download.files.length}`;
    const host = proxyActivities<HostActivities>({ ...hostUploadPolicy(download.hostQueue, input.policies), summary: `upload ${files} from ${download.hostQueue}` });
    const hostCleanup = proxyActivities<HostActivities>({ ...hostCleanupPolicy(download.hostQueue, input.policies), summary: `clean up on ${download.hostQueue}` });
    let hostGone = false;
    try {
      progress.phase('uploading');
      await telegram.editText({ chatId: input.chatId, messageId: status.messageId, text: UPLOADING, cancelButtonFor: input.messageId });
      const sent = await host.sendMedia({
        chatId: input.chatId,
        replyToMessageId: input.messageId,
        files: download.files,
        album: download.album,
        caption: caption(download.title ?? download.files[0]?.title),
      });
      if (download.album && download.availableItems > download.files.length) {
        await telegram.sendText({ chatId: input.chatId, text: albumCapNote(download.files.length, download.availableItems), replyToMessageId: input.messageId });
      }
      return { media: { files: sent.files, album: download.album, availableItems: download.availableItems, title: download.title ?? download.files[0]?.title } };
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
        await CancellationScope.nonCancellable(() => hostCleanup.cleanup({ dir: download.dir }).catch(warn('cleanup failed')));
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

function failureTypeOf(error: unknown): string | undefined {
  return describeFailure(error).type;
}

/** The failure type and reason of whatever ended a link, from the innermost typed failure. */
function describeFailure(error: unknown): LinkFailure {
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

async function tellUser(telegram: TelegramActivities, input: MediaRequestInput, status: SentMessage | undefined, text: string): Promise<void> {
  try {
    if (status && (await telegram.editText({ chatId: input.chatId, messageId: status.messageId, text }))) return;
    await telegram.sendText({ chatId: input.chatId, text, replyToMessageId: input.messageId });
  } catch (error) {
    // The request has failed already; not being able to say so must not hide why.
    log.warn('could not tell the user about the failure', { error: String(error) });
  }
}

function warn(what: string) {
  return (error: unknown) => {
    log.warn(what, { error: String(error) });
    return undefined;
  };
}

type Progress = ReturnType<typeof createProgress>;

/**
 * The request's visible state: the `status` query, the current details the Web UI shows, and
 * (once it ends) the RequestOutcome and FailureType search attributes.
 */
function createProgress(links: number) {
  let status: RequestStatus = { phase: 'acknowledging', link: 1, links, downloadRounds: 0 };
  const update = (change: Partial<RequestStatus>) => {
    status = { ...status, ...change };
    const where = status.links > 1 ? ` (link ${status.link} of ${status.links})` : '';
    const rounds = status.downloadRounds > 1 ? `, download round ${status.downloadRounds}` : '';
    setCurrentDetails(`**${status.phase}**${where}${rounds}${status.lastError ? `\n\nlast error: ${status.lastError}` : ''}`);
  };
  setHandler(statusQuery, () => status);
  update({});
  return {
    phase: (phase: RequestStatus['phase']) => update({ phase }),
    startLink: (link: number) => update({ link, phase: 'downloading', downloadRounds: 0 }),
    download: (round: number) => update({ phase: 'downloading', downloadRounds: round }),
    failedLink: (failure: LinkFailure) => update({ lastError: `${failure.type}: ${failure.reason}` }),
    end(outcome: RequestOutcome, failureType?: string) {
      update({ phase: outcome === 'failed' || outcome === 'cancelled' ? outcome : 'done' });
      if (patched(OUTCOME_SEARCH_ATTRIBUTES_PATCH)) {
        upsertSearchAttributes([
          { key: RequestOutcomeAttribute, value: outcome },
          ...(failureType ? [{ key: FailureTypeAttribute, value: failureType }] : []),
        ]);
      }
    },
  };
}
