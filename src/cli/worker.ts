/**
 * `npm run worker -- --queue downloads|telegram [--concurrency N]`: one worker process for one
 * queue, to scale the queue that is behind. Connects to TEMPORAL_ADDRESS (default: the embedded
 * server of `npm start` / `npm run temporal` on this machine).
 */
import { parseArgs } from 'node:util';
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../../workflows/policies.js';
import { connectWorkers } from '../temporal/connection.js';
import { resolveTools } from '../tools.js';
import { createDownloadWorkers, createTelegramWorker } from '../worker/workers.js';
import { bootProcess, onShutdown, temporalAddress } from './process.js';

const QUEUES = [DOWNLOADS_QUEUE, TELEGRAM_QUEUE];

const { values } = parseArgs({
  options: { queue: { type: 'string' }, concurrency: { type: 'string' } },
  strict: true,
});
if (!values.queue || !QUEUES.includes(values.queue)) {
  process.stderr.write(`Usage: npm run worker -- --queue ${QUEUES.join('|')} [--concurrency N]\n`);
  process.exit(2);
}
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
  process.stderr.write(`--concurrency must be a whole number of at least 1, got "${values.concurrency}"\n`);
  process.exit(2);
}

const { config, logger } = bootProcess(`worker-${values.queue}`);
const tools = resolveTools(config.tools);
const connection = await connectWorkers(temporalAddress(config), config.temporal);
const setup = { connection, config, tools, logger, concurrency };
const workers =
  values.queue === TELEGRAM_QUEUE
    ? [await createTelegramWorker(setup)]
    : await createDownloadWorkers(setup).then(({ downloads, host }) => [downloads, host]);
const running = Promise.all(workers.map((worker) => worker.run()));
logger.info({ queue: values.queue, temporal: temporalAddress(config) }, 'worker running');

onShutdown(logger, async () => {
  for (const worker of workers) worker.shutdown();
  await running;
  await connection.close();
});
await running.catch((error: unknown) => {
  logger.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
