import type { Update } from 'grammy/types';
import { INLINE_CANCEL_DATA } from '../../shared/contracts/inline.js';
import { normalizeLanguage } from '../../shared/i18n/languages.js';
import type { PolicyOverrides } from '../../shared/policyOverrides.js';
import type { QuotaLimits } from '../../shared/quotaWindow.js';
import type { Logger } from '../logger.js';
import type { StartOutcome, WorkflowStarter } from '../temporal/starter.js';
import { inlineAllowed, inlineResultId, interpretInlineUpdate, isInlineUpdate } from './inlineUpdates.js';

/** What handleInlineUpdate needs of the update handler's deps (see UpdateHandlerDeps). */
export interface InlineHandlerDeps {
  starter: Pick<WorkflowStarter, 'startInlineQuery' | 'startInlineMedia' | 'cancelInlineMedia'>;
  maxUploadBytes: number;
  albumCap: number;
  policies: PolicyOverrides;
  allowedChatIds?: ReadonlySet<number>;
  quota?: QuotaLimits;
  storageChatId?: number;
  logger: Logger;
}

export type InlineOutcome =
  | { action: 'ignored'; reason: string }
  | { action: StartOutcome; workflow: 'inline' }
  | { action: 'signalled'; workflow: 'inline' };

/**
 * The inline updates: `inline_query`, `chosen_inline_result`, and a press on the Cancel button of
 * an inline message (a callback query with `inline_message_id` and no message). Anything else:
 * undefined, for handleUpdate's own path.
 */
export async function handleInlineUpdate(update: Update, deps: InlineHandlerDeps): Promise<InlineOutcome | undefined> {
  const log = deps.logger.child({ updateId: update.update_id });
  const press = update.callback_query;
  if (press && typeof press.inline_message_id === 'string' && press.data === INLINE_CANCEL_DATA) {
    const userId = press.from?.id;
    if (!Number.isSafeInteger(userId)) return { action: 'ignored', reason: 'inline button without a sender' };
    if (typeof press.id !== 'string' || press.id === '')
      return { action: 'ignored', reason: 'inline button without an id' };
    // The run answers the press (Cancelled, or not yours); the webhook only tells it who pressed.
    const language = normalizeLanguage(press.from.language_code);
    const result = await deps.starter.cancelInlineMedia({
      inlineMessageId: press.inline_message_id,
      userId,
      callbackQueryId: press.id,
      ...(language ? { language } : {}),
    });
    log.info({ userId, result }, 'inline cancel pressed');
    return result === 'signalled'
      ? { action: 'signalled', workflow: 'inline' }
      : { action: 'ignored', reason: `inline cancel: ${result}` };
  }
  if (!isInlineUpdate(update)) return undefined;

  const intent = interpretInlineUpdate(update);
  if (intent.kind === 'ignore') {
    log.debug({ reason: intent.reason }, 'inline update ignored');
    return { action: 'ignored', reason: intent.reason };
  }
  // No chat: the sender alone is on ALLOWED_CHAT_IDS or not. A stranger gets no result, and no refusal.
  if (!inlineAllowed(deps.allowedChatIds, intent.userId)) {
    log.info({ userId: intent.userId }, 'inline update from outside ALLOWED_CHAT_IDS ignored');
    return { action: 'ignored', reason: 'not in ALLOWED_CHAT_IDS' };
  }
  const language = intent.language ? { language: intent.language } : {};
  switch (intent.kind) {
    case 'inline-query-empty':
      // Still typing: nothing to answer (Telegram shows no result).
      return { action: 'ignored', reason: 'inline query without a link' };
    case 'inline-query': {
      const action = await deps.starter.startInlineQuery({
        queryId: intent.queryId,
        userId: intent.userId,
        link: intent.link,
        downloadResultId: inlineResultId('download', intent.link),
        cachedResultId: inlineResultId('cached', intent.link),
        maxUploadBytes: deps.maxUploadBytes,
        albumCap: deps.albumCap,
        canDownload: deps.storageChatId !== undefined,
        policies: deps.policies,
        ...language,
      });
      log.info({ userId: intent.userId, action }, 'inline query');
      return { action, workflow: 'inline' };
    }
    case 'inline-chosen': {
      if (deps.storageChatId === undefined) return { action: 'ignored', reason: 'STORAGE_CHAT_ID is not set' };
      const action = await deps.starter.startInlineMedia({
        inlineMessageId: intent.inlineMessageId,
        userId: intent.userId,
        link: intent.link,
        storageChatId: deps.storageChatId,
        maxUploadBytes: deps.maxUploadBytes,
        albumCap: deps.albumCap,
        policies: deps.policies,
        quota: deps.quota,
        ...language,
      });
      log.info({ userId: intent.userId, action }, 'inline media request');
      return { action, workflow: 'inline' };
    }
  }
}
