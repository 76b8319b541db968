import { closeSync, existsSync, openSync } from 'node:fs';
import tty from 'node:tty';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger, temporalLoggerFrom, type Logger } from '../logger.js';
import { metricsTelemetry, useMetricMeter } from '../metrics/index.js';
import { registerSecret } from '../../shared/redact.js';

/**
 * What every entry point does first: read the config from the environment and `.env` (exit 2
 * with the variable's name when it is wrong), register the secrets for redaction, and route Temporal's own logs through pino.
 */
export function bootProcess(
  name: string,
  options: { requireToken?: boolean; metrics?: boolean } = {},
): { config: Config; logger: Logger } {
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
    const runtime = Runtime.install({
      logger: temporalLoggerFrom(logger),
      shutdownSignals: [],
      ...(telemetryOptions ? { telemetryOptions } : {}),
    });
    useMetricMeter(runtime.metricMeter);
  } catch (error) {
    if (!telemetryOptions) throw error;
    process.stderr.write(
      `Could not serve metrics on METRICS_PORT ${config.metricsPort}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
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

/**
 * The embedded server could not start: the reason as the log line's message (a DATA_DIR another
 * run holds, a port another server holds, the server's own error), then exit 1.
 */
export async function exitOnStartError(
  error: unknown,
  logger: Logger,
  cleanup?: () => Promise<unknown> | undefined,
): Promise<never> {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  await cleanup?.();
  process.exit(1);
}

/** The Temporal address to use when the process does not start the embedded server itself. */
export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;
}

/** Which of stdin, stdout, stderr were a terminal when the process started. */
const STDIO_WAS_TERMINAL = [0, 1, 2].map((fd) => tty.isatty(fd));

/**
 * After a terminal was closed, points the stdio descriptors that were on it at /dev/null. The
 * hung-up terminal answers every write with EIO, and Node's exit restores the terminal's modes
 * and aborts when that fails (node::ResetStdio asserts): a clean drain would still end in
 * SIGABRT. A hung-up terminal no longer passes isatty (its ioctls fail). Closing an fd and
 * opening /dev/null reuses the same number (the lowest free one).
 */
export function detachFromClosedTerminal(): void {
  for (const fd of [0, 1, 2]) {
    if (!STDIO_WAS_TERMINAL[fd] || tty.isatty(fd)) continue;
    try {
      closeSync(fd);
      const reopened = openSync('/dev/null', fd === 0 ? 'r' : 'w');
      // Another descriptor below it was free: this one stays closed, which Node's exit accepts too.
      if (reopened !== fd) closeSync(reopened);
    } catch {
      // nothing better to do for this one
    }
  }
}

/**
 * One stop often arrives twice: a terminal's Ctrl-C (or `kill -- -<pgid>`) signals the whole
 * process group, and `npm start` forwards the same signal to us again a moment later. A signal
 * this soon after the first is that copy, not a person asking to exit at once.
 */
const SAME_STOP_MS = 1_000;

/**
 * Runs `shutdown` once on SIGINT/SIGTERM/SIGHUP (a closed terminal stops the bot the way Ctrl-C
 * does, drain included); a second signal (not the copy of the first) exits at once. Exit code 0
 * after a clean shutdown, 1 if it failed.
 */
export function onShutdown(logger: Logger, shutdown: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') detachFromClosedTerminal();
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SAME_STOP_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
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
  process.on('SIGHUP', handler);
}
