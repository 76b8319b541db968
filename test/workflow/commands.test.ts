/**
 * The short workflows behind commands and buttons: a text reply, /settings and its buttons, and
 * Cancel. The time-skipping server: a Bot API call Telegram rate-limits is retried after its
 * `retry_after`, which passes at once here.
 */
import { cancelAnswer, SETTINGS_ADMINS_ONLY, SETTINGS_SAVED } from '../../shared/botTexts.js';
import { FailureType } from '../../shared/failures.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import type { CancelInput, SettingsInput } from '../../shared/contracts/commands.js';
import { CancelWorkflow, ReplyWorkflow, SettingsWorkflow } from '../../workflows/index.js';
import { CHAT_ID, USER_ID } from './support/inputs.js';
import { Calls, failure, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');

function run<A, R>(workflow: (input: A) => Promise<R>, input: A, telegram: object): Promise<R> {
  return tier.withWorkers({ telegram }, () =>
    tier.client.workflow.execute(workflow, {
      taskQueue: TELEGRAM_QUEUE,
      workflowId: tier.uniqueId(workflow.name),
      args: [input],
    }),
  );
}

describe('ReplyWorkflow', () => {
  it('sends its text as a reply to the command', async () => {
    const calls = new Calls();
    await run(ReplyWorkflow, { chatId: CHAT_ID, messageId: 5, text: 'Send me a link' }, telegramQueue(calls));
    expect(calls.inputs('sendText')).toEqual([{ chatId: CHAT_ID, text: 'Send me a link', replyToMessageId: 5 }]);
  });

  it('waits exactly the retry_after Telegram asked for before trying again', async () => {
    const calls = new Calls(() => tier.env.currentTimeMs());
    let attempts = 0;
    const telegram = telegramQueue(calls, {
      telegram: {
        sendText: async () => {
          if (++attempts === 1) {
            throw failure(FailureType.TelegramRateLimited, 'Too Many Requests: retry after 45', {
              nextRetryDelay: '45 seconds',
            });
          }
          return { messageId: 1 };
        },
      },
    });
    await run(ReplyWorkflow, { chatId: CHAT_ID, messageId: 5, text: 'hello' }, telegram);

    const [first, second] = calls.of('sendText');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(45_000);
    expect(second!.at - first!.at).toBeLessThan(47_000);
  });
});

describe('SettingsWorkflow', () => {
  const show: SettingsInput = { chatId: CHAT_ID, userId: USER_ID, messageId: 8 };
  const press: SettingsInput = {
    chatId: CHAT_ID,
    userId: USER_ID,
    messageId: 9,
    choice: { setting: 'mode', value: 'audio' },
    callbackQueryId: 'query-1',
  };

  it("/settings shows the chat's settings as buttons", async () => {
    const calls = new Calls();
    const telegram = telegramQueue(calls, {
      store: { readChatSettings: async () => ({ mode: 'document', maxHeight: 720 }) },
    });
    await run(SettingsWorkflow, show, telegram);

    expect(calls.inputs('readChatSettings')).toEqual([CHAT_ID]);
    expect(calls.inputs('showSettings')).toEqual([
      { chatId: CHAT_ID, replyToMessageId: 8, settings: { mode: 'document', maxHeight: 720 } },
    ]);
  });

  it('a press by an admin saves the choice, redraws the buttons and says so', async () => {
    const calls = new Calls();
    await run(SettingsWorkflow, press, telegramQueue(calls));

    expect(calls.names()).toEqual(['isChatAdmin', 'saveChatSetting', 'redrawSettings', 'answerButton']);
    expect(calls.inputs('saveChatSetting')).toEqual([{ chatId: CHAT_ID, choice: press.choice }]);
    expect(calls.inputs('redrawSettings')).toEqual([{ chatId: CHAT_ID, messageId: 9, settings: { mode: 'audio' } }]);
    expect(calls.inputs('answerButton')).toEqual([{ callbackQueryId: 'query-1', text: SETTINGS_SAVED }]);
  });

  it('a press by anyone else changes nothing and says who may', async () => {
    const calls = new Calls();
    await run(SettingsWorkflow, press, telegramQueue(calls, { telegram: { isChatAdmin: async () => false } }));

    expect(calls.names()).toEqual(['isChatAdmin', 'answerButton']);
    expect(calls.inputs('answerButton')).toEqual([{ callbackQueryId: 'query-1', text: SETTINGS_ADMINS_ONLY }]);
  });
});

describe('CancelWorkflow', () => {
  const button: CancelInput = { chatId: CHAT_ID, userId: USER_ID, targetMessageId: 10, callbackQueryId: 'query-2' };
  let calls: Calls;
  beforeEach(() => {
    calls = new Calls();
  });

  /** The chat's running requests, started by these users, and whether the one who pressed administers the chat. */
  function chatRunning(requesters: number[], { admin = false } = {}) {
    const requests = requesters.map((requesterId, index) => ({ workflowId: `request-${index + 1}`, requesterId }));
    return telegramQueue(calls, {
      requests: { findRunningRequests: async () => requests },
      telegram: { isChatAdmin: async () => admin },
    });
  }

  it("cancels the person's own request without asking who administers the chat", async () => {
    const result = await run(CancelWorkflow, button, chatRunning([USER_ID]));

    expect(result).toEqual({ cancelled: 1, refused: 0 });
    expect(calls.inputs('findRunningRequests')).toEqual([{ chatId: CHAT_ID, requestMessageId: 10 }]);
    expect(calls.of('isChatAdmin')).toEqual([]);
    expect(calls.inputs('cancelRequests')).toEqual([{ workflowIds: ['request-1'] }]);
    expect(calls.inputs('answerButton')).toEqual([{ callbackQueryId: 'query-2', text: cancelAnswer(1, 0) }]);
  });

  it("refuses someone else's request to anyone but an admin", async () => {
    const refused = await run(CancelWorkflow, button, chatRunning([USER_ID + 1]));
    expect(refused).toEqual({ cancelled: 0, refused: 1 });
    expect(calls.of('cancelRequests')).toEqual([]);
    expect(calls.inputs('answerButton')).toEqual([{ callbackQueryId: 'query-2', text: cancelAnswer(0, 1) }]);

    calls = new Calls();
    const byAdmin = await run(
      CancelWorkflow,
      { ...button, targetMessageId: undefined },
      chatRunning([USER_ID + 1, USER_ID], { admin: true }),
    );
    expect(byAdmin).toEqual({ cancelled: 2, refused: 0 });
    expect(calls.inputs('cancelRequests')).toEqual([{ workflowIds: ['request-1', 'request-2'] }]);
  });

  it('/cancel with nothing running answers its message', async () => {
    const result = await run(
      CancelWorkflow,
      { chatId: CHAT_ID, userId: USER_ID, commandMessageId: 12 },
      chatRunning([]),
    );

    expect(result).toEqual({ cancelled: 0, refused: 0 });
    expect(calls.inputs('sendText')).toEqual([{ chatId: CHAT_ID, text: cancelAnswer(0, 0), replyToMessageId: 12 }]);
  });
});
