import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  deprecatePatch,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import { mediaHostOf } from '../shared/searchAttributes.js';
import { formatClipRange } from '../shared/clipRange.js';
import { TimeoutType } from '@temporalio/common';
import type { DownloadActivities, HostActivities, StoreActivities, TelegramActivities } from '../activities/index.js';
import { DEFAULT_SETTINGS, isGroupChat, type ChatSettings } from '../shared/contracts/chatSettings.js';
import { FailureType, isLinkFault } from '../shared/failures.js';
import { mediaSettledSignal } from '../shared/contracts/mediaCache.js';
import {
  albumCapNote,
  doneSummary,
  failedLinkText,
  failureMessage,
  linkProgressText,
  mediaCaption,
  quotaRefusalText,
  text as fixedText,
} from '../shared/botTexts.js';
import { languageField, spokenLanguage } from './language.js';
import {
  downloadPolicy,
  hostCleanupPolicy,
  hostUploadPolicy,
  localStatePolicy,
  localTelegramPolicy,
  MAX_HOST_ROUNDS,
} from './policies.js';
import type { QuotaDecision, QuotaLimits, QuotaRefusal } from '../shared/quotaWindow.js';
import { createProgress, type Progress } from './requestStatus.js';
import { createQualityPicker } from './qualityPicker.js';
import { applyQualityChoice } from '../shared/qualityChoice.js';
import type { CacheClaim, CachedMedia, MediaKey, SentMessage } from '../shared/activityTypes.js';
import {
  requesterQuery,
  type LinkOutcome,
  type MediaRequestInput,
  type MediaRequestResult,
} from '../shared/contracts/mediaRequest.js';
import { quotaProbeSignal } from '../shared/contracts/userQuota.js';

/**
 * The patch after which a request keeps its quota slot, its chat's settings and its media cache
 * entry in the state store, through local activities, and makes its quick Bot API calls ("⏳",
 * edits, deletion, re-sends by file_id) as local activities too: markers in its history instead of
 * activity tasks, and no entity workflow per user and per media.
 *
 * Deprecated (`deprecatePatch`), its old branch removed: a request runs minutes (its download,
 * upload and host rounds are bounded by their timeouts and attempts, a wait for another download
 * by 15 minutes), so a deployment that has run this code for longer than that has no open run
 * from before the patch. Runs since then recorded its marker and still replay (test/histories/
 * light-request/). The call can go once no run that recorded the marker can be open or replayed.
 *
 * Only runs from before it checked the older patches (a run of this one records none of their
 * markers), so no open run can have those markers: their calls went too, with their old branches.
 * Their ids stay taken: `user-quota`, `cached-album-cap-note`, `host-gone-schedule-to-start-only`,
 * `upload-waits-for-cancel`, `outcome-search-attributes`.
 */
export const LIGHT_REQUEST_PATCH = 'state-store-local-activities';

/**
 * The patch after which a request the store calls `ignored` (a link alone in a group that answers
 * only links asked for) ends at once, quietly. Checked only for such a request: no other run
 * records its marker, so every history from before replays as it ran.
 */
export const LINKS_ASKED_PATCH = 'links-only-when-asked';

/**
 * The patch after which a failure that is the link's fault, in a group whose settings keep such
 * failures quiet (👎 or nothing), is said by no text: the ⏳ is deleted, and the message gets a 👎
 * when asked. Checked only for such a failure: no run from before it had those settings.
 */
export const QUIET_FAILURES_PATCH = 'quiet-link-failures';

/** Whether this failure is kept quiet: the link's fault, in a group that asked for 👎 or silence. */
function keptQuiet(input: MediaRequestInput, settings: ChatSettings, type: string): boolean {
  return (
    isGroupChat(input.chatId) &&
    (settings.failures === 'react' || settings.failures === 'silent') &&
    isLinkFault(type) &&
    patched(QUIET_FAILURES_PATCH)
  );
}

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
  deprecatePatch(LIGHT_REQUEST_PATCH);
  const progress = createProgress(input.links.length);
  const backend = storeBackend(input);
  const limits = input.quota;

  // Messages without a sender (rare: some channel-linked groups) count against the chat.
  const slot = { userId: input.userId ?? input.chatId, holder: workflowInfo().workflowId };
  let refused = false;
  try {
    const admission = await backend.admit(slot, input.links.length, limits, input.explicit).catch((error: unknown) => {
      // Cancelled before serveLinks could record it.
      if (isCancellation(error)) progress.end('cancelled');
      throw error;
    });
    // From here on `language` is the one the run writes in (the chat's, else the sender's;
    // absent: English), not the sender's any more.
    const { language: _sender, ...rest } = input;
    const spoken: MediaRequestInput = { ...rest, ...languageField(spokenLanguage(admission.settings, input)) };
    // A link alone in a group that answers only links asked for: nothing said, no slot taken.
    if (admission.ignored && patched(LINKS_ASKED_PATCH)) {
      refused = true;
      progress.end('ignored');
      return { outcome: 'ignored', links: [] };
    }
    if (!admission.decision.granted) {
      refused = true;
      return await refuse(spoken, admission.decision, progress, backend);
    }
    return await serveLinks(spoken, progress, backend, admission.settings);
  } finally {
    if (limits && !refused) {
      await CancellationScope.nonCancellable(() =>
        backend.releaseSlot(slot).catch(warn('could not release the quota slot')),
      );
    }
  }
}

/** What a request asks for and where: its slot, its chat's settings, the media cache and the Bot API calls of the workflow worker. */
export interface RequestBackend {
  telegram: TelegramActivities;
  /** The quota slot (when there are limits) and the chat's settings. */
  admit(
    slot: Slot,
    links: number,
    limits: QuotaLimits | undefined,
    explicit?: boolean,
  ): Promise<{ decision: QuotaDecision; settings: ChatSettings; ignored?: true }>;
  releaseSlot(slot: Slot): Promise<void>;
  claim(input: { key: MediaKey; holder: string }): Promise<CacheClaim>;
  complete(input: { cacheId: string; holder: string; media: CachedMedia }): Promise<void>;
  release(input: { cacheId: string; holder: string }): Promise<void>;
  evict(input: { cacheId: string; fileId: string }): Promise<boolean>;
}

type Slot = { userId: number; holder: string };

/** The state store and the workflow worker's own Bot API calls, as local activities. */
export function storeBackend(input: Pick<MediaRequestInput, 'chatId' | 'policies'>): RequestBackend {
  const store = proxyLocalActivities<StoreActivities>({
    ...localStatePolicy(input.policies),
    summary: `state store, chat ${input.chatId}`,
  });
  return {
    telegram: proxyLocalActivities<TelegramActivities>({
      ...localTelegramPolicy(input.policies),
      summary: `Telegram, chat ${input.chatId}`,
    }),
    async admit(slot, links, limits, explicit) {
      try {
        return await store.admitRequest({
          chatId: input.chatId,
          ...slot,
          links,
          limits,
          ...(explicit === false ? { explicit } : {}),
        });
      } catch (error) {
        if (isCancellation(error)) throw error;
        // A sick store must not take the bot down: served without a slot, in the default mode.
        log.warn(
          'the state store did not answer; serving the request without a quota slot, with the default settings',
          { error: String(error) },
        );
        return { decision: { granted: true }, settings: DEFAULT_SETTINGS };
      }
    },
    releaseSlot: (slot) => store.releaseQuotaSlot(slot),
    claim: (claim) => store.claimCachedMedia(claim),
    complete: (done) => store.completeCachedMedia(done),
    release: (lease) => store.releaseCachedMedia(lease),
    evict: (stale) => store.evictCachedMedia(stale),
  };
}

/** Tells the person why nothing happens and when to send the link again; the run fails as QuotaExceeded. */
async function refuse(
  input: MediaRequestInput,
  refusal: QuotaRefusal,
  progress: Progress,
  { telegram }: RequestBackend,
): Promise<never> {
  const reason =
    refusal.reason === 'concurrent'
      ? `${refusal.running} requests of this user running (limit ${refusal.limit})`
      : `${refusal.sent} links from this user in the last hour (limit ${refusal.limit}); room again in ${Math.ceil(refusal.retryAfterMs / 1000)} s`;
  await telegram
    .sendText({
      chatId: input.chatId,
      text: quotaRefusalText(refusal, input.language),
      replyToMessageId: input.messageId,
    })
    .catch(warn('could not send the quota refusal'));
  const failure: LinkFailure = { type: FailureType.QuotaExceeded, reason };
  progress.sawError(failure.type, failure.reason);
  progress.end('failed', failure.type);
  const links: LinkOutcome[] = input.links.map((link) => ({ link, outcome: 'failed', failureType: failure.type }));
  throw ApplicationFailure.create({
    type: failure.type,
    message: reason,
    nonRetryable: true,
    details: [{ ...failure, quota: refusal, links }],
  });
}

/** The links of the message, one after the other (see {@link MediaRequestWorkflow}). */
async function serveLinks(
  input: MediaRequestInput,
  progress: Progress,
  backend: RequestBackend,
  settings: ChatSettings,
): Promise<MediaRequestResult> {
  const settled = new Map<string, CachedMedia | null>();
  setHandler(mediaSettledSignal, ({ cacheId, media }) => {
    settled.set(cacheId, media ?? null);
  });

  const { telegram } = backend;
  const chat = { chatId: input.chatId, replyTo: input.messageId };
  let statusMessage: SentMessage | undefined;
  const outcomes: LinkOutcome[] = [];
  const failures: LinkFailure[] = [];
  // Failures the group asked to keep quiet (👎 or nothing): said by no text.
  let quietFailures = 0;
  // Set when the last link's media went out by upload: it is in the chat, so a cancel arriving
  // now must not cut the run short (and show "Cancelled") either.
  let lastLinkShielded = false;
  // Cache entries being recorded while the request goes on (awaited before it ends).
  const settling: Promise<unknown>[] = [];
  try {
    statusMessage = await telegram.sendText({
      chatId: chat.chatId,
      text: fixedText('acknowledged', input.language),
      replyToMessageId: chat.replyTo,
      cancelButtonFor: chat.replyTo,
      ...languageField(input.language),
    });
    // /audio says what the person wants; otherwise a chat that asks each time shows the picker.
    const picker =
      settings.ask && input.mode === undefined ? createQualityPicker(input, telegram, progress) : undefined;

    for (const [index, link] of input.links.entries()) {
      // A range changes only what the calls carry (key, download input, caption), never which
      // calls a run makes: no patch, and runs without ranges send exactly what they sent before.
      const clip = input.clips?.[index] ?? undefined;
      progress.startLink(index + 1, clip);
      const statusText =
        input.links.length > 1
          ? linkProgressText(index + 1, input.links.length, input.language)
          : fixedText('acknowledged', input.language);
      if (input.links.length > 1) {
        await telegram.editText({
          chatId: chat.chatId,
          messageId: statusMessage.messageId,
          text: statusText,
          cancelButtonFor: chat.replyTo,
          ...languageField(input.language),
        });
      }
      // The choice is part of the cache key through the mode and the height cap.
      const picked = await picker?.ask(index + 1, link, statusMessage, statusText);
      const { mode, maxHeight } = picked
        ? applyQualityChoice(picked)
        : { mode: input.mode ?? settings.mode, maxHeight: settings.maxHeight };
      // Splitting changes what the download may return (parts), not which calls a run makes: no patch.
      const split = mode === 'video' && settings.split !== false;
      const key: MediaKey = {
        url: link,
        mode,
        maxHeight,
        maxUploadBytes: input.maxUploadBytes,
        albumCap: input.albumCap,
        ...(clip ? { clip } : {}),
      };
      // The same media twice in one message: the second finds the first's file_ids.
      if (settling.length > 0) await Promise.all(settling);
      try {
        const delivered = await deliverLink(input, key, statusMessage, settled, progress, backend, settling, split);
        outcomes.push(delivered.outcome);
        // With links left, a pending cancel stops the next one and the run ends cancelled.
        lastLinkShielded = delivered.shielded;
      } catch (error) {
        if (isCancellation(error)) throw error;
        const failure = describeFailure(error);
        failures.push(failure);
        progress.sawError(failure.type, failure.reason);
        outcomes.push({ link, outcome: 'failed', failureType: failure.type });
        if (failure.type === FailureType.ChatUnavailable) break; // nobody left to send anything to
        if (keptQuiet(input, settings, failure.type)) {
          quietFailures += 1;
          continue;
        }
        const text = failureMessage(
          { ...failure, url: link, limitBytes: failure.limitBytes ?? input.maxUploadBytes },
          input.language,
        );
        if (input.links.length === 1) await tellUser(telegram, input, statusMessage, text);
        else
          await telegram
            .sendText({
              chatId: chat.chatId,
              text: failedLinkText(text, link, input.language),
              replyToMessageId: chat.replyTo,
            })
            .catch(warn('could not report a failed link'));
      }
    }

    const delivered = outcomes.filter((outcome) => outcome.outcome !== 'failed').length;
    const { messageId } = statusMessage;
    if (failures.length === 0) {
      await Promise.all([
        shieldIf(lastLinkShielded, () =>
          telegram.deleteMessage({ chatId: chat.chatId, messageId }).catch(warn('could not delete the status message')),
        ),
        ...settling,
      ]);
    } else if (quietFailures === failures.length) {
      // Every failure was the link's own in a group that keeps them quiet: the ⏳ goes, and
      // with 'react' the message gets a 👎 (a courtesy: neither may fail the request).
      const { messageId: requestMessageId } = input;
      await shieldIf(lastLinkShielded, async () => {
        await telegram
          .deleteMessage({ chatId: chat.chatId, messageId })
          .catch(warn('could not delete the status message'));
        if (settings.failures === 'react')
          await telegram
            .reactToMessage({ chatId: chat.chatId, messageId: requestMessageId, emoji: '👎' })
            .catch(warn('could not react to the message'));
      });
    } else if (input.links.length > 1 && failures[0]?.type !== FailureType.ChatUnavailable) {
      await shieldIf(lastLinkShielded, () =>
        telegram
          .editText({
            chatId: chat.chatId,
            messageId,
            text: doneSummary(delivered, input.links.length, input.language),
          })
          .catch(warn('could not update the status')),
      );
    }
  } catch (error) {
    if (isCancellation(error)) {
      progress.end('cancelled');
      if (statusMessage) {
        const { messageId } = statusMessage;
        await CancellationScope.nonCancellable(() =>
          telegram
            .editText({ chatId: chat.chatId, messageId, text: fixedText('cancelled', input.language) })
            .catch(warn('could not show the cancel')),
        );
      }
      throw error;
    }
    const failure = describeFailure(error);
    failures.push(failure);
    progress.sawError(failure.type, failure.reason);
    if (failure.type !== FailureType.ChatUnavailable) {
      await tellUser(
        telegram,
        input,
        statusMessage,
        failureMessage(
          {
            ...failure,
            url: input.links[0] ?? '',
            limitBytes: failure.limitBytes ?? input.maxUploadBytes,
          },
          input.language,
        ),
      );
    }
  } finally {
    await Promise.all(settling);
  }

  const first = failures[0];
  const outcome = outcomes.length > 0 && outcomes.every((link) => link.outcome === 'cached') ? 'cached' : 'delivered';
  progress.end(first ? 'failed' : outcome, first?.type);
  if (first) {
    throw ApplicationFailure.create({
      type: first.type,
      message: first.reason,
      nonRetryable: true,
      details: [{ ...first, links: outcomes }],
    });
  }
  return { outcome, links: outcomes };
}

/**
 * One link: by file_id when the cache has it, after another request's download when one is
 * running, or downloaded here (and then cached for everyone).
 */
export async function deliverLink(
  input: MediaRequestInput,
  key: MediaKey,
  statusMessage: SentMessage,
  settled: Map<string, CachedMedia | null>,
  progress: Progress,
  backend: RequestBackend,
  settling: Promise<unknown>[],
  split: boolean,
): Promise<{ outcome: LinkOutcome; shielded: boolean }> {
  const { telegram } = backend;
  const holder = workflowInfo().workflowId;
  const caption = (title?: string) => mediaCaption(title, key.url, key.clip);

  for (let claims = 1; ; claims++) {
    // Forget older news before asking: the answer to this claim may be signalled at any moment.
    settled.clear();
    const claim = await backend.claim({ key, holder });
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
        await telegram.sendCachedMedia({
          chatId: input.chatId,
          replyToMessageId: input.messageId,
          media,
          caption: caption(media.title),
          ...languageField(input.language),
        });
      } catch (error) {
        if (failureTypeOf(error) !== FailureType.StaleFileId || claims > 2) throw error;
        log.warn('Telegram rejected a cached file_id; evicting it and downloading again', { cacheId: claim.cacheId });
        progress.sawError(FailureType.StaleFileId, 'Telegram rejected a cached file_id; downloading again');
        await backend.evict({ cacheId: claim.cacheId, fileId: media.files[0]!.fileId });
        continue;
      }
      // The media is in the chat; a note that does not arrive must not make the link fail.
      if (cutShortByCap(media.album, media.files.length, media.availableItems)) {
        await telegram
          .sendText(capNote(input, media.files.length, media.availableItems))
          .catch(warn('could not send the album cap note'));
      }
      return { outcome: { link: key.url, outcome: 'cached', items: media.files.length }, shielded: false };
    }

    // claim.status === 'lease': this request downloads, for itself and for whoever waits.
    try {
      const sent = await downloadAndSend(input, key, statusMessage, caption, progress, backend, split);
      // The media is in the chat: a cancel must not cut off what is left of the link.
      const recorded = CancellationScope.nonCancellable(() =>
        backend.complete({ cacheId: claim.cacheId, holder, media: sent }),
      );
      // The run goes on meanwhile (the status message is deleted beside it): the media is in the
      // chat, and a cache that could not record it must not make the link fail.
      settling.push(recorded.catch(warn('could not record the media in the cache')));
      return { outcome: { link: key.url, outcome: 'delivered', items: sent.files.length }, shielded: true };
    } catch (error) {
      await CancellationScope.nonCancellable(() =>
        backend.release({ cacheId: claim.cacheId, holder }).catch(warn('could not release the cache lease')),
      );
      throw error;
    }
  }
}

async function downloadAndSend(
  input: MediaRequestInput,
  key: MediaKey,
  statusMessage: SentMessage,
  caption: (title?: string) => string,
  progress: Progress,
  backend: RequestBackend,
  split: boolean,
): Promise<CachedMedia> {
  const { telegram } = backend;
  // Summaries name each call in the Web UI's event list.
  const downloads = proxyActivities<DownloadActivities>({
    ...downloadPolicy(input.policies),
    summary: `download (${key.mode}) ${mediaHostOf(key.url)}${key.clip ? ` ${formatClipRange(key.clip)}` : ''}`,
  });
  for (let round = 1; ; round++) {
    const download = await progress.downloading(round, () =>
      downloads.downloadMedia({
        requestId: workflowInfo().workflowId,
        url: key.url,
        mode: key.mode,
        maxHeight: key.maxHeight,
        maxUploadBytes: key.maxUploadBytes,
        albumCap: key.albumCap,
        ...(key.clip ? { clip: key.clip } : {}),
        ...(split ? { split: true } : {}),
        status: {
          chatId: input.chatId,
          messageId: statusMessage.messageId,
          requestMessageId: input.messageId,
          ...languageField(input.language),
        },
      }),
    );
    const files =
      download.files.length === 1
        ? `a ${download.files[0]!.kind}`
        : download.parts
          ? `a video in ${download.files.length} parts`
          : `an album of ${download.files.length}`;
    const hostCleanup = proxyActivities<HostActivities>({
      ...hostCleanupPolicy(download.hostQueue, input.policies),
      summary: `clean up on ${download.hostQueue}`,
    });
    let hostGone = false;
    // A delivered upload removed the files itself: no cleanup task needed.
    let removedByUpload = false;
    try {
      progress.uploading(download.parts ? download.files.length : undefined);
      // No Cancel button while uploading: a cancel can no longer promise that nothing arrives
      // (/cancel still works: see sendMedia, which stops only an upload Telegram has not got whole).
      await telegram.editText({
        chatId: input.chatId,
        messageId: statusMessage.messageId,
        text: fixedText('uploading', input.language),
      });
      const host = proxyActivities<HostActivities>({
        ...hostUploadPolicy(download.hostQueue, input.policies),
        summary: `upload ${files} from ${download.hostQueue}`,
      });
      const sent = await host
        .sendMedia({
          chatId: input.chatId,
          replyToMessageId: input.messageId,
          files: download.files,
          album: download.album,
          ...(download.parts ? { parts: true } : {}),
          caption: caption(download.title ?? download.files[0]?.title),
          removeDir: download.dir,
          ...languageField(input.language),
        })
        .catch((error: unknown) => {
          // Cancelled, and the upload ended without the media (failed or timed out meanwhile): a cancel.
          if (!isCancellation(error) && CancellationScope.current().consideredCancelled) {
            throw new CancelledFailure('cancelled during the upload', [], error instanceof Error ? error : undefined);
          }
          throw error;
        });
      removedByUpload = true;
      // The media is in the chat (a cancel that came once Telegram had the whole file did not
      // stop it): what is left of the link is done as for any delivery, never cancelled halfway.
      if (cutShortByCap(download.album, download.files.length, download.availableItems)) {
        await CancellationScope.nonCancellable(() =>
          telegram.sendText(capNote(input, download.files.length, download.availableItems)),
        );
      }
      return {
        files: sent.files,
        album: download.album,
        ...(download.parts ? { parts: true } : {}),
        availableItems: download.availableItems,
        title: download.title ?? download.files[0]?.title,
      };
    } catch (error) {
      hostGone = isHostGone(error);
      if (hostGone && round < MAX_HOST_ROUNDS) {
        log.warn('the download host stopped answering; downloading again on another host', {
          hostQueue: download.hostQueue,
          round,
        });
        progress.sawError('HostGone', `${download.hostQueue} did not pick up the upload; downloading again`);
        continue;
      }
      throw error;
    } finally {
      // Runs on failure and cancellation. A host that is gone cannot be reached; its worker
      // sweeps stale request dirs when it starts again.
      if (!hostGone && !removedByUpload) {
        await CancellationScope.nonCancellable(() =>
          hostCleanup.cleanup({ dir: download.dir }).catch(warn('cleanup failed')),
        );
      }
    }
  }
}

/**
 * Nobody picked up the host's task: the process that holds the file is gone. A heartbeat
 * timeout is not that: the upload started on a live host (a dead one fails its retry with
 * SCHEDULE_TO_START), and downloading again elsewhere could send the media twice.
 */
function isHostGone(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
  );
}

/** Work left once the media is in the chat: then a cancel must not cut it off halfway. */
function shieldIf<T>(shielded: boolean, work: () => Promise<T>): Promise<T> {
  return shielded ? CancellationScope.nonCancellable(work) : work();
}

/** A gallery the album cap cut short: the person is told how many items it had. */
function cutShortByCap(album: boolean, sent: number, available: number): boolean {
  return album && available > sent;
}

function capNote(input: MediaRequestInput, sent: number, available: number) {
  return {
    chatId: input.chatId,
    text: albumCapNote(sent, available, input.language),
    replyToMessageId: input.messageId,
  };
}

function failureTypeOf(error: unknown): string | undefined {
  return describeFailure(error).type;
}

/** The failure type and reason of whatever ended a link, from the innermost typed failure. */
export function describeFailure(error: unknown): LinkFailure {
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
  statusMessage: SentMessage | undefined,
  text: string,
): Promise<void> {
  try {
    if (statusMessage && (await telegram.editText({ chatId: input.chatId, messageId: statusMessage.messageId, text })))
      return;
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
