import type { Client } from '@temporalio/client';
import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { createBotApi } from '../activities/adapters/telegram.js';
import type { Config } from './config/index.js';
import { buildApp, WEBHOOK_PATH } from './http/app.js';
import { HealthChecks, temporalCheck } from './http/health.js';
import type { Logger } from './logger.js';
import { learnBotUsername } from './telegram/botIdentity.js';
import { handleUpdate } from './telegram/handleUpdate.js';
import { runLongPolling } from './telegram/polling.js';
import { chatIdsFor } from '../shared/chatPseudonyms.js';
import { WorkflowStarter } from './temporal/starter.js';

export interface RunningBot {
  mode: 'webhook' | 'polling';
  stop(): Promise<void>;
}

/**
 * The update handler wired to Temporal, as both the webhook and polling use it. `botUsername`
 * is the bot's own (getMe): commands addressed to other bots are ignored.
 */
export function createUpdateHandler(config: Config, client: Client, logger: Logger, botUsername: string) {
  const deps = {
    starter: new WorkflowStarter(client, chatIdsFor(config.payloadEncryption)),
    botUsername,
    maxUploadBytes: config.maxUploadBytes,
    albumCap: config.albumCap,
    pickerTimeoutSeconds: config.pickerTimeoutSeconds,
    maxPlaylistItems: config.maxPlaylistItems,
    policies: config.policies,
    allowedChatIds: config.allowedChatIds ? new Set(config.allowedChatIds) : undefined,
    // Both limits off: requests do not even ask the quota entity.
    quota: config.quota.concurrentRequests > 0 || config.quota.requestsPerHour > 0 ? config.quota : undefined,
    storageChatId: config.storageChatId,
    logger,
  };
  return (update: Update) => handleUpdate(update, deps);
}

/**
 * Receives updates: a webhook server when PUBLIC_URL is set (registered with Telegram with its
 * secret token), long polling otherwise. Either way the bot's username is learned first (getMe),
 * before any update can arrive; the start fails if the Bot API does not tell it.
 */
export async function runBot(
  config: Config,
  client: Client,
  logger: Logger,
  api: Api = createBotApi(config.telegram.token, config.telegram.apiRoot),
  /** What the webhook's `/readyz` checks; default: Temporal answers. */
  health: HealthChecks = new HealthChecks({ temporal: temporalCheck(client.connection, config.temporal.namespace) }),
): Promise<RunningBot> {
  const botUsername = await learnBotUsername(api);
  logger.info({ botUsername }, 'bot identity learned from getMe');
  const onUpdate = createUpdateHandler(config, client, logger, botUsername);
  if (config.publicUrl) {
    const app = buildApp({
      webhookSecret: config.telegram.webhookSecret!,
      handleUpdate: onUpdate,
      logger,
      health,
      rateLimitPerMinute: config.webhook.rateLimitPerMinute,
      trustProxyHops: config.webhook.trustProxyHops,
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    await api.setWebhook(`${config.publicUrl}${WEBHOOK_PATH}`, {
      secret_token: config.telegram.webhookSecret,
      allowed_updates: ['message', 'callback_query', 'inline_query', 'chosen_inline_result'],
    });
    logger.info({ url: `${config.publicUrl}${WEBHOOK_PATH}` }, 'webhook registered with Telegram');
    // Stop: /readyz turns 503 and new requests get 503 (Telegram redelivers them), then the
    // requests in flight finish.
    return {
      mode: 'webhook',
      stop: () => {
        health.stopping();
        return app.close();
      },
    };
  }
  const stopping = new AbortController();
  const polling = runLongPolling({ api, handleUpdate: onUpdate, logger, signal: stopping.signal }).catch(
    (error: unknown) => {
      logger.fatal({ err: error }, 'long polling stopped');
      process.exitCode = 1;
    },
  );
  return {
    mode: 'polling',
    async stop() {
      health.stopping();
      stopping.abort();
      await polling;
    },
  };
}
