/**
 * `npm run codec`: the codec server alone (docker compose runs it as its own service), on
 * HOST:CODEC_PORT. Needs PAYLOAD_CODEC_KEYS and CODEC_AUTH_TOKEN, no bot token and no Temporal:
 * it only encrypts and decrypts what it is sent.
 */
import { ConfigError } from '../config.js';
import { startConfiguredCodecServer } from '../http/codecServer.js';
import { bootProcess, onShutdown } from './process.js';

const { config, logger } = bootProcess('codec', { requireToken: false, metrics: false });
const server = await startConfiguredCodecServer(config, logger, { host: config.http.host }).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Configuration error: ${error.message}\nSee .env.example for every variable.\n`);
  process.exit(2);
});
logger.info({ endpoint: server.endpoint }, 'codec server running; the temporal CLI reads runs with --codec-endpoint <endpoint> --codec-auth "Bearer $CODEC_AUTH_TOKEN"');
onShutdown(logger, () => server.close());
