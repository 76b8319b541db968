/**
 * The short workflows that answer a command or a button (ReplyWorkflow, SettingsWorkflow,
 * CancelWorkflow) as the webhook starts them: their type names and inputs, recorded in their
 * histories.
 */
import type { PolicyOverrides } from '../policyOverrides.js';
import type { SettingsChoice } from './chatSettings.js';

export const REPLY_WORKFLOW = 'ReplyWorkflow';
export const SETTINGS_WORKFLOW = 'SettingsWorkflow';
export const CANCEL_WORKFLOW = 'CancelWorkflow';

/** A text the bot sends on its own (help, usage), without downloading anything. */
export interface ReplyInput {
  chatId: number;
  messageId: number;
  text: string;
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
  policies?: PolicyOverrides;
}
