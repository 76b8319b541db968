import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlaylistActivities } from '../activities/index.js';
import type { CachedMedia, MediaKey } from '../shared/activityTypes.js';
import {
  failureMessage,
  playlistFailureReason,
  playlistNothingText,
  playlistProgressText,
  playlistSummary,
  quotaRefusalText,
  text as fixedText,
} from '../shared/botTexts.js';
import type { Language } from '../shared/i18n/languages.js';
import { languageField, languageOfChat } from './language.js';
import { mediaSettledSignal } from '../shared/contracts/mediaCache.js';
import { requesterQuery, type MediaRequestInput } from '../shared/contracts/mediaRequest.js';
import {
  playlistEntryWorkflowId,
  playlistStatusQuery,
  type PlaylistEntryInput,
  type PlaylistEntryOutcome,
  type PlaylistEntryResult,
  type PlaylistInput,
  type PlaylistResult,
  type PlaylistStatus,
} from '../shared/contracts/playlist.js';
import { quotaProbeSignal } from '../shared/contracts/userQuota.js';
import { FailureType } from '../shared/failures.js';
import { entriesToList, formatPlaylistRange, selectEntries } from '../shared/playlistRange.js';
import { FailureTypeAttribute, mediaHostOf, RequestOutcomeAttribute } from '../shared/searchAttributes.js';
import { deliverLink, describeFailure, storeBackend } from './mediaRequest.js';
import { downloadPolicy } from './policies.js';
import { createProgress } from './requestStatus.js';

/**
 * Telegram's flood limits as a pace: about one message a second in a private chat, 20 a minute
 * in a group (a negative chat id). The playlist waits this long per message an entry sent before
 * the next entry starts.
 */
export function sendIntervalMs(chatId: number): number {
  return chatId < 0 ? 3_000 : 1_000;
}

/**
 * `/playlist <link> [range]`: lists the playlist with one activity on the `downloads` queue (a
 * flat probe), picks the entries asked for (at most `maxItems`), then delivers them one after the
 * other, each by its own child workflow, PlaylistEntryWorkflow (id `<this id>/<position>`).
 *
 * The status message ("item 3 of 12", with a Cancel button) is the playlist's, shared by its
 * entries. Between entries a durable timer keeps the chat's sends within Telegram's flood limits
 * ({@link sendIntervalMs}; a 429 still waits its `retry_after` through the Telegram policy). A
 * failed entry is noted and the next one starts; the summary (the status message's last edit)
 * says how many arrived and why each failed one did not, and the result lists every entry.
 * Cancel (the button or /cancel) cancels the running entry and starts no other.
 *
 * With quotas on, the playlist is admitted once, for the number of its entries, and holds one
 * slot until it ends; its entries take none of their own.
 */
export async function PlaylistWorkflow(input: PlaylistInput): Promise<PlaylistResult> {
  setHandler(requesterQuery, () => input.userId);
  setHandler(quotaProbeSignal, () => undefined);
  let status: PlaylistStatus = { phase: 'listing', entry: 0, entries: 0, delivered: 0, failed: 0 };
  const update = (change: Partial<PlaylistStatus>) => {
    status = { ...status, ...change };
    setCurrentDetails(playlistDetails(status));
  };
  setHandler(playlistStatusQuery, () => status);
  update({});

  const backend = storeBackend(input);
  const { telegram } = backend;
  const chatId = input.chatId;
  const playlistId = workflowInfo().workflowId;
  const slot = { userId: input.userId ?? input.chatId, holder: playlistId };
  let slotHeld = false;
  let statusMessageId: number | undefined;
  const outcomes: PlaylistEntryOutcome[] = [];
  const say = (text: string, cancelButton = false) =>
    statusMessageId === undefined
      ? telegram.sendText({ chatId, text, replyToMessageId: input.messageId }).then(() => undefined)
      : telegram
          .editText({
            chatId,
            messageId: statusMessageId,
            text,
            ...(cancelButton ? { cancelButtonFor: input.messageId, ...languageField(language) } : {}),
          })
          .then(() => undefined);
  const end = (outcome: 'delivered' | 'failed' | 'cancelled', failureType?: string) => {
    update({ phase: outcome === 'delivered' ? 'done' : outcome });
    upsertSearchAttributes([
      { key: RequestOutcomeAttribute, value: outcome },
      ...(failureType ? [{ key: FailureTypeAttribute, value: failureType }] : []),
    ]);
  };
  /** Ends the run as failed before any entry ran: the person reads `text`. */
  const fail = async (type: string, reason: string, text: string): Promise<never> => {
    update({ lastError: `${type}: ${reason}` });
    await say(text).catch(warn('could not tell the user'));
    end('failed', type);
    throw ApplicationFailure.create({ type, message: reason, nonRetryable: true });
  };

  let leftOut = 0;
  let missing: number[] = [];
  let total = 0;
  // The chat's language (read first, after the patch), else the sender's; undefined: English.
  let language: Language | undefined;
  try {
    language = await languageOfChat(input);
    statusMessageId = (
      await telegram.sendText({
        chatId,
        text: fixedText('playlist-listing', language),
        replyToMessageId: input.messageId,
        cancelButtonFor: input.messageId,
        ...languageField(language),
      })
    ).messageId;

    const downloads = proxyActivities<PlaylistActivities>({
      ...downloadPolicy(input.policies),
      summary: `list playlist ${mediaHostOf(input.link)}`,
    });
    const listing = await downloads
      .listPlaylist({ url: input.link, items: entriesToList(input.range, input.maxItems) })
      .catch(async (error: unknown) => {
        if (isCancellation(error)) throw error;
        // Cancelled, and the listing ended some other way meanwhile (its yt-dlp killed): a cancel.
        if (CancellationScope.current().consideredCancelled)
          throw new CancelledFailure('cancelled during the listing', [], error instanceof Error ? error : undefined);
        const failure = describeFailure(error);
        return fail(
          failure.type,
          failure.reason,
          failureMessage({ ...failure, url: input.link, limitBytes: input.maxUploadBytes }, language),
        );
      });
    const selection = selectEntries(
      input.range,
      listing.entries.map((entry) => entry.index),
      listing.availableItems,
      input.maxItems,
    );
    ({ leftOut, missing } = selection);
    const entries = selection.picked.map((index) => listing.entries.find((entry) => entry.index === index)!);
    total = entries.length;
    if (total === 0) {
      await fail(
        FailureType.NoMediaFound,
        `nothing of the range in a playlist of ${listing.availableItems}`,
        playlistNothingText(
          listing.availableItems,
          input.range ? formatPlaylistRange(input.range) : undefined,
          language,
        ),
      );
    }

    const admission = await backend.admit(slot, total, input.quota);
    if (!admission.decision.granted) {
      const refusal = admission.decision;
      await fail(FailureType.QuotaExceeded, `refused: ${refusal.reason}`, quotaRefusalText(refusal, language));
    }
    slotHeld = input.quota !== undefined;
    const settings = admission.settings;
    const mode = settings.mode;

    update({ phase: 'delivering', entries: total });
    // When the chat may receive the next message, by the pace (workflow time).
    let nextSendAt = 0;
    for (const [position, entry] of entries.entries()) {
      const wait = nextSendAt - Date.now();
      if (wait > 0) {
        update({ phase: 'pacing' });
        await sleep(wait);
      }
      update({ phase: 'delivering', entry: position + 1, index: entry.index });
      await say(playlistProgressText(position + 1, total, language), true).catch(warn('could not update the status'));
      const child: PlaylistEntryInput = {
        chatId,
        messageId: input.messageId,
        ...(input.userId !== undefined ? { userId: input.userId } : {}),
        statusMessageId,
        entry,
        mode,
        ...(settings.maxHeight !== undefined ? { maxHeight: settings.maxHeight } : {}),
        split: mode === 'video' && settings.split !== false,
        maxUploadBytes: input.maxUploadBytes,
        albumCap: input.albumCap,
        ...(input.policies ? { policies: input.policies } : {}),
        ...languageField(language),
      };
      try {
        const result = await executeChild(PlaylistEntryWorkflow, {
          workflowId: playlistEntryWorkflowId(playlistId, entry.index),
          args: [child],
          staticSummary: `playlist item ${position + 1} of ${total} (entry ${entry.index})`,
        });
        outcomes.push({ index: entry.index, url: entry.url, outcome: result.outcome, items: result.items });
        update({ delivered: status.delivered + 1 });
        nextSendAt = Date.now() + result.items * sendIntervalMs(chatId);
      } catch (error) {
        if (isCancellation(error)) throw error;
        const failure = describeFailure(error);
        outcomes.push({
          index: entry.index,
          url: entry.url,
          outcome: 'failed',
          failureType: failure.type,
          reason: failure.reason,
        });
        update({ failed: status.failed + 1, lastError: `entry ${entry.index}: ${failure.type}: ${failure.reason}` });
        // Nobody left to send anything to.
        if (failure.type === FailureType.ChatUnavailable) break;
      }
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(async () => {
      // Before any entry was picked, a plain "Cancelled"; after, what was sent of how many.
      if (statusMessageId !== undefined)
        await say(
          total === 0
            ? fixedText('cancelled', language)
            : summaryText(input, outcomes, total, leftOut, missing, true, language),
        ).catch(warn('could not show the cancel'));
      if (slotHeld) await backend.releaseSlot(slot).catch(warn('could not release the quota slot'));
    });
    end('cancelled');
    throw error;
  }

  const failed = outcomes.filter((outcome) => outcome.outcome === 'failed');
  const delivered = outcomes.length - failed.length;
  await CancellationScope.nonCancellable(async () => {
    if (failed[0]?.failureType !== FailureType.ChatUnavailable)
      await say(summaryText(input, outcomes, total, leftOut, missing, false, language)).catch(
        warn('could not show the summary'),
      );
    if (slotHeld) await backend.releaseSlot(slot).catch(warn('could not release the quota slot'));
  });
  end(delivered > 0 ? 'delivered' : 'failed', failed[0]?.failureType);
  return { entries: outcomes, delivered, failed: failed.length, leftOut, missing };
}

function summaryText(
  input: PlaylistInput,
  outcomes: PlaylistEntryOutcome[],
  total: number,
  leftOut: number,
  missing: number[],
  cancelled: boolean,
  language: Language | undefined,
): string {
  return playlistSummary(
    {
      delivered: outcomes.filter((outcome) => outcome.outcome !== 'failed').length,
      total,
      failures: outcomes
        .filter((outcome) => outcome.outcome === 'failed')
        .map((outcome) => ({
          index: outcome.index,
          reason: playlistFailureReason(
            outcome.failureType ?? FailureType.DownloadFailed,
            outcome.reason ?? '',
            language,
          ),
        })),
      leftOut,
      cap: input.maxItems,
      missing: missing.length,
      cancelled,
    },
    language,
  );
}

/** The Web UI's current details, e.g. `**delivering** item 3 of 12 (entry 5), 2 sent, 0 failed`. */
function playlistDetails(status: PlaylistStatus): string {
  const where = status.entries > 0 ? ` item ${status.entry} of ${status.entries}` : '';
  const index = status.index !== undefined ? ` (entry ${status.index})` : '';
  const lines = [`**${status.phase}**${where}${index}, ${status.delivered} sent, ${status.failed} failed`];
  if (status.lastError) lines.push(`last error: ${status.lastError}`);
  return lines.join('\n\n');
}

/**
 * One playlist entry, as a child of PlaylistWorkflow: a small workflow of its own rather than a
 * MediaRequestWorkflow, because what a media request does around its delivery is exactly what an
 * entry must not do (send its own "⏳" and delete it, take a quota slot, tell the person about a
 * failure, show "Cancelled"): the playlist does those once for all its entries. What it reuses is
 * the delivery itself, the same code a media request runs for one link (`deliverLink`: the media
 * cache, the shared download, the download, the upload and the host rounds), so entries are
 * cached and re-sent by file_id like any link, without a flag or a patch in MediaRequestWorkflow.
 *
 * Its `status` query is a media request's (one link); the status message it edits (download
 * progress, "Uploading") is the playlist's. A failure ends the child failed with its type, for
 * the playlist's summary; a cancel ends it cancelled.
 */
export async function PlaylistEntryWorkflow(input: PlaylistEntryInput): Promise<PlaylistEntryResult> {
  const settled = new Map<string, CachedMedia | null>();
  setHandler(mediaSettledSignal, ({ cacheId, media }) => {
    settled.set(cacheId, media ?? null);
  });
  setHandler(requesterQuery, () => input.userId);
  const progress = createProgress(1);
  const backend = storeBackend(input);
  const request: MediaRequestInput = {
    chatId: input.chatId,
    messageId: input.messageId,
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    links: [input.entry.url],
    mode: input.mode,
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
    ...(input.policies ? { policies: input.policies } : {}),
    ...languageField(input.language),
  };
  const key: MediaKey = {
    url: input.entry.url,
    mode: input.mode,
    maxHeight: input.maxHeight,
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
  };
  const settling: Promise<unknown>[] = [];
  progress.startLink(1);
  try {
    const { outcome } = await deliverLink(
      request,
      key,
      { messageId: input.statusMessageId },
      settled,
      progress,
      backend,
      settling,
      input.split,
    );
    await Promise.all(settling);
    const result = outcome.outcome === 'cached' ? 'cached' : 'delivered';
    progress.end(result);
    return { outcome: result, items: outcome.items ?? 1 };
  } catch (error) {
    await CancellationScope.nonCancellable(() => Promise.all(settling));
    if (isCancellation(error)) {
      progress.end('cancelled');
      throw error;
    }
    const failure = describeFailure(error);
    progress.sawError(failure.type, failure.reason);
    progress.end('failed', failure.type);
    throw ApplicationFailure.create({
      type: failure.type,
      message: failure.reason,
      nonRetryable: true,
      details: [{ ...failure, url: input.entry.url }],
    });
  }
}

function warn(what: string) {
  return (error: unknown) => {
    log.warn(what, { error: String(error) });
    return undefined;
  };
}
