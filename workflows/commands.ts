import { deprecatePatch, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { languageField, languageOfChat, spokenLanguage } from './language.js';
import type { RequestActivities, StoreActivities, TelegramActivities } from '../activities/index.js';
import { cancelAnswer, text as fixedText } from '../shared/botTexts.js';
import { localStatePolicy, statePolicy, telegramPolicy } from './policies.js';
import type { ChatSettings, SettingsChoice } from '../shared/contracts/chatSettings.js';
import { replyText, type CancelInput, type ReplyInput, type SettingsInput } from '../shared/contracts/commands.js';

/**
 * A text reply (help, usage) sent through the telegram queue, so it is as durable and visible as a
 * download. A reply that names its `message` is written in the chat's language when the chat has
 * one (else `text`, in the sender's language, as the webhook wrote it).
 */
export async function ReplyWorkflow(input: ReplyInput): Promise<void> {
  const telegram = proxyActivities<TelegramActivities>({
    ...telegramPolicy(input.policies),
    summary: `Telegram, chat ${input.chatId}`,
  });
  let text = input.text;
  if (input.message) {
    const { message } = input;
    const language = await languageOfChat(input);
    text = replyText(message, language);
  }
  await telegram.sendText({ chatId: input.chatId, text, replyToMessageId: input.messageId });
}

/**
 * /settings shows the chat's settings as buttons; a press on one changes that setting (in a
 * group, only admins may) and redraws the buttons.
 */
export async function SettingsWorkflow(input: SettingsInput): Promise<void> {
  const telegram = proxyActivities<TelegramActivities>({
    ...telegramPolicy(input.policies),
    summary: `Telegram, chat ${input.chatId}`,
  });
  const state = settingsStateFor(input);
  if (!input.choice) {
    const settings = await state.read(input.chatId);
    const language = spokenLanguage(settings, input);
    await telegram.showSettings({
      chatId: input.chatId,
      replyToMessageId: input.messageId,
      settings,
      ...languageField(language),
    });
    return;
  }
  // A press: refused in the presser's language (nothing more is read for a refusal); once saved,
  // the keyboard and the answer come in the chat's language, else the presser's.
  const pressLanguage = spokenLanguage(undefined, input);
  const allowed =
    input.userId !== undefined && (await telegram.isChatAdmin({ chatId: input.chatId, userId: input.userId }));
  if (!allowed) {
    if (input.callbackQueryId)
      await telegram.answerButton({
        callbackQueryId: input.callbackQueryId,
        text: fixedText('settings-admins-only', pressLanguage),
      });
    return;
  }
  const settings = await state.save({ chatId: input.chatId, choice: input.choice });
  const language = spokenLanguage(settings, input);
  await telegram.redrawSettings({
    chatId: input.chatId,
    messageId: input.messageId,
    settings,
    ...languageField(language),
    // A new language rewrites the text above the buttons too.
    ...(input.choice.setting === 'language' ? { title: true } : {}),
  });
  if (input.callbackQueryId)
    await telegram.answerButton({
      callbackQueryId: input.callbackQueryId,
      text: fixedText('settings-saved', language),
    });
}

/**
 * The patch after which settings are read and saved in the state store, by local activities.
 *
 * Deprecated (`deprecatePatch`), its old branch (the ChatSettingsWorkflow entity's activities)
 * removed: a SettingsWorkflow run lasts seconds (a few Bot API calls), so none from before the
 * patch is open on a deployment that has run it since. Runs since then recorded its marker and
 * still replay (test/histories/light-request/settings-chosen.json). The call can go once no run
 * that recorded the marker can be open or replayed.
 */
export const SETTINGS_STORE_PATCH = 'settings-in-state-store';

function settingsStateFor(input: SettingsInput): {
  read(chatId: number): Promise<ChatSettings>;
  save(input: { chatId: number; choice: SettingsChoice }): Promise<ChatSettings>;
} {
  deprecatePatch(SETTINGS_STORE_PATCH);
  const store = proxyLocalActivities<StoreActivities>({
    ...localStatePolicy(input.policies),
    summary: `state store, chat ${input.chatId}`,
  });
  return { read: (chatId) => store.readChatSettings(chatId), save: (choice) => store.saveChatSetting(choice) };
}

/**
 * The Cancel button or /cancel: cancels the chosen request (or all of the chat's running ones)
 * that the person asked for, or any of them for a chat admin; refuses everyone else.
 */
export async function CancelWorkflow(input: CancelInput): Promise<{ cancelled: number; refused: number }> {
  const telegram = proxyActivities<TelegramActivities>({
    ...telegramPolicy(input.policies),
    summary: `Telegram, chat ${input.chatId}`,
  });
  const requests = proxyActivities<RequestActivities>({
    ...statePolicy(input.policies),
    summary: `running requests, chat ${input.chatId}`,
  });
  const language = await languageOfChat(input);
  const running = await requests.findRunningRequests({ chatId: input.chatId, requestMessageId: input.targetMessageId });
  const foreign = running.some((request) => request.requesterId !== input.userId);
  const admin = foreign ? await telegram.isChatAdmin({ chatId: input.chatId, userId: input.userId }) : false;
  const allowed = running.filter((request) => admin || request.requesterId === input.userId);
  if (allowed.length > 0) await requests.cancelRequests({ workflowIds: allowed.map((request) => request.workflowId) });

  const text = cancelAnswer(allowed.length, running.length - allowed.length, language);
  if (input.callbackQueryId) await telegram.answerButton({ callbackQueryId: input.callbackQueryId, text });
  else if (input.commandMessageId !== undefined)
    await telegram.sendText({ chatId: input.chatId, text, replyToMessageId: input.commandMessageId });
  return { cancelled: allowed.length, refused: running.length - allowed.length };
}
