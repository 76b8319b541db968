/**
 * `npm run cluster [-- --temporal-port 7233 --postgres-port 5433 --ui-port 8233 --downloads-workers 2]`: the
 * production shape on one machine (src/cluster/layout.ts): a private PostgreSQL, the Temporal
 * server's four services as separate processes, its Web UI, and the bot as separate processes (webhook, a
 * telegram worker, downloads workers), each with a DATA_DIR of its own under DATA_DIR/cluster.
 * The bot's processes read the same environment (and .env) as `npm start`. Ctrl-C stops all of
 * it in order; the data stays for the next start.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../cluster/cluster.js';
import { DEFAULT_NAMESPACE } from '../cluster/layout.js';
import { freePort } from '../cluster/ports.js';
import { DEFAULT_TEMPORAL_PORTS, temporalPortsFrom } from '../cluster/serverConfig.js';
import { createLogger } from '../logger.js';
import { loadDotEnv, onShutdown } from './process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const usage =
  'Usage: npm run cluster -- [--temporal-port N] [--postgres-port N] [--ui-port N] [--codec-port N] [--downloads-workers N]';
function wholeNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}, got "${value}"\n${usage}\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    'temporal-port': { type: 'string' },
    'postgres-port': { type: 'string' },
    'ui-port': { type: 'string' },
    'codec-port': { type: 'string' },
    'downloads-workers': { type: 'string' },
  },
  strict: true,
});
loadDotEnv();
const logger = createLogger(process.env.LOG_LEVEL || 'info', 'cluster');
const temporalPort = wholeNumber('temporal-port', values['temporal-port'], DEFAULT_TEMPORAL_PORTS.frontend.grpc, 1024);
const dir = path.resolve(process.env.DATA_DIR || './data', 'cluster');
const namespace = process.env.TEMPORAL_NAMESPACE || DEFAULT_NAMESPACE;

let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
try {
  cluster = await startCluster({
    root: ROOT,
    dir,
    namespace,
    postgresPort: wholeNumber('postgres-port', values['postgres-port'], 5433, 1024),
    uiPort: wholeNumber('ui-port', values['ui-port'], 8233, 1024),
    codecPort: wholeNumber('codec-port', values['codec-port'], 8234, 1024),
    temporalPorts:
      temporalPort === DEFAULT_TEMPORAL_PORTS.frontend.grpc ? DEFAULT_TEMPORAL_PORTS : temporalPortsFrom(temporalPort),
    botEnv: process.env,
    replicas: { 'worker-downloads': wholeNumber('downloads-workers', values['downloads-workers'], 2, 1) },
    healthPort: () => freePort(),
    log: (message) => logger.info(message),
  });
} catch (error) {
  logger.fatal({ err: error }, 'the cluster did not start');
  process.exit(1);
}
const running = cluster;
logger.info(
  {
    temporal: running.address,
    webUi: running.uiUrl,
    namespace,
    postgres: running.postgres.url('temporal'),
    logs: path.join(dir, 'logs'),
    processes: running.bot.map((p) => ({ name: p.name, pid: p.pid, dataDir: p.dataDir })),
  },
  `cluster running: TEMPORAL_ADDRESS=${running.address} for the temporal CLI and npm run ops; Ctrl-C stops it`,
);
const everyProcess = [
  ...Object.values(running.temporal),
  running.ui,
  running.codec,
  ...running.bot,
  running.postgres.process,
];
for (const p of everyProcess.filter((p) => p !== undefined)) {
  void p.exited().then((how) => {
    if (!stopping) logger.error({ process: p.name, how, log: p.logFile }, 'a cluster process ended');
  });
}
let stopping = false;
onShutdown(logger, async () => {
  stopping = true;
  await running.stop();
});
