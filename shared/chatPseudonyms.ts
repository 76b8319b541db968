/**
 * What Temporal's plaintext fields (workflow ids, the ChatId search attribute) carry for a chat.
 * Without payload encryption: the chat id itself. With it: a keyed pseudonym of the chat id,
 * HMAC-SHA256 under CHAT_ID_PSEUDONYM_KEY, so the same chat always maps to the same ids (a
 * redelivered update is still recognised, a chat still finds its settings and its running
 * requests for /cancel) while whoever reads Temporal's database cannot tell which chat it is.
 *
 * The pseudonym key is separate from the payload keys: those rotate, and a changed pseudonym
 * would split every chat's history and settings in two.
 */
import { createHmac } from 'node:crypto';

export interface ChatIds {
  /** The chat as it appears in workflow ids: `4242`, or `p<pseudonym>`. */
  idPart(chatId: number): string;
  /** The value of the ChatId search attribute (an Int): the chat id, or its pseudonym. */
  searchValue(chatId: number): number;
  /** Whether ids and the ChatId attribute hide the chat id. */
  readonly pseudonymous: boolean;
}

/** No encryption: ids and attributes show the chat id, as they always did. */
export const PLAIN_CHAT_IDS: ChatIds = {
  idPart: (chatId) => String(chatId),
  searchValue: (chatId) => chatId,
  pseudonymous: false,
};

/** 53 bits: the largest integer a JavaScript number (and the Int search attribute) holds exactly. */
const SAFE_INTEGER_SHIFT = 64n - 53n;

/**
 * A stable, positive, 53-bit pseudonym per chat. 2^53 values make two chats sharing one
 * unlikely until some hundred million chats.
 */
export function chatPseudonym(key: Buffer, chatId: number): number {
  const digest = createHmac('sha256', key).update(`telegram-chat:${chatId}`).digest();
  return Number(digest.readBigUInt64BE(0) >> SAFE_INTEGER_SHIFT);
}

export function pseudonymousChatIds(key: Buffer): ChatIds {
  return {
    // A letter first: an id part is never mistaken for a chat id (they are numbers, some negative).
    idPart: (chatId) => `p${chatPseudonym(key, chatId)}`,
    searchValue: (chatId) => chatPseudonym(key, chatId),
    pseudonymous: true,
  };
}

/** The chat ids of this deployment: pseudonymous exactly when payloads are encrypted. */
export function chatIdsFor(encryption: { chatIdPseudonymKey: Buffer } | undefined): ChatIds {
  return encryption ? pseudonymousChatIds(encryption.chatIdPseudonymKey) : PLAIN_CHAT_IDS;
}
