/**
 * Workflow ids are derived from the Telegram update, never from clocks or randomness: the same
 * update delivered twice maps to the same id, and Temporal refuses to start it again.
 */
export function mediaRequestWorkflowId(key: { chatId: number; messageId: number }): string {
  return `media-request-${key.chatId}-${key.messageId}`;
}

export function replyWorkflowId(key: { chatId: number; messageId: number }): string {
  return `reply-${key.chatId}-${key.messageId}`;
}

export function settingsWorkflowId(key: { chatId: number; messageId: number; callbackQueryId?: string }): string {
  return key.callbackQueryId ? `settings-choice-${key.callbackQueryId}` : `settings-${key.chatId}-${key.messageId}`;
}

export function cancelWorkflowId(key: { chatId: number; callbackQueryId?: string; commandMessageId?: number }): string {
  return key.callbackQueryId ? `cancel-button-${key.callbackQueryId}` : `cancel-${key.chatId}-${key.commandMessageId}`;
}
