/**
 * `ops chat <chatId>`: how Temporal names one chat. With payload encryption, workflow ids and the
 * ChatId search attribute carry a pseudonym (shared/chatPseudonyms.ts): this prints it and
 * the Web UI queries that find the chat's runs. Needs CHAT_ID_PSEUDONYM_KEY, not Temporal.
 */
import { chatIdsFor } from '../../shared/chatPseudonyms.js';
import { chatSettingsWorkflowId, mediaRequestIdPrefix } from '../../shared/workflowIds.js';
import { expectPositionals, parseChat, parseCommandArgs } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';

type ChatArgs = CommonFlags & { chatId: number };

export const chatCommand: Command<ChatArgs> = {
  parse(args) {
    const { values, positionals } = parseCommandArgs('chat', args, {});
    expectPositionals('chat', positionals, 1, 1, '<chatId>');
    return { ...commonFlags(values), chatId: parseChat(positionals[0])! };
  },

  async run({ chatId }, _connect, config) {
    const chats = chatIdsFor(config.payloadEncryption);
    const chatIdAttribute = chats.searchValue(chatId);
    const idPrefix = mediaRequestIdPrefix(chatId, chats);
    const data = {
      chatId,
      pseudonymous: chats.pseudonymous,
      chatIdAttribute,
      mediaRequestIdPrefix: idPrefix,
      settingsWorkflowId: chatSettingsWorkflowId(chatId, chats),
      queries: [`ChatId = ${chatIdAttribute}`, `WorkflowId STARTS_WITH "${idPrefix}"`],
    };
    const text = [
      chats.pseudonymous
        ? `Chat ${chatId} is named by its pseudonym ${data.chatIdAttribute} in Temporal.`
        : `Chat ${chatId} is named by its id in Temporal (no payload encryption).`,
      `Its requests in the Web UI:  ${data.queries[0]}`,
      `                         or  ${data.queries[1]}`,
      `Its settings:                ${data.settingsWorkflowId}`,
    ].join('\n');
    return { data, text, exitCode: 0 };
  },
};
