import type { Update } from 'grammy/types';
import { createLogger } from '../../src/logger.js';
import { handleUpdate, type UpdateHandlerDeps } from '../../src/telegram/handleUpdate.js';
import { inlineResultId } from '../../src/telegram/inlineUpdates.js';
import type { WorkflowStarter } from '../../src/temporal/starter.js';
import { INLINE_CANCEL_DATA } from '../../shared/contracts/inline.js';

/** A starter that records what the edge asked for (Temporal itself is the e2e tests' business). */
function recordingStarter(cancel: 'signalled' | 'not-found' = 'signalled') {
  const calls: Array<{ method: string; input: Record<string, unknown> }> = [];
  const record =
    <R>(method: string, result: R) =>
    async (input: Record<string, unknown>) => {
      calls.push({ method, input });
      return result;
    };
  const starter = {
    startInlineQuery: record('startInlineQuery', 'started'),
    startInlineMedia: record('startInlineMedia', 'started'),
    cancelInlineMedia: record('cancelInlineMedia', cancel),
    startMediaRequest: record('startMediaRequest', 'started'),
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
    storageChatId: -100_777,
    logger: createLogger('silent'),
    ...extra,
  };
}

const LINK = 'https://example.com/v/1';
const QUOTA = { concurrentRequests: 2, requestsPerHour: 5 };

function query(fromId: number, text = LINK, languageCode?: string): Update {
  return {
    update_id: 1,
    inline_query: {
      id: 'q-9',
      from: { id: fromId, is_bot: false, first_name: 'A', language_code: languageCode },
      query: text,
      offset: '',
    },
  } as unknown as Update;
}

function chosen(fromId: number): Update {
  return {
    update_id: 2,
    chosen_inline_result: {
      result_id: inlineResultId('download', LINK),
      from: { id: fromId, is_bot: false, first_name: 'A' },
      query: LINK,
      inline_message_id: 'IM-1',
    },
  } as unknown as Update;
}

describe('handleUpdate inline mode', () => {
  it('starts one InlineQueryWorkflow for a query with a link, in the sender language', async () => {
    const { starter, calls } = recordingStarter();
    expect(await handleUpdate(query(4242, LINK, 'de'), deps(starter))).toEqual({
      action: 'started',
      workflow: 'inline',
    });
    expect(calls).toEqual([
      {
        method: 'startInlineQuery',
        input: {
          queryId: 'q-9',
          userId: 4242,
          link: LINK,
          downloadResultId: inlineResultId('download', LINK),
          cachedResultId: inlineResultId('cached', LINK),
          maxUploadBytes: 1000,
          albumCap: 10,
          canDownload: true,
          policies: {},
          language: 'de',
        },
      },
    ]);
  });

  it('offers no download without STORAGE_CHAT_ID, and ignores a chosen result then', async () => {
    const { starter, calls } = recordingStarter();
    const noStorage = deps(starter, { storageChatId: undefined });
    await handleUpdate(query(4242), noStorage);
    expect(calls[0]?.input.canDownload).toBe(false);
    expect(await handleUpdate(chosen(4242), noStorage)).toEqual({
      action: 'ignored',
      reason: 'STORAGE_CHAT_ID is not set',
    });
    expect(calls).toHaveLength(1);
  });

  it('starts nothing for a query without a link', async () => {
    const { starter, calls } = recordingStarter();
    expect((await handleUpdate(query(4242, 'cats'), deps(starter))).action).toBe('ignored');
    expect(calls).toEqual([]);
  });

  it('starts the inline media run for the chosen download result, with the quota and the storage chat', async () => {
    const { starter, calls } = recordingStarter();
    await handleUpdate(chosen(4242), deps(starter, { quota: QUOTA }));
    expect(calls).toEqual([
      {
        method: 'startInlineMedia',
        input: {
          inlineMessageId: 'IM-1',
          userId: 4242,
          link: LINK,
          storageChatId: -100_777,
          maxUploadBytes: 1000,
          albumCap: 10,
          policies: {},
          quota: QUOTA,
        },
      },
    ]);
  });

  it('under ALLOWED_CHAT_IDS, a stranger gets no result and starts nothing; a listed group does not list its members', async () => {
    const { starter, calls } = recordingStarter();
    const allowlisted = deps(starter, { allowedChatIds: new Set([4242, -100_500]) });
    expect(await handleUpdate(query(77), allowlisted)).toEqual({
      action: 'ignored',
      reason: 'not in ALLOWED_CHAT_IDS',
    });
    expect(await handleUpdate(chosen(77), allowlisted)).toEqual({
      action: 'ignored',
      reason: 'not in ALLOWED_CHAT_IDS',
    });
    expect(calls).toEqual([]);
    await handleUpdate(query(4242), allowlisted);
    expect(calls.map((call) => call.method)).toEqual(['startInlineQuery']);
  });

  it("tells an inline message's run who pressed its Cancel button, and with which callback query", async () => {
    const press = (fromId: number, languageCode?: string): Update =>
      ({
        update_id: 3,
        callback_query: {
          id: 'cb-1',
          from: {
            id: fromId,
            is_bot: false,
            first_name: 'A',
            ...(languageCode ? { language_code: languageCode } : {}),
          },
          inline_message_id: 'IM-1',
          chat_instance: '1',
          data: INLINE_CANCEL_DATA,
        },
      }) as unknown as Update;
    // The run decides (the requester's press cancels, anyone else's is refused): the webhook signals both.
    const ok = recordingStarter('signalled');
    expect(await handleUpdate(press(4242), deps(ok.starter))).toEqual({ action: 'signalled', workflow: 'inline' });
    expect(await handleUpdate(press(77, 'de-DE'), deps(ok.starter))).toEqual({
      action: 'signalled',
      workflow: 'inline',
    });
    expect(ok.calls).toEqual([
      { method: 'cancelInlineMedia', input: { inlineMessageId: 'IM-1', userId: 4242, callbackQueryId: 'cb-1' } },
      {
        method: 'cancelInlineMedia',
        input: { inlineMessageId: 'IM-1', userId: 77, callbackQueryId: 'cb-1', language: 'de' },
      },
    ]);
    // A run that has ended: nothing to signal, and nothing answers the press.
    const ended = recordingStarter('not-found');
    expect(await handleUpdate(press(4242), deps(ended.starter))).toEqual({
      action: 'ignored',
      reason: 'inline cancel: not-found',
    });
  });
});
