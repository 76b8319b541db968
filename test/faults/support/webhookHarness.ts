/**
 * The production webhook in a process of its own, for the hostile-input test: the same
 * `buildApp` + update handler that `runBot` serves in webhook mode, configured from the
 * environment, on 127.0.0.1 and a free port. Run with `--expose-gc`: over its IPC channel it
 * answers `{ port }` once listening and, to `'heap'`, its memory after a full garbage collection.
 */
import { Client, Connection } from '@temporalio/client';
import { createUpdateHandler } from '../../../src/bot.js';
import { loadConfig } from '../../../src/config/index.js';
import { buildApp } from '../../../src/http/app.js';
import { createLogger } from '../../../src/logger.js';
import { dataConverterFor } from '../../../src/temporal/dataConverter.js';
import { EMULATOR_BOT_USERNAME } from '../../support/botApiEmulator.js';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel, 'webhook-harness');
const client = new Client({
  connection: await Connection.connect({ address: config.temporal.address! }),
  namespace: config.temporal.namespace,
  dataConverter: dataConverterFor(config.payloadEncryption),
});
const app = buildApp({
  webhookSecret: config.telegram.webhookSecret!,
  handleUpdate: createUpdateHandler(config, client, logger, EMULATOR_BOT_USERNAME),
  logger,
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (message === 'heap') {
    // Twice: the first pass may only schedule finalizers.
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    process.send?.({ heapUsed: usage.heapUsed, rss: usage.rss, external: usage.external, gc: gc !== undefined });
  } else if (message === 'stop') {
    void app
      .close()
      .then(() => client.connection.close())
      .then(() => process.exit(0));
  }
});
process.send?.({ port: Number(new URL(address).port) });
