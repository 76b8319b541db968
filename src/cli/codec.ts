/**
 * `npm run codec`: the codec server alone (docker compose runs it as its own service), on
 * HOST:CODEC_PORT. Needs PAYLOAD_CODEC_KEYS and CODEC_AUTH_TOKEN, no bot token and no Temporal:
 * it only encrypts and decrypts what it is sent.
 */
import { startConfiguredCodecServer } from '../http/codecServer.js';
import { bootProcess, exitOnConfigError, onShutdown } from './process.js';

const { config, logger } = bootProcess('codec', { requireToken: false, metrics: false });
const server = await startConfiguredCodecServer(config, logger, { host: config.http.host }).catch(exitOnConfigError);
logger.info(
  { endpoint: server.endpoint },
  'codec server running; the temporal CLI reads runs with --codec-endpoint <endpoint> --codec-auth "Bearer $CODEC_AUTH_TOKEN"',
);
onShutdown(logger, () => server.close());
