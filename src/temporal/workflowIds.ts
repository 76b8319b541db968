/**
 * Workflow ids are derived from the Telegram update, never from clocks or randomness: the same
 * message delivered twice maps to the same id, and Temporal refuses to start it again.
 */
export function mediaRequestWorkflowId(key: { chatId: number; messageId: number }): string {
  return `media-request-${key.chatId}-${key.messageId}`;
}

export function replyWorkflowId(key: { chatId: number; messageId: number }): string {
  return `reply-${key.chatId}-${key.messageId}`;
}
