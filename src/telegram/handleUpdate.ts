import type { Update } from 'grammy/types';
import type { PolicyOverrides } from '../../shared/policyOverrides.js';
import { privateBotText } from '../../shared/botTexts.js';
import { replyText, type ReplyMessage } from '../../shared/contracts/commands.js';
import type { QuotaLimits } from '../../shared/quotaWindow.js';
import { DEFAULT_MAX_PLAYLIST_ITEMS } from '../../shared/playlistRange.js';
import type { Logger } from '../logger.js';
import type { StartOutcome, WorkflowStarter } from '../temporal/starter.js';
import { isAllowed, originOf } from './allowlist.js';
import { interpretUpdate } from './updates.js';
import { handleInlineUpdate } from './handleInline.js';

export interface UpdateHandlerDeps {
  starter: WorkflowStarter;
  /** The bot's own username (getMe, learned at start): commands for other bots are not ours. */
  botUsername: string;
  maxUploadBytes: number;
  albumCap: number;
  /** PICKER_TIMEOUT_SECONDS: travels in each media request's input. */
  pickerTimeoutSeconds?: number;
  /** MAX_PLAYLIST_ITEMS: travels in each playlist's input (default 20). */
  maxPlaylistItems?: number;
  policies: PolicyOverrides;
  /** ALLOWED_CHAT_IDS; undefined: everyone is served. */
  allowedChatIds?: ReadonlySet<number>;
  /** QUOTA_*: travels in each media request's input; undefined: no quota. */
  quota?: QuotaLimits;
  /** STORAGE_CHAT_ID: inline mode uploads there; undefined: inline offers cached media only. */
  storageChatId?: number;
  logger: Logger;
}

export type HandleOutcome =
  | { action: 'ignored'; reason: string }
  | { action: StartOutcome; workflow: 'media' | 'playlist' | 'reply' | 'settings' | 'cancel' | 'refusal' | 'inline' }
  | { action: 'signalled'; workflow: 'media' | 'inline' };

/**
 * The one path from an update to Temporal, shared by the webhook and long polling. It only
 * starts a workflow (never downloads, never calls Telegram); it throws when Temporal did not
 * acknowledge the start, so the caller can make Telegram deliver the update again.
 *
 * With ALLOWED_CHAT_IDS, a message whose chat and sender are both unlisted starts no request,
 * command or settings change: only a reply saying the bot is private, once per chat and hour.
 */
export async function handleUpdate(update: Update, deps: UpdateHandlerDeps): Promise<HandleOutcome> {
  // Inline mode (inline queries, chosen results, an inline message's Cancel): src/telegram/handleInline.ts.
  const inline = await handleInlineUpdate(update, deps);
  if (inline) return inline;
  const intent = interpretUpdate(update, deps.botUsername);
  const log = deps.logger.child({ updateId: update.update_id });
  const { policies, starter } = deps;
  if (intent.kind === 'ignore') {
    log.debug({ reason: intent.reason }, 'update ignored');
    return { action: 'ignored', reason: intent.reason };
  }
  const origin = originOf(update);
  if (deps.allowedChatIds && (!origin || !isAllowed(deps.allowedChatIds, origin))) {
    // Nothing starts for a stranger: a message gets one refusal per chat and hour, a button press nothing.
    if (!origin || origin.kind === 'button' || origin.messageId === undefined) {
      log.info({ chatId: origin?.chatId }, 'update from outside ALLOWED_CHAT_IDS ignored');
      return { action: 'ignored', reason: 'not in ALLOWED_CHAT_IDS' };
    }
    const action = await starter.startStrangerRefusal({
      chatId: origin.chatId,
      messageId: origin.messageId,
      date: origin.date ?? 0,
      text: privateBotText(intent.language),
      policies,
    });
    log.info({ chatId: origin.chatId, userId: origin.userId, action }, 'message from outside ALLOWED_CHAT_IDS refused');
    return { action, workflow: 'refusal' };
  }
  const language = intent.language ? { language: intent.language } : {};
  // A reply names its text, so that its workflow can write it in the chat's language.
  const reply = (to: { chatId: number; messageId: number }, message: ReplyMessage) =>
    starter.startReply({
      chatId: to.chatId,
      messageId: to.messageId,
      text: replyText(message, intent.language),
      message,
      ...language,
      policies,
    });
  switch (intent.kind) {
    case 'help':
    case 'no-link': {
      const action = await reply(intent, { key: intent.kind });
      log.info({ chatId: intent.chatId, action }, 'reply requested');
      return { action, workflow: 'reply' };
    }
    case 'invalid-range': {
      const action = await reply(intent, { key: 'invalid-range', problem: intent.problem });
      log.info({ chatId: intent.chatId, action }, 'invalid clip range answered');
      return { action, workflow: 'reply' };
    }
    case 'invalid-playlist-range': {
      const action = await reply(intent, { key: 'playlist-range', problem: intent.problem });
      log.info({ chatId: intent.chatId, action }, 'invalid playlist range answered');
      return { action, workflow: 'reply' };
    }
    case 'playlist': {
      const action = await starter.startPlaylist({
        chatId: intent.chatId,
        messageId: intent.messageId,
        userId: intent.userId,
        link: intent.link,
        ...(intent.range ? { range: intent.range } : {}),
        maxItems: deps.maxPlaylistItems ?? DEFAULT_MAX_PLAYLIST_ITEMS,
        maxUploadBytes: deps.maxUploadBytes,
        albumCap: deps.albumCap,
        policies,
        quota: deps.quota,
        ...language,
      });
      log.info({ chatId: intent.chatId, messageId: intent.messageId, action }, 'playlist request');
      return { action, workflow: 'playlist' };
    }
    case 'settings':
    case 'settings-choice': {
      const { kind: _kind, ...input } = intent;
      const action = await starter.startSettings({ ...input, policies });
      log.info({ chatId: intent.chatId, action, choice: 'choice' in intent ? intent.choice : undefined }, 'settings');
      return { action, workflow: 'settings' };
    }
    case 'quality-choice': {
      const delivered = await starter.signalQualityPress(intent);
      log.info(
        { chatId: intent.chatId, request: intent.requestMessageId, link: intent.press.link, delivered },
        'quality picker press',
      );
      // A press on the picker of a request that has ended (a late or doubled tap) changes nothing.
      if (!delivered) return { action: 'ignored', reason: 'the request of this picker has ended' };
      return { action: 'signalled', workflow: 'media' };
    }
    case 'cancel': {
      const { kind: _kind, ...input } = intent;
      const action = await starter.startCancel({ ...input, policies });
      log.info({ chatId: intent.chatId, target: intent.targetMessageId, action }, 'cancel requested');
      return { action, workflow: 'cancel' };
    }
    case 'media': {
      const action = await starter.startMediaRequest({
        chatId: intent.chatId,
        messageId: intent.messageId,
        userId: intent.userId,
        links: intent.links,
        mode: intent.mode,
        ...(intent.clips ? { clips: intent.clips } : {}),
        explicit: intent.explicit,
        maxUploadBytes: deps.maxUploadBytes,
        albumCap: deps.albumCap,
        ...(deps.pickerTimeoutSeconds === undefined ? {} : { pickerTimeoutSeconds: deps.pickerTimeoutSeconds }),
        policies,
        quota: deps.quota,
        ...language,
      });
      log.info(
        { chatId: intent.chatId, messageId: intent.messageId, links: intent.links.length, action },
        'media request',
      );
      return { action, workflow: 'media' };
    }
  }
}
