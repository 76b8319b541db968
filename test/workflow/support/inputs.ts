/** Workflow inputs as the bot's webhook starts them (src/bot.ts), with the production defaults. */
import type { MediaRequestInput } from '../../../shared/contracts/mediaRequest.js';

export const CHAT_ID = 4242;
export const USER_ID = 77;
export const MESSAGE_ID = 10;
export const CLOUD_UPLOAD_LIMIT = 50 * 1024 * 1024;

export function mediaRequest(links: string[], overrides: Partial<MediaRequestInput> = {}): MediaRequestInput {
  return {
    chatId: CHAT_ID,
    messageId: MESSAGE_ID,
    userId: USER_ID,
    links,
    maxUploadBytes: CLOUD_UPLOAD_LIMIT,
    albumCap: 10,
    quota: { concurrentRequests: 2, requestsPerHour: 20 },
    ...overrides,
  };
}
