/**
 * The ops CLI: `npm run ops -- <command>`. What `php artisan queue:monitor|failed|retry` and
 * `redis-cli LLEN` answered before, from Temporal: task queue backlogs and pollers, failed
 * requests, retries, cancellation, history export and replay.
 *
 * Configured like the bot (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, TEMPORAL_API_KEY, `.env`),
 * without needing TELEGRAM_BOT_TOKEN. Output: a table, or JSON with --json. Exit codes: 0 ok,
 * 1 the operation failed, 2 usage or configuration error.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger, temporalLoggerFrom } from '../logger.js';
import { redactSecrets, registerSecret } from '../../shared/redact.js';
import { USAGE, UsageError } from '../ops/args.js';
import { cancelCommand } from '../ops/cancel.js';
import { chatCommand } from '../ops/chat.js';
import type { Command, CommonFlags } from '../ops/command.js';
import { openContext, opsAddress, type OpsContext } from '../ops/context.js';
import { exportCommand } from '../ops/export.js';
import { failedCommand } from '../ops/failed.js';
import { json } from '../ops/output.js';
import { replayCommand } from '../ops/replay.js';
import { retryCommand } from '../ops/retry.js';
import { statusCommand } from '../ops/status.js';
import { ytdlpCommand } from '../ops/ytdlp.js';

const COMMANDS: Record<string, Command<CommonFlags>> = {
  status: statusCommand,
  failed: failedCommand,
  retry: retryCommand,
  cancel: cancelCommand,
  export: exportCommand,
  replay: replayCommand,
  chat: chatCommand,
  ytdlp: ytdlpCommand,
};

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text.endsWith('\n') ? text : `${text}\n`, () => resolve()));
}

function loadOpsConfig(): Config {
  // Like every entry point: a .env in the working directory fills in what the environment lacks.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env, { requireToken: false });
  registerSecret(config.telegram.token);
  registerSecret(config.telegram.webhookSecret);
  return config;
}

/** Temporal's runtime (used by replay) logs through pino to stderr: stdout is the command's output. */
async function installQuietRuntime(config: Config): Promise<void> {
  const { Runtime } = await import('@temporalio/worker');
  const level = ['debug', 'trace'].includes(config.logLevel)
    ? config.logLevel
    : config.logLevel === 'silent'
      ? 'silent'
      : 'warn';
  const logger = createLogger(level, 'ops', process.stderr);
  // Core logs to stdout unless forwarded; the determinism errors it warns about are in the report.
  const core = level === 'debug' || level === 'trace' ? 'DEBUG' : 'ERROR';
  Runtime.install({
    logger: temporalLoggerFrom(logger),
    shutdownSignals: [],
    telemetryOptions: { logging: { filter: { core, other: 'ERROR' }, forward: {} } },
  });
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    await write(name === undefined ? process.stderr : process.stdout, USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  const parsed = command.parse(args, new Date());
  if (parsed.help) {
    await write(process.stdout, USAGE);
    return 0;
  }
  const config = loadOpsConfig();
  if (name === 'replay') await installQuietRuntime(config);

  let context: (OpsContext & { close(): Promise<void> }) | undefined;
  const connect = async (): Promise<OpsContext> => {
    try {
      context ??= await openContext(config);
    } catch (error) {
      throw new Error(
        `cannot connect to Temporal at ${opsAddress(config)} (namespace ${config.temporal.namespace}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return context;
  };
  try {
    const result = await command.run(parsed, connect, config);
    for (const warning of result.warnings ?? []) await write(process.stderr, `warning: ${warning}`);
    await write(process.stdout, parsed.json ? json(result.data) : result.text);
    return result.exitCode;
  } finally {
    await context?.close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (error: unknown) => {
    if (error instanceof UsageError) {
      await write(process.stderr, `error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      await write(process.stderr, `Configuration error: ${error.message}\nSee .env.example for every variable.`);
      process.exit(2);
    }
    await write(process.stderr, `error: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
    process.exit(1);
  },
);
