import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { grammySignal } from '../../activities/adapters/telegram.js';
import type { Logger } from '../logger.js';
import type { HandleOutcome } from './handleUpdate.js';

export interface PollingOptions {
  api: Api;
  handleUpdate: (update: Update) => Promise<HandleOutcome>;
  logger: Logger;
  signal: AbortSignal;
  /** Long-poll timeout in seconds. */
  timeoutSeconds?: number;
}

const RETRY_DELAY_MS = 2_000;

/**
 * Long polling for local use, feeding the same handler as the webhook. An update is confirmed
 * to Telegram (the offset moves past it) only after its workflow start was acknowledged: if
 * Temporal is down, the same update is tried again instead of being dropped.
 */
export async function runLongPolling(options: PollingOptions): Promise<void> {
  const { api, logger, signal } = options;
  await api.deleteWebhook({ drop_pending_updates: false });
  let offset = 0;
  logger.info('long polling for updates');
  while (!signal.aborted) {
    let updates: Update[];
    try {
      updates = await api.getUpdates(
        {
          offset,
          timeout: options.timeoutSeconds ?? 30,
          allowed_updates: ['message', 'callback_query', 'inline_query', 'chosen_inline_result'],
        },
        grammySignal(signal),
      );
    } catch (error) {
      if (signal.aborted) break;
      logger.warn({ err: error }, 'getUpdates failed; retrying');
      await sleep(RETRY_DELAY_MS, undefined, { signal }).catch(() => undefined);
      continue;
    }
    for (const update of updates) {
      while (!signal.aborted) {
        try {
          await options.handleUpdate(update);
          break;
        } catch (error) {
          logger.error(
            { err: error, updateId: update.update_id },
            'could not start the workflow; retrying this update',
          );
          await sleep(RETRY_DELAY_MS, undefined, { signal }).catch(() => undefined);
        }
      }
      if (signal.aborted) return;
      offset = update.update_id + 1;
    }
  }
}
