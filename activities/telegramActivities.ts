import { cancellationSignal } from '@temporalio/activity';
import type { Api } from 'grammy';
import type {
  InlineKeyboardMarkup,
  InputMediaAudio,
  InputMediaDocument,
  InputMediaPhoto,
  InputMediaVideo,
  Message,
} from 'grammy/types';
import { isGroupChat, type ChatSettings } from '../shared/contracts/chatSettings.js';
import type {
  DeleteMessageInput,
  EditTextInput,
  SendCachedInput,
  SentFile,
  SentMedia,
  SendTextInput,
  SentMessage,
} from '../shared/activityTypes.js';
import { cancelKeyboard, qualityKeyboard, settingsKeyboard } from './adapters/keyboards.js';
import type { Language } from '../shared/i18n/languages.js';
import { translate } from '../shared/i18n/translate.js';
import type { QualityOption } from '../shared/qualityChoice.js';
import {
  callTelegram,
  editFailureOutcome,
  grammySignal,
  isBadRequest,
  sendAsAlbums,
  toTelegramFailure,
} from './adapters/telegram.js';

export interface TelegramActivityDeps {
  api: Api;
}

/** Messages, buttons and re-sends by file_id: everything on the `telegram` queue. */
export function createTelegramActivities({ api }: TelegramActivityDeps) {
  const signal = () => grammySignal(cancellationSignal());
  /** Replaces a message's text and keyboard (none: removed); false when the message is gone. */
  const editMessage = async (
    input: { chatId: number; messageId: number; text: string },
    keyboard: InlineKeyboardMarkup | undefined,
  ): Promise<boolean> => {
    try {
      await api.editMessageText(
        input.chatId,
        input.messageId,
        input.text,
        { link_preview_options: { is_disabled: true }, reply_markup: keyboard },
        signal(),
      );
      return true;
    } catch (error) {
      return editFailureOutcome(error, 'editMessageText');
    }
  };
  return {
    async sendText(input: SendTextInput): Promise<SentMessage> {
      const message = await callTelegram('sendMessage', () =>
        api.sendMessage(
          input.chatId,
          input.text,
          {
            reply_parameters:
              input.replyToMessageId === undefined
                ? undefined
                : { message_id: input.replyToMessageId, allow_sending_without_reply: true },
            link_preview_options: { is_disabled: true },
            parse_mode: input.html ? 'HTML' : undefined,
            reply_markup:
              input.cancelButtonFor === undefined ? undefined : cancelKeyboard(input.cancelButtonFor, input.language),
          },
          signal(),
        ),
      );
      return { messageId: message.message_id };
    },

    /**
     * Replaces a message's text (and keeps a Cancel button only when asked: an edit without
     * markup removes it). Returns false when the message no longer exists (the user deleted it).
     */
    async editText(input: EditTextInput): Promise<boolean> {
      return editMessage(
        input,
        input.cancelButtonFor === undefined ? undefined : cancelKeyboard(input.cancelButtonFor, input.language),
      );
    },

    /**
     * Turns the status message into the quality picker of one link: `text` above the buttons of
     * `options`, and Cancel. False when the message no longer exists.
     */
    async showQualityPicker(input: {
      chatId: number;
      messageId: number;
      requestMessageId: number;
      link: number;
      text: string;
      options: QualityOption[];
      language?: Language;
    }): Promise<boolean> {
      return editMessage(input, qualityKeyboard(input.requestMessageId, input.link, input.options, input.language));
    },

    /** Deleting what is already gone is a success: a retried delete must not fail the request. */
    async deleteMessage(input: DeleteMessageInput): Promise<void> {
      try {
        await api.deleteMessage(input.chatId, input.messageId, signal());
      } catch (error) {
        if (isBadRequest(error, /message to delete not found|MESSAGE_ID_INVALID/i)) return;
        throw toTelegramFailure(error, 'deleteMessage');
      }
    },

    /**
     * Puts the bot's reaction (an emoji of Telegram's standard set, e.g. 👎) on a message: a quiet
     * answer in a group. A message that is gone, or a chat where reactions are off, is a success:
     * the reaction was only a courtesy.
     */
    async reactToMessage(input: { chatId: number; messageId: number; emoji: '👎' }): Promise<void> {
      try {
        await api.setMessageReaction(
          input.chatId,
          input.messageId,
          [{ type: 'emoji', emoji: input.emoji }],
          {},
          signal(),
        );
      } catch (error) {
        if (isBadRequest(error, /message to react not found|MESSAGE_ID_INVALID|REACTION_INVALID|REACTIONS_TOO_MANY/i))
          return;
        throw toTelegramFailure(error, 'setMessageReaction');
      }
    },

    /** The little notice a button press shows; a stale query (older than Telegram keeps) is ignored. */
    async answerButton(input: { callbackQueryId: string; text: string }): Promise<void> {
      try {
        await api.answerCallbackQuery(input.callbackQueryId, { text: input.text }, signal());
      } catch (error) {
        if (isBadRequest(error, /query is too old|query ID is invalid/i)) return;
        throw toTelegramFailure(error, 'answerCallbackQuery');
      }
    },

    async showSettings(input: {
      chatId: number;
      replyToMessageId: number;
      settings: ChatSettings;
      /** The language of the text and the buttons; absent: English. */
      language?: Language;
    }): Promise<SentMessage> {
      const message = await callTelegram('sendMessage', () =>
        api.sendMessage(
          input.chatId,
          translate(input.language, 'settings-title'),
          {
            reply_parameters: { message_id: input.replyToMessageId, allow_sending_without_reply: true },
            reply_markup: settingsKeyboard(input.settings, input.language, isGroupChat(input.chatId)),
          },
          signal(),
        ),
      );
      return { messageId: message.message_id };
    },

    /**
     * Redraws the /settings buttons; with `title` (the chat's language changed) the text above
     * them is rewritten in `language` too.
     */
    async redrawSettings(input: {
      chatId: number;
      messageId: number;
      settings: ChatSettings;
      language?: Language;
      title?: boolean;
    }): Promise<void> {
      try {
        if (input.title) {
          await api.editMessageText(
            input.chatId,
            input.messageId,
            translate(input.language, 'settings-title'),
            {
              reply_markup: settingsKeyboard(input.settings, input.language, isGroupChat(input.chatId)),
            },
            signal(),
          );
          return;
        }
        await api.editMessageReplyMarkup(
          input.chatId,
          input.messageId,
          { reply_markup: settingsKeyboard(input.settings, input.language, isGroupChat(input.chatId)) },
          signal(),
        );
      } catch (error) {
        if (isBadRequest(error, /message is not modified|message to edit not found/i)) return;
        throw toTelegramFailure(error, 'editMessageReplyMarkup');
      }
    },

    /** True when the user administers the chat (the owner of a private chat counts as one). */
    async isChatAdmin(input: { chatId: number; userId: number }): Promise<boolean> {
      if (input.chatId === input.userId) return true;
      const member = await callTelegram('getChatMember', () => api.getChatMember(input.chatId, input.userId, signal()));
      return member.status === 'creator' || member.status === 'administrator';
    },

    /** Sends media Telegram already has, by file_id: no download, no upload. */
    async sendCachedMedia(input: SendCachedInput): Promise<SentMedia> {
      const reply_parameters = { message_id: input.replyToMessageId, allow_sending_without_reply: true };
      const sendOne = (file: SentFile, caption: string | undefined) => {
        const options = { caption, parse_mode: 'HTML' as const, reply_parameters };
        return callTelegram<Message>(`send cached ${file.kind}`, () =>
          file.kind === 'photo'
            ? api.sendPhoto(input.chatId, file.fileId, options, signal())
            : file.kind === 'animation'
              ? api.sendAnimation(input.chatId, file.fileId, options, signal())
              : file.kind === 'video'
                ? api.sendVideo(input.chatId, file.fileId, { ...options, supports_streaming: true }, signal())
                : file.kind === 'audio'
                  ? api.sendAudio(input.chatId, file.fileId, options, signal())
                  : api.sendDocument(input.chatId, file.fileId, options, signal()),
        );
      };
      return sendAsAlbums(
        input.media.files,
        input.caption,
        {
          one: sendOne,
          group: (files, caption) => {
            const items = files.map((file, index) => albumItem(file, index === 0 ? caption : undefined));
            return callTelegram('sendMediaGroup', () =>
              api.sendMediaGroup(input.chatId, items as InputMediaVideo[], { reply_parameters }, signal()),
            );
          },
        },
        { parts: input.media.parts, ...(input.language ? { language: input.language } : {}) },
      );
    },
  };
}

function albumItem(
  file: SentFile,
  caption: string | undefined,
): InputMediaVideo | InputMediaAudio | InputMediaDocument | InputMediaPhoto {
  const common = { media: file.fileId, caption, parse_mode: 'HTML' as const };
  if (file.kind === 'photo') return { type: 'photo', ...common };
  if (file.kind === 'video') return { type: 'video', ...common, supports_streaming: true };
  if (file.kind === 'audio') return { type: 'audio', ...common };
  return { type: 'document', ...common };
}

export type TelegramActivities = ReturnType<typeof createTelegramActivities>;
