import type { Update } from 'grammy/types';
import { createLogger } from '../../src/logger.js';
import { handleUpdate, type UpdateHandlerDeps } from '../../src/telegram/handleUpdate.js';
import type { WorkflowStarter } from '../../src/temporal/starter.js';

/** A starter that records what the edge asked for (Temporal itself is the e2e tests' business). */
function recordingStarter() {
  const calls: Array<{ method: string; input: Record<string, unknown> }> = [];
  const record = (method: string) => async (input: Record<string, unknown>) => {
    calls.push({ method, input });
    return 'started' as const;
  };
  const starter = {
    startMediaRequest: record('startMediaRequest'),
    startReply: record('startReply'),
    startStrangerRefusal: record('startStrangerRefusal'),
    startSettings: record('startSettings'),
    startCancel: record('startCancel'),
  } as unknown as WorkflowStarter;
  return { starter, calls };
}

function deps(starter: WorkflowStarter, extra: Partial<UpdateHandlerDeps> = {}): UpdateHandlerDeps {
  return {
    starter,
    botUsername: 'test_media_bot',
    maxUploadBytes: 1000,
    albumCap: 10,
    policies: {},
    logger: createLogger('silent'),
    ...extra,
  };
}

const ALLOWED = new Set([4242, -100_500]);
const QUOTA = { concurrentRequests: 2, requestsPerHour: 5 };

function message(chatId: number, fromId: number, text: string): Update {
  const link = /https?:\/\/\S+/.exec(text)?.[0];
  return {
    update_id: 1,
    message: {
      message_id: 17,
      date: 1_790_000_000,
      chat:
        chatId > 0 ? { id: chatId, type: 'private', first_name: 'A' } : { id: chatId, type: 'supergroup', title: 'G' },
      from: { id: fromId, is_bot: false, first_name: 'A' },
      text,
      entities: link ? [{ type: 'url', offset: text.indexOf(link), length: link.length }] : [],
    },
  } as Update;
}

describe('handleUpdate with ALLOWED_CHAT_IDS', () => {
  it('starts only the refusal for a stranger’s link, with the message’s date', async () => {
    // Tried: user 999 sends a link in their private chat.
    const { starter, calls } = recordingStarter();
    const outcome = await handleUpdate(
      message(999, 999, 'https://example.com/v.mp4'),
      deps(starter, { allowedChatIds: ALLOWED }),
    );
    expect(outcome).toEqual({ action: 'started', workflow: 'refusal' });
    expect(calls).toEqual([
      {
        method: 'startStrangerRefusal',
        input: { chatId: 999, messageId: 17, date: 1_790_000_000, text: 'This bot is private.', policies: {} },
      },
    ]);
  });

  it('answers a stranger’s commands with the same refusal, never the command', async () => {
    // Tried: /help, /settings and /cancel from user 999.
    for (const text of ['/help', '/settings', '/cancel']) {
      const { starter, calls } = recordingStarter();
      await handleUpdate(message(999, 999, text), deps(starter, { allowedChatIds: ALLOWED }));
      expect(calls.map((call) => call.method)).toEqual(['startStrangerRefusal']);
    }
  });

  it('ignores a stranger’s button press without answering', async () => {
    // Tried: user 999 presses a Cancel button in their chat.
    const { starter, calls } = recordingStarter();
    const press = {
      update_id: 2,
      callback_query: {
        id: 'q1',
        from: { id: 999, is_bot: false, first_name: 'A' },
        chat_instance: '1',
        data: 'cancel:5',
        message: { message_id: 6, date: 0, chat: { id: 999, type: 'private', first_name: 'A' } },
      },
    } as Update;
    expect(await handleUpdate(press, deps(starter, { allowedChatIds: ALLOWED }))).toEqual({
      action: 'ignored',
      reason: 'not in ALLOWED_CHAT_IDS',
    });
    expect(calls).toEqual([]);
  });

  it('does not answer what it would ignore anyway (a stranger’s chatter in a group)', async () => {
    // Tried: a message without a link from user 999 in an unlisted group.
    const { starter, calls } = recordingStarter();
    expect(
      (await handleUpdate(message(-100_600, 999, 'hello all'), deps(starter, { allowedChatIds: ALLOWED }))).action,
    ).toBe('ignored');
    expect(calls).toEqual([]);
  });

  it('serves a listed group’s members and a listed person anywhere, with the quota in the input', async () => {
    // Tried: unlisted user 777 in listed group -100500, listed user 4242 in unlisted group -100600.
    for (const [chatId, fromId] of [
      [-100_500, 777],
      [-100_600, 4242],
    ] as const) {
      const { starter, calls } = recordingStarter();
      await handleUpdate(
        message(chatId, fromId, 'https://example.com/v.mp4'),
        deps(starter, { allowedChatIds: ALLOWED, quota: QUOTA }),
      );
      expect(calls).toEqual([
        { method: 'startMediaRequest', input: expect.objectContaining({ chatId, userId: fromId, quota: QUOTA }) },
      ]);
    }
  });

  it('serves everyone without a list', async () => {
    // Tried: user 999 without ALLOWED_CHAT_IDS.
    const { starter, calls } = recordingStarter();
    await handleUpdate(message(999, 999, 'https://example.com/v.mp4'), deps(starter));
    expect(calls.map((call) => call.method)).toEqual(['startMediaRequest']);
  });
});
