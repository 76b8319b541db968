/**
 * `npm run webhook`: the bot alone, without workers. Webhook server when PUBLIC_URL is set,
 * long polling otherwise. Connects to TEMPORAL_ADDRESS (default: the local embedded server).
 */
import { runBot } from '../bot.js';
import { connectClient } from '../temporal/connection.js';
import { bootProcess, onShutdown, temporalAddress } from './process.js';

const { config, logger } = bootProcess('bot');
const client = await connectClient(temporalAddress(config), config.temporal);
const bot = await runBot(config, client, logger);
logger.info({ mode: bot.mode, temporal: temporalAddress(config) }, 'bot running');

onShutdown(logger, async () => {
  await bot.stop();
  await client.connection.close();
});
