import type { MessageEntity, Update } from 'grammy/types';
import { interpretUpdate } from '../../src/telegram/updates.js';
import { parseButtonData, settingsButtonData } from '../../shared/callbackData.js';
import { applySettingsChoice, DEFAULT_SETTINGS, isGroupChat } from '../../shared/contracts/chatSettings.js';
import { settingsKeyboard } from '../../activities/adapters/keyboards.js';
import { FailureType, isLinkFault, NON_RETRYABLE_FAILURES } from '../../shared/failures.js';

const USER = { id: 42, is_bot: false, first_name: 'Ada' };
const BOT = { id: 123456, is_bot: true, first_name: 'Media bot', username: 'test_media_bot' };
const OTHER_BOT = { id: 654321, is_bot: true, first_name: 'Other', username: 'other_bot' };
const BOT_USERNAME = BOT.username;
const PRIVATE_CHAT = { id: 42, type: 'private', first_name: 'Ada' };
const GROUP_CHAT = { id: -100123, type: 'supergroup', title: 'Friends' };
const LINK = 'https://example.com/v.mp4';

function groupMessage(text: string, fields: Record<string, unknown> = {}): Update {
  const entities: MessageEntity[] = [];
  const command = /^\/\S+/.exec(text)?.[0];
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command.length });
  for (const match of text.matchAll(/@\w+/g))
    entities.push({ type: 'mention', offset: match.index, length: match[0].length });
  for (const match of text.matchAll(/https?:\/\/\S+/g))
    entities.push({ type: 'url', offset: match.index, length: match[0].length });
  return {
    update_id: 1,
    message: { message_id: 7, date: 1_700_000_000, chat: GROUP_CHAT, from: USER, text, entities, ...fields },
  } as unknown as Update;
}

describe('links asked of the bot (explicit)', () => {
  it('marks a link alone in a group as not asked for', () => {
    expect(interpretUpdate(groupMessage(LINK), BOT_USERNAME)).toEqual({
      kind: 'media',
      chatId: GROUP_CHAT.id,
      messageId: 7,
      userId: 42,
      links: [LINK],
      explicit: false,
    });
  });

  it('serves /dl <link> as a plain link, asked for, in a group and in a private chat', () => {
    expect(interpretUpdate(groupMessage(`/dl ${LINK}`), BOT_USERNAME)).toEqual({
      kind: 'media',
      chatId: GROUP_CHAT.id,
      messageId: 7,
      userId: 42,
      links: [LINK],
      explicit: true,
    });
    expect(interpretUpdate(groupMessage(`/dl@test_media_bot ${LINK}`), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      explicit: true,
    });
    expect(interpretUpdate(groupMessage(`/dl ${LINK}`, { chat: PRIVATE_CHAT }), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      chatId: 42,
      explicit: true,
    });
    // No mode: the chat's default decides, as for a plain link; a range after the link still counts.
    expect(interpretUpdate(groupMessage(`/dl ${LINK} 0:10-0:20`), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      clips: [{ startSeconds: 10, endSeconds: 20 }],
      explicit: true,
    });
  });

  it('answers /dl without a link with the help, and leaves /dl@other_bot alone', () => {
    expect(interpretUpdate(groupMessage('/dl'), BOT_USERNAME)).toEqual({
      kind: 'help',
      chatId: GROUP_CHAT.id,
      messageId: 7,
    });
    expect(interpretUpdate(groupMessage(`/dl@other_bot ${LINK}`), BOT_USERNAME)).toMatchObject({ kind: 'ignore' });
  });

  it('marks @ourbot <link> as asked for, whatever the case, but not a mention of another bot', () => {
    expect(interpretUpdate(groupMessage(`@Test_Media_Bot ${LINK}`), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      links: [LINK],
      explicit: true,
    });
    expect(interpretUpdate(groupMessage(`@other_bot ${LINK}`), BOT_USERNAME)).toMatchObject({ explicit: false });
    // Without entities (some clients), the bare word counts; an e-mail address does not.
    const bare = { ...groupMessage(`${LINK} please @test_media_bot`) } as Update;
    delete (bare.message as { entities?: unknown }).entities;
    expect(interpretUpdate(bare, BOT_USERNAME)).toMatchObject({ explicit: true });
    const mail = groupMessage(`${LINK} from me@test_media_bot`);
    delete (mail.message as { entities?: unknown }).entities;
    expect(interpretUpdate(mail, BOT_USERNAME)).toMatchObject({ explicit: false });
  });

  it('marks a reply to the bot as asked for, not a reply to someone else', () => {
    const repliedToBot = { message_id: 5, date: 0, chat: GROUP_CHAT, from: BOT, text: 'here it is' };
    expect(interpretUpdate(groupMessage(LINK, { reply_to_message: repliedToBot }), BOT_USERNAME)).toMatchObject({
      kind: 'media',
      explicit: true,
    });
    const repliedToOther = { ...repliedToBot, from: OTHER_BOT };
    expect(interpretUpdate(groupMessage(LINK, { reply_to_message: repliedToOther }), BOT_USERNAME)).toMatchObject({
      explicit: false,
    });
    const repliedToPerson = { ...repliedToBot, from: USER };
    expect(interpretUpdate(groupMessage(LINK, { reply_to_message: repliedToPerson }), BOT_USERNAME)).toMatchObject({
      explicit: false,
    });
  });

  it('counts /audio and /clip as asked for, and any link in a private chat', () => {
    expect(interpretUpdate(groupMessage(`/audio ${LINK}`), BOT_USERNAME)).toMatchObject({ explicit: true });
    expect(interpretUpdate(groupMessage(`/clip ${LINK} 0:10 0:20`), BOT_USERNAME)).toMatchObject({ explicit: true });
    expect(interpretUpdate(groupMessage(LINK, { chat: PRIVATE_CHAT }), BOT_USERNAME)).toMatchObject({
      explicit: true,
    });
  });
});

describe('the links setting', () => {
  it('round-trips through the button data, and nothing else is read as it', () => {
    for (const value of ['all', 'asked'] as const) {
      const data = settingsButtonData({ setting: 'links', value });
      expect(data).toBe(`set:links:${value}`);
      expect(parseButtonData(data)).toEqual({ action: 'settings', choice: { setting: 'links', value } });
    }
    expect(parseButtonData('set:links:some')).toBeUndefined();
  });

  it('is applied to the settings and leaves the rest', () => {
    const asked = applySettingsChoice({ mode: 'audio', maxHeight: 480 }, { setting: 'links', value: 'asked' });
    expect(asked).toEqual({ mode: 'audio', maxHeight: 480, links: 'asked' });
    expect(applySettingsChoice(asked, { setting: 'links', value: 'all' })).toEqual({
      mode: 'audio',
      maxHeight: 480,
      links: 'all',
    });
  });

  it('is drawn in groups only, the choice ticked (absent: all)', () => {
    const labels = (group: boolean, settings = DEFAULT_SETTINGS) =>
      settingsKeyboard(settings, undefined, group)
        .inline_keyboard.flat()
        .map((button) => button.text);
    expect(labels(false)).not.toEqual(expect.arrayContaining([expect.stringContaining('Every link')]));
    expect(labels(true)).toEqual(expect.arrayContaining(['✓ 🔗 Every link', '🙋 Only links asked for']));
    expect(labels(true, { mode: 'video', links: 'asked' })).toEqual(
      expect.arrayContaining(['🔗 Every link', '✓ 🙋 Only links asked for']),
    );
    expect(
      settingsKeyboard(DEFAULT_SETTINGS, 'ru', true)
        .inline_keyboard.flat()
        .map((b) => b.text),
    ).toContain('✓ 🔗 Все ссылки');
    expect(isGroupChat(GROUP_CHAT.id)).toBe(true);
    expect(isGroupChat(PRIVATE_CHAT.id)).toBe(false);
  });
});

describe('the failures setting', () => {
  it('round-trips through the button data and is applied', () => {
    for (const value of ['say', 'react', 'silent'] as const) {
      const data = settingsButtonData({ setting: 'failures', value });
      expect(data).toBe(`set:fail:${value}`);
      expect(parseButtonData(data)).toEqual({ action: 'settings', choice: { setting: 'failures', value } });
      expect(applySettingsChoice({ mode: 'video', links: 'asked' }, { setting: 'failures', value })).toEqual({
        mode: 'video',
        links: 'asked',
        failures: value,
      });
    }
    expect(parseButtonData('set:fail:loud')).toBeUndefined();
  });

  it('keeps quiet only failures that are the link’s fault, never too large, quota or Telegram', () => {
    for (const type of [FailureType.UnsupportedUrl, FailureType.NoMediaFound, FailureType.ContentUnavailable])
      expect(isLinkFault(type)).toBe(true);
    for (const type of [
      FailureType.FileTooLarge,
      FailureType.QuotaExceeded,
      FailureType.TelegramBadRequest,
      FailureType.TransientNetwork,
      FailureType.DownloadFailed,
      FailureType.InvalidRange,
    ])
      expect(isLinkFault(type)).toBe(false);
    // A link's fault never goes away on a retry.
    expect(
      Object.values(FailureType)
        .filter(isLinkFault)
        .every((type) => NON_RETRYABLE_FAILURES.includes(type)),
    ).toBe(true);
  });

  it('is drawn in groups, ticked (absent: say)', () => {
    const labels = settingsKeyboard({ mode: 'video', failures: 'react' }, undefined, true)
      .inline_keyboard.flat()
      .map((button) => button.text);
    expect(labels).toEqual(expect.arrayContaining(['💬 Say failures', '✓ 👎 React', '🤫 Silent']));
    expect(
      settingsKeyboard(DEFAULT_SETTINGS, undefined, false)
        .inline_keyboard.flat()
        .map((button) => button.text),
    ).not.toContain('🤫 Silent');
  });
});
