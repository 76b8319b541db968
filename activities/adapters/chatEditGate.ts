/** Telegram allows about one message per second per chat; a status line needs far less. */
export const PROGRESS_EDIT_INTERVAL_MS = 3_000;

/** How Telegram answered an edit, as far as the pacing of the next ones goes. */
export type EditAnswer =
  | { kind: 'edited' }
  /** Any other failure (network, 5xx, an odd 400): the interval applies and edits go on. */
  | { kind: 'refused' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  /** 403 (bot blocked, kicked): nothing more can be edited in this chat. */
  | { kind: 'chat-gone' }
  /** 400 "message to edit not found" / "chat not found": this status cannot be edited any more. */
  | { kind: 'status-gone' };

/** `edit`: go, and report the answer; `wait`: not now, ask again later; `stop`: never again. */
export type EditTurn = 'edit' | 'wait' | 'stop';

export interface ChatEditGate {
  /** Whether status `messageId` in `chatId` may be edited now. `edit` holds the chat until {@link answered}. */
  tryEdit(chatId: number, messageId: number): EditTurn;
  /** How the edit that `tryEdit` allowed ended: frees the chat and paces its next edit. */
  answered(chatId: number, messageId: number, answer: EditAnswer): void;
  /** The status needs no more edits (its download ended): it no longer waits for a turn. */
  forget(chatId: number, messageId: number): void;
  /** Chats remembered now (idle ones are dropped). */
  readonly chats: number;
}

export interface ChatEditGateOptions {
  /** Least time between two edits to one chat, counted from the previous one's answer too. */
  intervalMs?: number;
  now?: () => number;
  /** A chat nobody asked about for this long, with nothing pending, is forgotten. */
  idleMs?: number;
  /** A status that asked within this long is still waiting for its turn (reporters ask every second). */
  waitingWindowMs?: number;
  /** An edit unanswered for this long is taken as lost: it holds the chat no longer. */
  lostEditMs?: number;
}

interface StatusTurns {
  firstAskedAt: number;
  askedAt: number;
  lastEditAt: number;
  stopped: boolean;
}

interface ChatTurns {
  nextEditAt: number;
  editing?: { messageId: number; since: number };
  gone: boolean;
  touchedAt: number;
  statuses: Map<number, StatusTurns>;
}

/**
 * The progress edits of one worker process, paced per chat: whichever download makes them, the
 * edits to a chat are at least `intervalMs` apart (from the previous edit's answer too), one at a
 * time; a 429 silences the chat for `retry_after`; a 403 ends the edits to the chat, a vanished
 * status ends the edits to it. Statuses of one chat take turns: the one edited longest ago goes
 * first. Pure bookkeeping on an injected clock; chats idle for `idleMs` are dropped.
 */
export function createChatEditGate(options: ChatEditGateOptions = {}): ChatEditGate {
  const intervalMs = options.intervalMs ?? PROGRESS_EDIT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const idleMs = options.idleMs ?? 60_000;
  const waitingWindowMs = options.waitingWindowMs ?? 2_000;
  const lostEditMs = options.lostEditMs ?? 30_000;
  const chats = new Map<number, ChatTurns>();
  let sweptAt = now();

  const editing = (chat: ChatTurns, t: number) => chat.editing !== undefined && t - chat.editing.since < lostEditMs;

  function sweep(t: number): void {
    if (t - sweptAt < idleMs / 2) return;
    sweptAt = t;
    for (const [chatId, chat] of chats) {
      for (const [messageId, status] of chat.statuses)
        if (t - status.askedAt >= idleMs) chat.statuses.delete(messageId);
      if (!editing(chat, t) && t >= chat.nextEditAt && t - chat.touchedAt >= idleMs) chats.delete(chatId);
    }
  }

  function chatOf(chatId: number, t: number): ChatTurns {
    let chat = chats.get(chatId);
    if (!chat) {
      chat = { nextEditAt: t, gone: false, touchedAt: t, statuses: new Map() };
      chats.set(chatId, chat);
    }
    chat.touchedAt = t;
    return chat;
  }

  function statusOf(chat: ChatTurns, messageId: number, t: number): StatusTurns {
    let status = chat.statuses.get(messageId);
    if (!status) {
      status = { firstAskedAt: t, askedAt: t, lastEditAt: -Infinity, stopped: false };
      chat.statuses.set(messageId, status);
    }
    return status;
  }

  /** Whether `a` has waited longer for an edit than `b`. */
  const before = (a: StatusTurns, b: StatusTurns) =>
    a.lastEditAt < b.lastEditAt || (a.lastEditAt === b.lastEditAt && a.firstAskedAt < b.firstAskedAt);

  return {
    tryEdit(chatId, messageId) {
      const t = now();
      sweep(t);
      const chat = chatOf(chatId, t);
      const mine = statusOf(chat, messageId, t);
      mine.askedAt = t;
      if (chat.gone || mine.stopped) return 'stop';
      if (editing(chat, t) || t < chat.nextEditAt) return 'wait';
      for (const [otherId, other] of chat.statuses) {
        if (otherId !== messageId && !other.stopped && t - other.askedAt <= waitingWindowMs && before(other, mine))
          return 'wait';
      }
      chat.editing = { messageId, since: t };
      chat.nextEditAt = t + intervalMs;
      mine.lastEditAt = t;
      return 'edit';
    },

    answered(chatId, messageId, answer) {
      const t = now();
      const chat = chatOf(chatId, t);
      if (chat.editing?.messageId === messageId) chat.editing = undefined;
      // Counted from the answer too: the next edit reaches Telegram at least the interval after
      // this one did, however long this one took on the way.
      chat.nextEditAt = Math.max(chat.nextEditAt, t + intervalMs);
      if (answer.kind === 'rate-limited')
        chat.nextEditAt = Math.max(chat.nextEditAt, t + answer.retryAfterSeconds * 1000);
      if (answer.kind === 'chat-gone') chat.gone = true;
      if (answer.kind === 'status-gone') statusOf(chat, messageId, t).stopped = true;
    },

    forget(chatId, messageId) {
      chats.get(chatId)?.statuses.delete(messageId);
    },

    get chats() {
      return chats.size;
    },
  };
}
