/**
 * The short workflows that answer a command or a button (ReplyWorkflow, SettingsWorkflow,
 * CancelWorkflow) as the webhook starts them: their type names and inputs, recorded in their
 * histories.
 */
import type { PolicyOverrides } from '../policyOverrides.js';
import type { SettingsChoice } from './chatSettings.js';
import type { Language } from '../i18n/languages.js';
import { helpText, invalidRangeText, noLinkText, playlistRangeText } from '../botTexts.js';

export const REPLY_WORKFLOW = 'ReplyWorkflow';
export const SETTINGS_WORKFLOW = 'SettingsWorkflow';
export const CANCEL_WORKFLOW = 'CancelWorkflow';

/** A reply the workflow can write again in the chat's language: which text, with its placeholder. */
export type ReplyMessage =
  | { key: 'help' }
  | { key: 'no-link' }
  | { key: 'invalid-range'; problem: string }
  | { key: 'playlist-range'; problem: string };

/** The text of a {@link ReplyMessage} in `language` (absent: English). */
export function replyText(message: ReplyMessage, language?: Language): string {
  switch (message.key) {
    case 'help':
      return helpText(language);
    case 'no-link':
      return noLinkText(language);
    case 'invalid-range':
      return invalidRangeText(message.problem, language);
    case 'playlist-range':
      return playlistRangeText(message.problem, language);
  }
}

/** A text the bot sends on its own (help, usage), without downloading anything. */
export interface ReplyInput {
  chatId: number;
  messageId: number;
  /** The text in the sender's language (or English); what runs from before `message` sent. */
  text: string;
  /** Which text `text` is: written again in the chat's language when the chat has one. */
  message?: ReplyMessage;
  /** The sender's Telegram language (normalised; absent: English, or not spoken); the chat's own wins. */
  language?: Language;
  policies?: PolicyOverrides;
}

/** /settings (show the keyboard) or a press on one of its buttons. */
export interface SettingsInput {
  chatId: number;
  userId?: number;
  /** The /settings command message (show) or the keyboard message (choose). */
  messageId: number;
  choice?: SettingsChoice;
  callbackQueryId?: string;
  /** The sender's Telegram language (normalised; absent: English, or not spoken); the chat's own wins. */
  language?: Language;
  policies?: PolicyOverrides;
}

/** The Cancel button under a status message, or /cancel. */
export interface CancelInput {
  chatId: number;
  userId: number;
  /** The request to cancel (button, or /cancel as a reply to the link); absent: all of the chat's. */
  targetMessageId?: number;
  callbackQueryId?: string;
  /** /cancel's own message, answered with the outcome. */
  commandMessageId?: number;
  /** The sender's Telegram language (normalised; absent: English, or not spoken); the chat's own wins. */
  language?: Language;
  policies?: PolicyOverrides;
}
