import { PLAIN_CHAT_IDS, type ChatIds } from './chatPseudonyms.js';

/**
 * Workflow ids are derived from the Telegram update, never from clocks or randomness: the same
 * update delivered twice maps to the same id, and Temporal refuses to start it again.
 *
 * Ids are stored in plaintext even when payloads are encrypted: `chats` puts a chat's (or user's)
 * pseudonym in them then (shared/chatPseudonyms.ts), the chat id itself otherwise.
 */
export function mediaRequestWorkflowId(
  key: { chatId: number; messageId: number },
  chats: ChatIds = PLAIN_CHAT_IDS,
): string {
  return `media-request-${chats.idPart(key.chatId)}-${key.messageId}`;
}

/** What every media request id of one chat starts with (to find its running requests). */
export function mediaRequestIdPrefix(chatId: number, chats: ChatIds = PLAIN_CHAT_IDS): string {
  // The prefix ends with a dash: chat 42 does not match chat 421.
  return `media-request-${chats.idPart(chatId)}-`;
}

export function replyWorkflowId(key: { chatId: number; messageId: number }, chats: ChatIds = PLAIN_CHAT_IDS): string {
  return `reply-${chats.idPart(key.chatId)}-${key.messageId}`;
}

export function settingsWorkflowId(
  key: { chatId: number; messageId: number; callbackQueryId?: string },
  chats: ChatIds = PLAIN_CHAT_IDS,
): string {
  return key.callbackQueryId
    ? `settings-choice-${key.callbackQueryId}`
    : `settings-${chats.idPart(key.chatId)}-${key.messageId}`;
}

export function cancelWorkflowId(
  key: { chatId: number; callbackQueryId?: string; commandMessageId?: number },
  chats: ChatIds = PLAIN_CHAT_IDS,
): string {
  return key.callbackQueryId
    ? `cancel-button-${key.callbackQueryId}`
    : `cancel-${chats.idPart(key.chatId)}-${key.commandMessageId}`;
}

/** A chat's settings entity (ChatSettingsWorkflow). */
export function chatSettingsWorkflowId(chatId: number, chats: ChatIds = PLAIN_CHAT_IDS): string {
  return `chat-settings-${chats.idPart(chatId)}`;
}

/** One user's quota entity (UserQuotaWorkflow): the same for every chat the user writes in. */
export function userQuotaWorkflowId(key: { userId: number }, chats: ChatIds = PLAIN_CHAT_IDS): string {
  // A user id is the id of the user's private chat with the bot: the same pseudonym.
  return `user-quota-${chats.idPart(key.userId)}`;
}

/**
 * The one "this bot is private" answer a chat outside ALLOWED_CHAT_IDS gets per hour: the hour is
 * the message's own date (UTC), so however many messages a stranger sends (or Telegram
 * redelivers) in that hour, the id is taken after the first and nothing more is sent.
 */
export function strangerRefusalWorkflowId(
  key: { chatId: number; date: number },
  chats: ChatIds = PLAIN_CHAT_IDS,
): string {
  // Dates outside what a Date holds (a hostile body) share one id: they cannot multiply replies.
  const valid = Number.isSafeInteger(key.date) && key.date > 0 && key.date < 8_640_000_000_000;
  const hour = valid ? new Date(key.date * 1000).toISOString().slice(0, 13) : 'undated';
  return `not-allowed-${chats.idPart(key.chatId)}-${hour}`;
}

/** A `/playlist` message's PlaylistWorkflow: like a media request's, from the chat and the message. */
export function playlistWorkflowId(
  key: { chatId: number; messageId: number },
  chats: ChatIds = PLAIN_CHAT_IDS,
): string {
  return `playlist-${chats.idPart(key.chatId)}-${key.messageId}`;
}

/** What every playlist id of one chat starts with (to find its running playlists). */
export function playlistIdPrefix(chatId: number, chats: ChatIds = PLAIN_CHAT_IDS): string {
  return `playlist-${chats.idPart(chatId)}-`;
}
