/**
 * `npm start`: everything on one machine. The embedded Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), a telegram worker, a downloads worker, and the bot (webhook when
 * PUBLIC_URL is set, long polling otherwise). With PAYLOAD_CODEC_KEYS also the codec server, on
 * loopback, which the embedded Web UI decodes runs with. Ctrl-C / SIGTERM stops all of it, in order.
 */
import { runBot } from '../bot.js';
import { ConfigError } from '../config/index.js';
import { DEFAULT_CODEC_PORT, startConfiguredCodecServer, type RunningCodecServer } from '../http/codecServer.js';
import { HealthChecks, startHealthServer, temporalCheck, workersCheck } from '../http/health.js';
import { connectClient, connectWorkers } from '../temporal/connection.js';
import { startDevServer, type DevServer } from '../temporal/devServer.js';
import { resolveTools } from '../tools.js';
import { createDownloadWorkers, createTelegramWorker } from '../worker/workers.js';
import { bootProcess, exitOnConfigError, exitOnStartError, onShutdown } from './process.js';

const { config, logger } = bootProcess('media-bot');
const tools = resolveTools(config.tools);

// Encrypted runs stay readable in the Web UI: it sends their payloads to this server (on
// loopback, like the UI itself) to decode.
let codecServer: RunningCodecServer | undefined;
if (config.payloadEncryption) {
  codecServer = await startConfiguredCodecServer(config, logger, {
    host: '127.0.0.1',
    defaultPort: DEFAULT_CODEC_PORT,
  }).catch((error: unknown) => {
    if (error instanceof ConfigError) exitOnConfigError(error);
    logger.fatal({ err: error }, 'could not start the codec server');
    process.exit(1);
  });
}

let devServer: DevServer | undefined;
if (!config.temporal.address) {
  devServer = await startDevServer({
    temporalPath: tools.temporal,
    dataDir: config.dataDir,
    port: config.temporal.devPort,
    uiPort: config.temporal.uiPort,
    namespace: config.temporal.namespace,
    uiCodecEndpoint: codecServer?.endpoint,
    logger,
    // It died and could not be brought back: without Temporal nothing here can work.
    onFailure: () => process.exit(1),
  }).catch(async (error: unknown) => exitOnStartError(error, logger, () => codecServer?.close()));
}
const address = config.temporal.address ?? devServer!.address;

try {
  const connection = await connectWorkers(address, config.temporal);
  const client = await connectClient(address, config);
  const setup = { connection, config, tools, logger };
  const telegramWorker = await createTelegramWorker(setup);
  const downloadWorkers = await createDownloadWorkers(setup);
  const running = Promise.all([telegramWorker.run(), downloadWorkers.run()]);
  // /readyz (on the webhook's port, and on HEALTH_PORT when set): Temporal answers, workers poll.
  const health = new HealthChecks({
    temporal: temporalCheck(connection, config.temporal.namespace),
    workers: workersCheck({
      telegram: telegramWorker,
      downloads: downloadWorkers.downloads,
      host: downloadWorkers.host,
    }),
  });
  const healthServer =
    config.healthPort === undefined
      ? undefined
      : await startHealthServer({ port: config.healthPort, host: config.http.host, health, logger });
  const bot = await runBot(config, client, logger, undefined, health);

  logger.info(
    {
      mode: bot.mode,
      temporal: address,
      webUi: devServer?.uiUrl,
      namespace: config.temporal.namespace,
      codecEndpoint: codecServer?.endpoint,
    },
    devServer ? `media bot running; Temporal Web UI at ${devServer.uiUrl}` : 'media bot running',
  );

  // Updates stop first; then the downloads drain (SHUTDOWN_GRACE_SECONDS) while the telegram
  // worker still runs the workflow tasks that hand their files over; then the telegram worker.
  onShutdown(logger, async () => {
    await bot.stop();
    await downloadWorkers.stop();
    if (telegramWorker.getState() === 'RUNNING') telegramWorker.shutdown();
    await running;
    await healthServer?.close();
    await connection.close();
    await client.connection.close();
    await devServer?.stop();
    await codecServer?.close();
  });
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  await devServer?.stop();
  await codecServer?.close();
  process.exit(1);
}
