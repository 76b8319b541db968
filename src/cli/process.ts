import { existsSync } from 'node:fs';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger, temporalLoggerFrom, type Logger } from '../logger.js';
import { metricsTelemetry, useMetricMeter } from '../metrics/index.js';
import { registerSecret } from '../redact.js';

/**
 * What every entry point does first: read the config from the environment and `.env` (exit 2
 * with the variable's name when it is wrong), register the secrets for redaction, and route Temporal's own logs through pino.
 */
export function bootProcess(name: string, options: { requireToken?: boolean; metrics?: boolean } = {}): { config: Config; logger: Logger } {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig(process.env, { requireToken: options.requireToken ?? true });
  } catch (error) {
    exitOnConfigError(error);
  }
  registerSecret(config.telegram.token);
  registerSecret(config.telegram.webhookSecret);
  registerSecret(config.codecServer.authToken);
  for (const { key } of config.payloadEncryption?.keys ?? []) registerSecret(key.toString('base64'));
  registerSecret(config.payloadEncryption?.chatIdPseudonymKey.toString('base64'));
  const logger = createLogger(config.logLevel, name);
  // What nobody caught (a start that failed: setWebhook refused or unreachable) would be printed
  // by Node as it is, fields and all: grammy's errors hold the Bot API URL (the token) and the
  // call's payload (the webhook secret). It goes through the redacting logger instead.
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'fatal error');
    process.exit(1);
  });
  // We stop workers ourselves, in order, on SIGINT/SIGTERM (see onShutdown). With METRICS_PORT,
  // the runtime serves /metrics: the SDK's metrics and the bot's own (src/metrics).
  // The bot's processes only (not the bare Temporal server, which needs no token).
  const serveMetrics = options.metrics ?? options.requireToken ?? true;
  const telemetryOptions = serveMetrics ? metricsTelemetry(config.metricsPort, config.http.host) : undefined;
  try {
    const runtime = Runtime.install({ logger: temporalLoggerFrom(logger), shutdownSignals: [], ...(telemetryOptions ? { telemetryOptions } : {}) });
    useMetricMeter(runtime.metricMeter);
  } catch (error) {
    if (!telemetryOptions) throw error;
    process.stderr.write(`Could not serve metrics on METRICS_PORT ${config.metricsPort}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  if (telemetryOptions) logger.info({ port: config.metricsPort }, 'Prometheus metrics at /metrics');
  return { config, logger };
}

/**
 * A .env in the working directory fills in what the environment does not set (so loading it
 * twice changes nothing).
 */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/** A ConfigError exits 2 with the variable's name; anything else is thrown on. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\nSee .env.example for every variable.\n`);
    process.exit(2);
  }
  throw error;
}

/** The Temporal address to use when the process does not start the embedded server itself. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;
}

/**
 * Runs `shutdown` once on SIGINT/SIGTERM; a second signal exits at once. Exit code 0 after a
 * clean shutdown, 1 if it failed.
 */
export function onShutdown(logger: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    shutdown().then(
      () => process.exit(process.exitCode ?? 0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
