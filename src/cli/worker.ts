/**
 * `npm run worker -- --queue downloads|telegram [--concurrency N]`: one worker process for one
 * queue, to scale the queue that is behind (WORKER_QUEUE when there is no --queue). Connects to
 * TEMPORAL_ADDRESS (default: the embedded server of `npm start` / `npm run temporal` on this machine).
 */
import { parseArgs } from 'node:util';
import type { Worker } from '@temporalio/worker';
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { HealthChecks, startHealthServer, temporalCheck, workersCheck } from '../http/health.js';
import { connectWorkers } from '../temporal/connection.js';
import { resolveTools } from '../tools.js';
import { createDownloadWorkers, createTelegramWorker } from '../worker/workers.js';
import { bootProcess, loadDotEnv, onShutdown, temporalAddress } from './process.js';
import { chooseWorkerQueue } from './workerQueue.js';

const QUEUES = [DOWNLOADS_QUEUE, TELEGRAM_QUEUE];

const { values } = parseArgs({
  options: { queue: { type: 'string' }, concurrency: { type: 'string' } },
  strict: true,
});
// The queue is a usage question answered before bootProcess reads the config (and .env, again).
loadDotEnv();
const chosen = chooseWorkerQueue(values.queue, process.env, QUEUES);
if (chosen.error !== undefined) {
  process.stderr.write(
    `error: ${chosen.error}\nUsage: npm run worker -- --queue ${QUEUES.join('|')} [--concurrency N]  (or WORKER_QUEUE=${QUEUES.join('|')})\n`,
  );
  process.exit(2);
}
const queue = chosen.queue;
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
  process.stderr.write(`--concurrency must be a whole number of at least 1, got "${values.concurrency}"\n`);
  process.exit(2);
}

const { config, logger } = bootProcess(`worker-${queue}`);
const tools = resolveTools(config.tools);
const connection = await connectWorkers(temporalAddress(config), config.temporal);
const setup = { connection, config, tools, logger, concurrency };
let workers: Record<string, Worker>;
let running: Promise<unknown>;
let stopWorkers: () => Promise<void>;
if (queue === TELEGRAM_QUEUE) {
  const worker = await createTelegramWorker(setup);
  workers = { telegram: worker };
  running = worker.run();
  stopWorkers = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
} else {
  const pair = await createDownloadWorkers(setup);
  workers = { downloads: pair.downloads, host: pair.host };
  running = pair.run();
  stopWorkers = () => pair.stop();
}
const health = new HealthChecks({
  temporal: temporalCheck(connection, config.temporal.namespace),
  workers: workersCheck(workers),
});
const healthServer =
  config.healthPort === undefined
    ? undefined
    : await startHealthServer({ port: config.healthPort, host: config.http.host, health, logger });
logger.info({ queue, temporal: temporalAddress(config) }, 'worker running');

// SIGTERM: not ready at once, no new tasks, running activities finish within
// SHUTDOWN_GRACE_SECONDS and are cancelled after it (their workflows retry them elsewhere).
onShutdown(logger, async () => {
  health.stopping();
  await stopWorkers();
  await connection.close();
  await healthServer?.close();
  logger.info('worker stopped');
});
await running.catch((error: unknown) => {
  logger.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
