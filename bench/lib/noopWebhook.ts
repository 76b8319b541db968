/**
 * The webhook bench's floor: the production fastify app (`buildApp`: secret check, body limit,
 * schema validation, logging at the configured level) whose update handler starts nothing and
 * answers 200 at once. Listens on 127.0.0.1:$PORT.
 */
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel, 'noop-webhook');
const app = buildApp({
  webhookSecret: config.telegram.webhookSecret!,
  handleUpdate: async () => ({ action: 'ignored', reason: 'benchmark floor: nothing is started' }),
  logger,
});
await app.listen({ host: '127.0.0.1', port: config.http.port });
logger.info({ port: config.http.port }, 'noop webhook running');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
