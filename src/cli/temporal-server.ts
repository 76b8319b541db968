/**
 * `npm run temporal`: only the embedded Temporal dev server (SQLite under DATA_DIR, Web UI),
 * for running the bot and workers as separate processes on one machine.
 */
import { CODEC_PATH } from '../http/codecServer.js';
import { startDevServer } from '../temporal/devServer.js';
import { resolveTools } from '../tools.js';
import { bootProcess, exitOnStartError, onShutdown } from './process.js';

const { config, logger } = bootProcess('temporal', { requireToken: false });
const server = await startDevServer({
  temporalPath: resolveTools(config.tools).temporal,
  dataDir: config.dataDir,
  port: config.temporal.devPort,
  uiPort: config.temporal.uiPort,
  namespace: config.temporal.namespace,
  // With `npm run codec` on CODEC_PORT beside it, the Web UI decodes encrypted runs there.
  uiCodecEndpoint:
    config.codecServer.port === undefined ? undefined : `http://127.0.0.1:${config.codecServer.port}${CODEC_PATH}`,
  logger,
  onFailure: () => process.exit(1),
}).catch((error: unknown) => exitOnStartError(error, logger));
logger.info({ address: server.address, webUi: server.uiUrl }, 'Temporal dev server running');
onShutdown(logger, () => server.stop());
