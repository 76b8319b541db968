import { cancellationSignal } from '@temporalio/activity';
import type { Api } from 'grammy';
import type { DeleteMessageInput, EditTextInput, SendTextInput, SentMessage } from '../workflows/types.js';
import { callTelegram, grammySignal, isBadRequest, toTelegramFailure } from './adapters/telegram.js';

export interface TelegramActivityDeps {
  api: Api;
}

/** Text messages: acknowledgements, status updates, errors, help. Run on the `telegram` queue. */
export function createTelegramActivities({ api }: TelegramActivityDeps) {
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
          },
          grammySignal(cancellationSignal()),
        ),
      );
      return { messageId: message.message_id };
    },

    /** Returns false when the message no longer exists (the user deleted it): the caller decides. */
    async editText(input: EditTextInput): Promise<boolean> {
      try {
        await api.editMessageText(input.chatId, input.messageId, input.text, { link_preview_options: { is_disabled: true } }, grammySignal(cancellationSignal()));
        return true;
      } catch (error) {
        if (isBadRequest(error, /message is not modified/i)) return true;
        if (isBadRequest(error, /message to edit not found|MESSAGE_ID_INVALID/i)) return false;
        throw toTelegramFailure(error, 'editMessageText');
      }
    },

    /** Deleting what is already gone is a success: a retried delete must not fail the request. */
    async deleteMessage(input: DeleteMessageInput): Promise<void> {
      try {
        await api.deleteMessage(input.chatId, input.messageId, grammySignal(cancellationSignal()));
      } catch (error) {
        if (isBadRequest(error, /message to delete not found|MESSAGE_ID_INVALID/i)) return;
        throw toTelegramFailure(error, 'deleteMessage');
      }
    },
  };
}

export type TelegramActivities = ReturnType<typeof createTelegramActivities>;
