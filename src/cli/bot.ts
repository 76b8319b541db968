/**
 * `npm run webhook`: the bot alone, without workers. Webhook server when PUBLIC_URL is set,
 * long polling otherwise. Connects to TEMPORAL_ADDRESS (default: the local embedded server).
 */
import { runBot } from '../bot.js';
import { HealthChecks, startHealthServer, temporalCheck } from '../http/health.js';
import { connectClient } from '../temporal/connection.js';
import { bootProcess, onShutdown, temporalAddress } from './process.js';

const { config, logger } = bootProcess('bot');
const client = await connectClient(temporalAddress(config), config);
// /healthz and /readyz: on the webhook's port, and on HEALTH_PORT when set (long polling has no server).
const health = new HealthChecks({ temporal: temporalCheck(client.connection, config.temporal.namespace) });
const healthServer =
  config.healthPort === undefined
    ? undefined
    : await startHealthServer({ port: config.healthPort, host: config.http.host, health, logger });
const bot = await runBot(config, client, logger, undefined, health);
logger.info({ mode: bot.mode, temporal: temporalAddress(config) }, 'bot running');

// SIGTERM: no new updates (the webhook answers 503, Telegram redelivers later), then the
// starts in flight finish.
onShutdown(logger, async () => {
  await bot.stop();
  await client.connection.close();
  await healthServer?.close();
});
