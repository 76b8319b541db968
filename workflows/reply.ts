import { proxyActivities } from '@temporalio/workflow';
import type { TelegramActivities } from '../activities/index.js';
import { telegramPolicy } from './policies.js';
import type { ReplyInput } from './types.js';

/** A text reply (help, usage) sent through the telegram queue, so it is as durable and visible as a download. */
export async function ReplyWorkflow(input: ReplyInput): Promise<void> {
  const telegram = proxyActivities<TelegramActivities>(telegramPolicy(input.policies));
  await telegram.sendText({ chatId: input.chatId, text: input.text, replyToMessageId: input.messageId });
}
