import { createChatEditGate, type ChatEditGate, type EditAnswer } from '../../activities/adapters/chatEditGate.js';

const INTERVAL = 3_000;
const CHAT = 4242;
const OTHER_CHAT = 5151;
const EDITED: EditAnswer = { kind: 'edited' };

let clock: number;
const now = () => clock;

function gate(options: Parameters<typeof createChatEditGate>[0] = {}): ChatEditGate {
  return createChatEditGate({ intervalMs: INTERVAL, now, ...options });
}

/** Asks for a turn and, when given one, answers it at once. */
function editNow(subject: ChatEditGate, chatId: number, messageId: number, answer: EditAnswer = EDITED): boolean {
  if (subject.tryEdit(chatId, messageId) !== 'edit') return false;
  subject.answered(chatId, messageId, answer);
  return true;
}

beforeEach(() => {
  clock = 1_000_000;
});

describe('the per-chat edit gate', () => {
  it('lets the first edit to a chat through at once, then holds the chat for the interval', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, EDITED);
    clock += INTERVAL - 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('wait');
    clock += 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
  });

  it('holds the chat for every status in it, whichever download asks', () => {
    const subject = gate();
    expect(editNow(subject, CHAT, 1)).toBe(true);
    clock += INTERVAL - 1;
    expect(subject.tryEdit(CHAT, 2)).toBe('wait');
    expect(subject.tryEdit(CHAT, 3)).toBe('wait');
  });

  it('paces each chat on its own', () => {
    const subject = gate();
    expect(editNow(subject, CHAT, 1)).toBe(true);
    expect(subject.tryEdit(OTHER_CHAT, 9)).toBe('edit');
  });

  it('counts the interval from the answer when the edit took a while', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    clock += 1_000;
    subject.answered(CHAT, 1, EDITED);
    clock += INTERVAL - 1; // 3999 ms after the edit was sent, 2999 ms after its answer
    expect(subject.tryEdit(CHAT, 1)).toBe('wait');
    clock += 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
  });

  it('allows one edit in flight per chat, however long it takes', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    clock += 5 * INTERVAL;
    expect(subject.tryEdit(CHAT, 2)).toBe('wait');
    subject.answered(CHAT, 1, EDITED);
    expect(subject.tryEdit(CHAT, 2)).toBe('wait');
    clock += INTERVAL;
    expect(subject.tryEdit(CHAT, 2)).toBe('edit');
  });

  it('takes an edit never answered as lost, so it does not hold the chat forever', () => {
    const subject = gate({ lostEditMs: 30_000 });
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    clock += 30_000 - 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('wait');
    clock += 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
  });

  it('gives the turns of a chat in rotation to the downloads running in it, never closer than the interval', () => {
    const subject = gate();
    const start = clock;
    const edits: Array<{ at: number; messageId: number }> = [];
    // Three downloads report every second, each at its own offset, for a minute.
    for (let t = 0; t < 60_000; t += 100) {
      clock = start + t;
      for (const [messageId, offset] of [
        [1, 0],
        [2, 300],
        [3, 700],
      ] as const) {
        if (t % 1_000 === offset && editNow(subject, CHAT, messageId)) edits.push({ at: t, messageId });
      }
    }
    for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(INTERVAL);
    // One every 3 to 4 s (the next download in line asks within a second of the chat opening).
    expect(edits.length).toBeGreaterThanOrEqual(15);
    const turns = edits.map((edit) => edit.messageId);
    for (let i = 3; i < turns.length; i++) expect(turns[i]).toBe(turns[i - 3]);
    expect(new Set(turns.slice(0, 3))).toEqual(new Set([1, 2, 3]));
  });

  it('does not keep a turn for a status that stopped asking, or was forgotten', () => {
    const subject = gate({ waitingWindowMs: 2_000 });
    expect(subject.tryEdit(CHAT, 1)).toBe('edit'); // the download of status 1 edited first…
    subject.answered(CHAT, 1, EDITED);
    for (const t of [0, 1_000, 2_000]) {
      clock = 1_000_000 + t;
      expect(subject.tryEdit(CHAT, 2)).toBe('wait'); // …status 2 asks every second while the chat is held…
    }
    clock = 1_000_000 + INTERVAL;
    expect(subject.tryEdit(CHAT, 1)).toBe('wait'); // …so 2, never edited, has the next turn.
    subject.forget(CHAT, 2); // 2's download ended.
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, EDITED);

    expect(subject.tryEdit(CHAT, 3)).toBe('wait'); // 3 asks once, then its text stops changing.
    clock += INTERVAL + 2_001;
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
  });

  it('silences the whole chat for the retry_after of a 429, and only that chat', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, { kind: 'rate-limited', retryAfterSeconds: 7 });
    expect(subject.tryEdit(OTHER_CHAT, 9)).toBe('edit');
    for (const offset of [INTERVAL, 5_000, 7_000 - 1]) {
      clock = 1_000_000 + offset;
      expect(subject.tryEdit(CHAT, 1)).toBe('wait');
      expect(subject.tryEdit(CHAT, 2)).toBe('wait');
    }
    clock = 1_000_000 + 7_000;
    expect(subject.tryEdit(CHAT, 2)).toBe('edit');
  });

  it('still waits the interval after a 429 that asked for less', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, { kind: 'rate-limited', retryAfterSeconds: 1 });
    clock += INTERVAL - 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('wait');
    clock += 1;
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
  });

  it('stops every edit to a chat that answered 403, and no other chat', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, { kind: 'chat-gone' });
    clock += 10 * INTERVAL;
    expect(subject.tryEdit(CHAT, 1)).toBe('stop');
    expect(subject.tryEdit(CHAT, 2)).toBe('stop');
    expect(subject.tryEdit(OTHER_CHAT, 1)).toBe('edit');
  });

  it('stops the edits to a status that is gone, while the others of its chat go on', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, { kind: 'status-gone' });
    clock += INTERVAL;
    expect(subject.tryEdit(CHAT, 1)).toBe('stop');
    expect(subject.tryEdit(CHAT, 2)).toBe('edit');
  });

  it('goes on after a refusal that says nothing about the chat, after the interval', () => {
    const subject = gate();
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
    subject.answered(CHAT, 1, { kind: 'refused' });
    expect(subject.tryEdit(CHAT, 1)).toBe('wait');
    clock += INTERVAL;
    expect(subject.tryEdit(CHAT, 1)).toBe('edit');
  });

  it('forgets idle chats, so its memory stays bounded by the chats active in the last minute', () => {
    const subject = gate({ idleMs: 60_000 });
    for (let chat = 1; chat <= 1_000; chat++) expect(editNow(subject, chat, 1)).toBe(true);
    expect(subject.chats).toBe(1_000);
    clock += 60_000;
    expect(editNow(subject, 1_001, 1)).toBe(true);
    expect(subject.chats).toBe(1);
  });

  it('keeps an idle chat while it is still silenced or has an edit in flight, so forgetting never shortens a wait', () => {
    const subject = gate({ idleMs: 60_000, lostEditMs: 600_000 });
    expect(subject.tryEdit(1, 1)).toBe('edit');
    subject.answered(1, 1, { kind: 'rate-limited', retryAfterSeconds: 120 });
    expect(subject.tryEdit(2, 1)).toBe('edit'); // never answered
    expect(editNow(subject, 3, 1)).toBe(true);
    clock += 61_000;
    expect(subject.tryEdit(4, 1)).toBe('edit'); // sweeps
    expect(subject.chats).toBe(3);
    expect(subject.tryEdit(1, 1)).toBe('wait');
    expect(subject.tryEdit(2, 2)).toBe('wait');
  });
});
