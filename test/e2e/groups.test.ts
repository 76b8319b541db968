/**
 * Polite in groups (issue #14, point 3), on the real stack: the Temporal dev server, the real
 * workers and webhook, yt-dlp downloading from the loopback media server, the Bot API emulator.
 * A group's admin sets "links: only when asked" in /settings (a member's press is refused); then
 * a link alone starts nothing anyone sees and counts in no quota, while `/dl <link>`, a reply to
 * the bot and `@bot <link>` are served.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { MessageEntity, Update } from 'grammy/types';
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import type { QuotaState } from '../../shared/quotaWindow.js';
import { chatSettingsWorkflowId, userQuotaWorkflowId } from '../../shared/workflowIds.js';
import { EMULATOR_BOT_USERNAME } from '../support/botApiEmulator.js';
import { buttonPress } from '../support/buttonPress.js';
import { useTestStack, requestIdOf as idOf } from '../support/stack.js';

const stack = useTestStack();
const ADMIN = 9_101;
const MEMBER = 9_102;
let nextMessageId = 50_000;

/** A message in group `chatId` from `userId`, its commands, mentions and links marked as Telegram marks them. */
function groupMessage(chatId: number, userId: number, text: string, fields: Record<string, unknown> = {}): Update {
  const entities: MessageEntity[] = [];
  const command = /^\/\S+/.exec(text)?.[0];
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command.length });
  for (const match of text.matchAll(/(?<![\w/])@\w+/g))
    entities.push({ type: 'mention', offset: match.index, length: match[0].length });
  for (const match of text.matchAll(/https?:\/\/\S+/g))
    entities.push({ type: 'url', offset: match.index, length: match[0].length });
  const update = stack.linkUpdate('', { chatId, messageId: nextMessageId++, text });
  update.message!.chat = { id: chatId, type: 'supergroup', title: 'Busy group' } as never;
  update.message!.from = { id: userId, is_bot: false, first_name: userId === ADMIN ? 'Admin' : 'Member' };
  update.message!.entities = entities;
  Object.assign(update.message!, fields);
  return update;
}

async function post(update: Update): Promise<void> {
  expect((await stack.post(update)).statusCode).toBe(200);
}

/** The bot's calls into the chat (sent, edited, deleted, uploaded). */
function callsInto(chatId: number) {
  return stack.emulator.calls.filter((call) => Number(call.params.chat_id) === chatId);
}

function keyboardLabels(chatId: number, messageId: number): string[] {
  const message = stack.emulator.messagesIn(chatId).find((candidate) => candidate.message_id === messageId) as {
    reply_markup?: { inline_keyboard: { text: string }[][] };
  };
  return (message?.reply_markup?.inline_keyboard ?? []).flat().map((button) => button.text);
}

async function storedSettings(chatId: number): Promise<ChatSettings | undefined> {
  const store = await openStateStore({ dataDir: stack.dataDir });
  return store.read<ChatSettings>('chat_settings', chatSettingsWorkflowId(chatId)).finally(() => store.close());
}

async function quotaOf(userId: number): Promise<QuotaState | undefined> {
  const store = await openStateStore({ dataDir: stack.dataDir });
  return store.read<QuotaState>('user_quota', userQuotaWorkflowId({ userId })).finally(() => store.close());
}

/** /settings in the group (asked by the admin): the id of the keyboard the bot drew. */
async function showSettings(chatId: number): Promise<number> {
  await post(groupMessage(chatId, ADMIN, '/settings'));
  const shown = await stack.emulator.waitFor(
    (call) =>
      call.method === 'sendMessage' &&
      Number(call.params.chat_id) === chatId &&
      JSON.stringify(call.params.reply_markup ?? '').includes('set:links:'),
    20_000,
  );
  return (shown.response as { result: { message_id: number } }).result.message_id;
}

/** /settings in the group, then a press by `userId`; resolves with the keyboard's message id and the press's answer. */
async function pressLinks(
  chatId: number,
  userId: number,
  value: 'all' | 'asked',
): Promise<{ keyboardId: number; answer: string }> {
  return pressSetting(chatId, userId, `set:links:${value}`);
}

async function pressSetting(
  chatId: number,
  userId: number,
  data: string,
): Promise<{ keyboardId: number; answer: string }> {
  const keyboardId = await showSettings(chatId);
  const answered = stack.emulator.callsTo('answerCallbackQuery').length;
  await post(buttonPress({ data, chatId, messageId: keyboardId, userId }));
  const answer = await stack.emulator.waitFor(
    (call) => call.method === 'answerCallbackQuery' && stack.emulator.callsTo('answerCallbackQuery').length > answered,
    20_000,
  );
  return { keyboardId, answer: String(answer.params.text) };
}

async function expectDelivered(update: Update): Promise<void> {
  await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
    outcome: 'delivered',
  });
  const chatId = update.message!.chat.id;
  expect(
    stack.emulator
      .callsTo('sendVideo')
      .some(
        (call) =>
          Number(call.params.chat_id) === chatId &&
          JSON.stringify(call.params.reply_parameters ?? '').includes(String(update.message!.message_id)),
      ),
  ).toBe(true);
}

describe('links: all (the default)', () => {
  it('serves a link alone in a group, and draws the setting in the group’s /settings only', async () => {
    const group = -100_9001;
    stack.emulator.setMemberStatus(group, ADMIN, 'administrator');
    const link = groupMessage(group, MEMBER, stack.mediaUrl('clip.mp4'));
    await post(link);
    await expectDelivered(link);

    const keyboardId = await showSettings(group);
    expect(keyboardLabels(group, keyboardId)).toEqual(
      expect.arrayContaining(['✓ 🔗 Every link', '🙋 Only links asked for']),
    );
  });
});

describe('links: only when asked', () => {
  it('is changed by an admin only: a member’s press is refused and changes nothing', async () => {
    const group = -100_9002;
    stack.emulator.setMemberStatus(group, ADMIN, 'administrator');
    stack.emulator.setMemberStatus(group, MEMBER, 'member');

    const refused = await pressLinks(group, MEMBER, 'asked');
    expect(refused.answer).toBe('Only admins can change the settings of this chat.');
    expect((await storedSettings(group))?.links).toBeUndefined();
    expect(keyboardLabels(group, refused.keyboardId)).toContain('✓ 🔗 Every link');

    const saved = await pressLinks(group, ADMIN, 'asked');
    expect(saved.answer).toBe('Saved ✓');
    expect(await storedSettings(group)).toMatchObject({ links: 'asked' });
    expect(keyboardLabels(group, saved.keyboardId)).toEqual(
      expect.arrayContaining(['🔗 Every link', '✓ 🙋 Only links asked for']),
    );
  });

  it('starts nothing visible for a link alone, counted by no quota; /dl, a reply to the bot and @bot are served', async () => {
    const group = -100_9003;
    stack.emulator.setMemberStatus(group, ADMIN, 'administrator');
    expect((await pressLinks(group, ADMIN, 'asked')).answer).toBe('Saved ✓');
    const quiet = groupMessage(group, MEMBER, stack.mediaUrl('clip.mp4'));
    const before = callsInto(group).length;
    await post(quiet);
    await expect(stack.client.workflow.getHandle(idOf(quiet)).result()).resolves.toEqual({
      outcome: 'ignored',
      links: [],
    });
    // No ⏳, no reply, no download: the group saw nothing, and the member's quota counted nothing.
    expect(callsInto(group).slice(before)).toEqual([]);
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
    expect((await quotaOf(MEMBER))?.recent.map((start) => start.holder) ?? []).not.toContain(idOf(quiet));

    const dl = groupMessage(group, MEMBER, `/dl ${stack.mediaUrl('clip.mp4')}`);
    await post(dl);
    await expectDelivered(dl);
    expect((await quotaOf(MEMBER))?.recent.map((start) => start.holder)).toContain(idOf(dl));

    const botMessage = stack.emulator
      .messagesIn(group)
      .find((message) => (message as { video?: unknown }).video !== undefined)!;
    const reply = groupMessage(group, MEMBER, stack.mediaUrl('tone.mp3'), {
      reply_to_message: {
        message_id: botMessage.message_id,
        date: 0,
        chat: { id: group, type: 'supergroup', title: 'Busy group' },
        from: { id: 1, is_bot: true, first_name: 'Bot', username: EMULATOR_BOT_USERNAME },
      },
    });
    await post(reply);
    await expect(stack.client.workflow.getHandle(idOf(reply)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });

    const mention = groupMessage(group, MEMBER, `@${EMULATOR_BOT_USERNAME} ${stack.mediaUrl('clip.mp4')}`);
    await post(mention);
    await expect(stack.client.workflow.getHandle(idOf(mention)).result()).resolves.toMatchObject({
      outcome: expect.stringMatching(/^(delivered|cached)$/),
    });
    expect(
      callsInto(group).some(
        (call) =>
          call.method === 'sendVideo' && JSON.stringify(call.params).includes(String(mention.message!.message_id)),
      ),
    ).toBe(true);

    // Back to all links: a link alone is served again.
    expect((await pressLinks(group, ADMIN, 'all')).answer).toBe('Saved ✓');
    const again = groupMessage(group, MEMBER, stack.mediaUrl('tone.mp3'));
    await post(again);
    await expect(stack.client.workflow.getHandle(idOf(again)).result()).resolves.toMatchObject({
      outcome: expect.stringMatching(/^(delivered|cached)$/),
    });
  });
});

describe('failures that are the link’s fault, in a group that keeps them quiet', () => {
  /** A link that answers 404 (ContentUnavailable) in `group`, its message known to Telegram. */
  async function failingLink(group: number): Promise<Update> {
    stack.media.always('gone.mp4', 404);
    const update = groupMessage(group, MEMBER, stack.mediaUrl('gone.mp4'));
    stack.emulator.knowMessage(update);
    await post(update);
    const error = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('ContentUnavailable');
    return update;
  }

  /** What the group was told: texts sent or edited in (the ⏳ aside). */
  function saidIn(group: number): string[] {
    return callsInto(group)
      .filter((call) => call.method === 'sendMessage' || call.method === 'editMessageText')
      .map((call) => String(call.params.text))
      .filter((text) => !text.startsWith('⏳') && !text.includes('settings'));
  }

  it('👎: the message gets a 👎 and the ⏳ goes, no text; a member may not change it', async () => {
    const group = -100_9004;
    stack.emulator.setMemberStatus(group, ADMIN, 'administrator');
    expect((await pressSetting(group, MEMBER, 'set:fail:react')).answer).toBe(
      'Only admins can change the settings of this chat.',
    );
    expect((await storedSettings(group))?.failures).toBeUndefined();
    const saved = await pressSetting(group, ADMIN, 'set:fail:react');
    expect(saved.answer).toBe('Saved ✓');
    expect(keyboardLabels(group, saved.keyboardId)).toEqual(
      expect.arrayContaining(['💬 Say failures', '✓ 👎 React', '🤫 Silent']),
    );
    const said = saidIn(group).length;

    const update = await failingLink(group);
    const reactions = stack.emulator.callsTo('setMessageReaction');
    expect(reactions.map((call) => call.params)).toEqual([
      { chat_id: group, message_id: update.message!.message_id, reaction: [{ type: 'emoji', emoji: '👎' }] },
    ]);
    expect(stack.emulator.reactionsOn(group, update.message!.message_id)).toEqual(['👎']);
    expect(
      saidIn(group)
        .slice(said)
        .filter((text) => text.startsWith('❌')),
    ).toEqual([]);
    // The ⏳ was sent, then deleted: nothing of the request is left in the group.
    expect(callsInto(group).some((call) => call.method === 'deleteMessage')).toBe(true);
    expect(
      stack.emulator.messagesIn(group).filter((message) => (message as { text?: string }).text?.startsWith('⏳')),
    ).toEqual([]);
  });

  it('silent: nothing at all, the ⏳ goes', async () => {
    const group = -100_9005;
    stack.emulator.setMemberStatus(group, ADMIN, 'administrator');
    expect((await pressSetting(group, ADMIN, 'set:fail:silent')).answer).toBe('Saved ✓');
    const said = saidIn(group).length;
    await failingLink(group);
    expect(stack.emulator.callsTo('setMessageReaction')).toEqual([]);
    expect(
      saidIn(group)
        .slice(said)
        .filter((text) => text.startsWith('❌')),
    ).toEqual([]);
    expect(
      stack.emulator.messagesIn(group).filter((message) => (message as { text?: string }).text?.startsWith('⏳')),
    ).toEqual([]);
  });

  it('say (the default): the failure is said as before', async () => {
    const group = -100_9006;
    await failingLink(group);
    expect(stack.emulator.callsTo('setMessageReaction')).toEqual([]);
    expect(saidIn(group).some((text) => text.startsWith('❌'))).toBe(true);
  });
});
