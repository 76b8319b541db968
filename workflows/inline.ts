import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  log,
  patched,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { InlineActivities, StoreActivities, TelegramActivities } from '../activities/index.js';
import type { CachedMedia, MediaKey } from '../shared/activityTypes.js';
import { cancelAnswer, failureMessage, mediaCaption, quotaRefusalText, text as fixedText } from '../shared/botTexts.js';
import { DEFAULT_SETTINGS, type ChatSettings } from '../shared/contracts/chatSettings.js';
import {
  inlineCancelSignal,
  inlineRequesterQuery,
  type InlineMediaInput,
  type InlineMediaResult,
  type InlineQueryInput,
  type InlineQueryResult,
} from '../shared/contracts/inline.js';
import { mediaSettledSignal } from '../shared/contracts/mediaCache.js';
import { requesterQuery, type MediaRequestInput } from '../shared/contracts/mediaRequest.js';
import { quotaProbeSignal } from '../shared/contracts/userQuota.js';
import { FailureType } from '../shared/failures.js';
import { deliverLink, describeFailure, storeBackend } from './mediaRequest.js';
import { inlineAnswerPolicy, localStatePolicy, localTelegramPolicy } from './policies.js';
import { createProgress } from './requestStatus.js';
import { languageField } from './language.js';

/**
 * Answers one inline query (see shared/contracts/inline.ts): the media cache is looked at (never
 * claimed: typing a link reserves nothing), then answerInlineQuery with one result. Both calls are
 * local activities with a tight policy: Telegram drops an answer that comes after ~10 seconds.
 */
export async function InlineQueryWorkflow(input: InlineQueryInput): Promise<InlineQueryResult> {
  const store = proxyLocalActivities<StoreActivities>({
    ...localStatePolicy(input.policies),
    startToCloseTimeout: '3 seconds',
    summary: `state store, user ${input.userId}`,
  });
  const inline = proxyLocalActivities<InlineActivities>({
    ...inlineAnswerPolicy(input.policies),
    summary: `answer inline query of user ${input.userId}`,
  });
  // The person's private chat settings name the default key; a sick store answers "not cached".
  const settings = await store.readChatSettings(input.userId).catch(orDefault(DEFAULT_SETTINGS));
  const key = inlineKey(input, settings);
  const media = await store.peekCachedMedia({ key }).catch(orDefault<CachedMedia | undefined>(undefined));
  if (media && media.files.length > 0) {
    await inline.answerInlineQuery({
      queryId: input.queryId,
      answer: { kind: 'cached', resultId: input.cachedResultId, media, caption: mediaCaption(media.title, key.url) },
    });
    return { answered: 'cached' };
  }
  if (!input.canDownload) {
    await inline.answerInlineQuery({ queryId: input.queryId, answer: { kind: 'none' } });
    return { answered: 'none' };
  }
  await inline.answerInlineQuery({
    queryId: input.queryId,
    answer: { kind: 'download', resultId: input.downloadResultId, link: input.link, ...languageField(input.language) },
  });
  return { answered: 'download' };
}

/**
 * Answered Cancel presses (see inlineCancelSignal): the press is answered by the run, the
 * requester's cancels its work. Runs without the marker were cancelled by the webhook itself.
 */
export const INLINE_CANCEL_PATCH = 'inline-cancel-answered';

/**
 * The chosen "⏳ Downloading…" result: the sender's quota slot (refused: the inline message says
 * when to try again), then the link delivered to STORAGE_CHAT_ID by {@link deliverLink} (cache,
 * another request's download, host rounds, exactly as in a chat), and the inline message edited
 * into that media by file_id. A failure or a cancel becomes the inline message's text. A press on
 * the Cancel button is answered here: the requester's cancels the work (the run ends cancelled),
 * anyone else's is refused and the run goes on.
 */
export async function InlineMediaWorkflow(input: InlineMediaInput): Promise<InlineMediaResult> {
  // The work the requester's Cancel press stops; the answers and the cleanup run outside it.
  const work = new CancellationScope();
  if (patched(INLINE_CANCEL_PATCH)) {
    const answer = proxyLocalActivities<InlineActivities & Pick<TelegramActivities, 'answerButton'>>({
      ...localTelegramPolicy(input.policies),
      summary: 'answer the Cancel button',
    });
    setHandler(inlineCancelSignal, async (press) => {
      const mine = press.userId === input.userId;
      if (mine) work.cancel();
      const language = press.language ?? input.language;
      const text = mine ? fixedText('cancelled', language) : cancelAnswer(0, 1, language);
      await CancellationScope.nonCancellable(() =>
        answer
          .answerButton({ callbackQueryId: press.callbackQueryId, text })
          .catch(warn('could not answer the Cancel button')),
      );
    });
    try {
      return await work.run(() => serveInline(input));
    } catch (error) {
      // The requester's press: the run ends with a plain cancel, not the stopped activity's failure.
      if (work.consideredCancelled && isCancellation(error) && !(error instanceof CancelledFailure))
        throw new CancelledFailure('cancelled by the Cancel button of the inline message');
      throw error;
    } finally {
      // Every press gets its answer before the run ends.
      await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    }
  }
  return serveInline(input);
}

async function serveInline(input: InlineMediaInput): Promise<InlineMediaResult> {
  setHandler(inlineRequesterQuery, () => input.userId);
  setHandler(requesterQuery, () => input.userId);
  setHandler(quotaProbeSignal, () => undefined);
  const settled = new Map<string, CachedMedia | null>();
  setHandler(mediaSettledSignal, ({ cacheId, media }) => {
    settled.set(cacheId, media ?? null);
  });
  const progress = createProgress(1);
  // The person's own settings (their private chat's) and quota; the Bot API calls go to the storage chat.
  const backend = storeBackend({ chatId: input.userId, policies: input.policies });
  const inline = proxyLocalActivities<InlineActivities>({
    ...localTelegramPolicy(input.policies),
    summary: 'edit the inline message',
  });
  const language = input.language;
  const holder = workflowInfo().workflowId;
  const slot = { userId: input.userId, holder };
  const say = (text: string) =>
    inline
      .editInlineText({ inlineMessageId: input.inlineMessageId, text })
      .catch(warn('could not edit the inline message'));
  let slotHeld = false;
  try {
    const admission = await backend.admit(slot, 1, input.quota);
    if (!admission.decision.granted) {
      const refusal = admission.decision;
      await say(quotaRefusalText(refusal, language));
      progress.end('failed', FailureType.QuotaExceeded);
      throw ApplicationFailure.create({
        type: FailureType.QuotaExceeded,
        message: `quota: ${refusal.reason}`,
        nonRetryable: true,
        details: [{ quota: refusal }],
      });
    }
    slotHeld = input.quota !== undefined;
    const key = inlineKey(input, admission.settings);
    const media = await deliver(input, key, admission.settings, backend, settled, progress);
    const file = media.files[0]!;
    await inline.editInlineMedia({
      inlineMessageId: input.inlineMessageId,
      file,
      caption: mediaCaption(media.title, key.url),
    });
    progress.end(media.cached ? 'cached' : 'delivered');
    return { outcome: media.cached ? 'cached' : 'delivered', fileId: file.fileId };
  } catch (error) {
    if (isCancellation(error)) {
      progress.end('cancelled');
      await CancellationScope.nonCancellable(() => say(fixedText('cancelled', language)));
      throw error;
    }
    if (error instanceof ApplicationFailure && error.type === FailureType.QuotaExceeded) throw error;
    const failure = describeFailure(error);
    progress.sawError(failure.type, failure.reason);
    progress.end('failed', failure.type);
    await CancellationScope.nonCancellable(() =>
      say(
        failureMessage(
          { ...failure, url: input.link, limitBytes: failure.limitBytes ?? input.maxUploadBytes },
          language,
        ),
      ),
    );
    throw ApplicationFailure.create({
      type: failure.type,
      message: failure.reason,
      nonRetryable: true,
      details: [{ ...failure, link: input.link }],
    });
  } finally {
    if (slotHeld) {
      await CancellationScope.nonCancellable(() =>
        backend.releaseSlot(slot).catch(warn('could not release the quota slot')),
      );
    }
  }
}

/**
 * The media of the link, with its file_ids: from the cache at once, else delivered to the
 * storage chat by {@link deliverLink} (under a status message there, deleted afterwards) and read
 * back from the cache it recorded.
 */
async function deliver(
  input: InlineMediaInput,
  key: MediaKey,
  settings: ChatSettings,
  backend: ReturnType<typeof storeBackend>,
  settled: Map<string, CachedMedia | null>,
  progress: ReturnType<typeof createProgress>,
): Promise<CachedMedia & { cached: boolean }> {
  const holder = workflowInfo().workflowId;
  const first = await backend.claim({ key, holder });
  if (first.status === 'cached') return { ...first.media, cached: true };
  // The storage chat's Bot API calls: its status message, the upload, the cleanup.
  const storage = storeBackend({ chatId: input.storageChatId, policies: input.policies });
  const status = await storage.telegram
    .sendText({ chatId: input.storageChatId, text: fixedText('acknowledged', input.language) })
    .catch(async (error: unknown) => {
      // The lease taken above is given back: whoever waits for this media must not wait for nothing.
      if (first.status === 'lease') {
        await CancellationScope.nonCancellable(() =>
          backend.release({ cacheId: first.cacheId, holder }).catch(warn('could not release the cache lease')),
        );
      }
      throw error;
    });
  const request: MediaRequestInput = {
    chatId: input.storageChatId,
    messageId: status.messageId,
    userId: input.userId,
    links: [input.link],
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
    ...(input.policies ? { policies: input.policies } : {}),
    ...languageField(input.language),
  };
  const settling: Promise<unknown>[] = [];
  try {
    const split = key.mode === 'video' && settings.split !== false;
    await deliverLink(
      request,
      key,
      status,
      settled,
      progress,
      { ...backend, telegram: storage.telegram },
      settling,
      split,
    );
    await Promise.all(settling);
  } finally {
    await CancellationScope.nonCancellable(() =>
      storage.telegram
        .deleteMessage({ chatId: input.storageChatId, messageId: status.messageId })
        .catch(warn('could not delete the storage status message')),
    );
  }
  const after = await backend.claim({ key, holder });
  if (after.status === 'cached') return { ...after.media, cached: false };
  // Delivered but not recorded (a sick store): nothing to put into the inline message.
  await backend.release({ cacheId: after.cacheId, holder }).catch(warn('could not release the cache lease'));
  throw ApplicationFailure.create({
    type: FailureType.DownloadFailed,
    message: 'the media was uploaded to the storage chat but its file_id was not recorded',
    nonRetryable: true,
  });
}

/** The link's cache key as a chat with these settings asks for it (no picker, no range inline). */
function inlineKey(
  input: { link: string; maxUploadBytes: number; albumCap: number },
  settings: ChatSettings,
): MediaKey {
  return {
    url: input.link,
    mode: settings.mode,
    maxHeight: settings.maxHeight,
    maxUploadBytes: input.maxUploadBytes,
    albumCap: input.albumCap,
  };
}

function orDefault<T>(value: T) {
  return (error: unknown): T => {
    if (isCancellation(error)) throw error;
    log.warn('the state store did not answer; going on without it', { error: String(error) });
    return value;
  };
}

function warn(what: string) {
  return (error: unknown) => {
    log.warn(what, { error: String(error) });
    return undefined;
  };
}
