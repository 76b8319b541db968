/**
 * The parts the fault-injection tests put together, each real: the embedded Temporal dev server
 * (`startDevServer`: SQLite file with WAL pragmas, on free ports), the Bot API emulator, the
 * webhook (the production `buildApp` + update handler), a telegram worker (the production
 * factory, in this process), and downloads workers as separate processes started with the
 * project's CLI (`node --import tsx src/cli/worker.ts --queue downloads`), which can be killed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Update } from 'grammy/types';
import { createUpdateHandler } from '../../../src/bot.js';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { buildApp, WEBHOOK_PATH } from '../../../src/http/app.js';
import { createLogger } from '../../../src/logger.js';
import {
  DevServerExitedError,
  startDevServer,
  type DevServer,
  type DevServerOptions,
} from '../../../src/temporal/devServer.js';
import { resolveTools } from '../../../src/tools.js';
import { createTelegramWorker, WORKFLOWS_PATH } from '../../../src/worker/workers.js';
import { EMULATOR_BOT_USERNAME } from '../../support/botApiEmulator.js';
import { freePort, startCli, type CliProcess } from './processes.js';

export const WEBHOOK_SECRET = 'fault-test-secret_42';

const noop = () => undefined;
const quietBundler = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler });
  return bundle;
}

/** Temporal's own logs at ERROR: a server that is down on purpose makes the workers complain. */
export function quietRuntime(): void {
  try {
    const level = (process.env.TEST_TEMPORAL_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR';
    // Core's own logs (gRPC retries while the server is down) go through the same filter.
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch {
    // installed already in this process
  }
}

export interface EmbeddedTemporal {
  address: string;
  dataDir: string;
  server: DevServer;
  /** Stops the server (SIGTERM: it flushes SQLite) and starts it again on the same file and port. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its SQLite file. */
  close(): Promise<void>;
}

/**
 * The server picks more ports of its own (HTTP API, metrics, internal services) at random; on a
 * busy machine another process can take one between its check and its bind, and the server exits.
 * Fresh ports and another try, a few times, before the error (with the server's stderr) stands.
 */
const START_ATTEMPTS = 3;

async function startOnFreePorts(dataDir: string): Promise<{ server: DevServer; options: DevServerOptions }> {
  for (let attempt = 1; ; attempt++) {
    const options: DevServerOptions = {
      temporalPath: resolveTools().temporal,
      dataDir,
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      logger: createLogger('silent', 'temporal'),
    };
    try {
      return { server: await startDevServer(options), options };
    } catch (error) {
      if (!(error instanceof DevServerExitedError) || attempt === START_ATTEMPTS) throw error;
    }
  }
}

/** `startDevServer` from src/temporal/devServer.ts, as `npm start` runs it, on free ports. */
export async function startEmbeddedTemporal(): Promise<EmbeddedTemporal> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-fault-temporal-'));
  const started = await startOnFreePorts(dataDir).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const { options } = started;
  let server = started.server;
  let running = true;
  const temporal: EmbeddedTemporal = {
    address: server.address,
    dataDir,
    get server() {
      return server;
    },
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async start() {
      if (running) return;
      server = await startDevServer(options);
      running = true;
    },
    async close() {
      await temporal.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    async restart(downMs) {
      await temporal.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await temporal.start();
    },
  };
  return temporal;
}

export interface FaultStackOptions {
  temporalAddress: string;
  /** What grammy talks to: the emulator, or a faulty proxy in front of it. */
  apiRoot: string;
  token: string;
  /** Configuration variables for the webhook's process (policies travel in the workflow input). */
  env?: Record<string, string>;
  /** Run a telegram worker in this process (default true). */
  telegramWorker?: boolean;
}

export interface FaultStack {
  client: Client;
  config: Config;
  app: ReturnType<typeof buildApp>;
  post(update: unknown): Promise<number>;
  /** A downloads worker process: `node --import tsx src/cli/worker.ts --queue downloads`, with the DATA_DIR it was given. */
  startDownloadsWorker(options?: {
    concurrency?: number;
    env?: Record<string, string>;
  }): Promise<CliProcess & { dataDir: string }>;
  stop(): Promise<void>;
}

/**
 * The bot's settings every fault test shares: loopback media allowed, retries a second apart, a
 * vanished host noticed in 20 s, and quotas on but never binding (bursts of links from one chat).
 */
export const FAULT_TEST_ENV: Readonly<Record<string, string>> = {
  EGRESS_ALLOWED_HOSTS: '127.0.0.1',
  DOWNLOAD_RETRY_SECONDS: '1',
  TELEGRAM_RETRY_SECONDS: '1',
  HOST_QUEUE_TIMEOUT_SECONDS: '20',
  QUOTA_CONCURRENT_REQUESTS: '1000',
  QUOTA_REQUESTS_PER_HOUR: '100000',
};

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-fault-data-'));
  const baseEnv: Record<string, string> = {
    TELEGRAM_BOT_TOKEN: options.token,
    TELEGRAM_API_ROOT: options.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TEMPORAL_ADDRESS: options.temporalAddress,
    ...FAULT_TEST_ENV,
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const config = loadConfig({ ...baseEnv, DATA_DIR: dataDir });
  const logger = createLogger(config.logLevel, 'fault-test');
  const client = new Client({
    connection: await Connection.connect({ address: options.temporalAddress }),
    namespace: 'default',
  });
  const app = buildApp({
    webhookSecret: WEBHOOK_SECRET,
    handleUpdate: createUpdateHandler(config, client, logger, EMULATOR_BOT_USERNAME),
    logger,
  });
  await app.ready();

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (options.telegramWorker !== false) {
    // Only with a native connection to end it: an installed Runtime that nothing uses keeps the process alive.
    quietRuntime();
    nativeConnection = await NativeConnection.connect({ address: options.temporalAddress });
    worker = await createTelegramWorker({
      connection: nativeConnection,
      config,
      tools: resolveTools(),
      logger,
      workflowBundle: await workflowBundle(),
    });
    workerRun = worker.run();
  }
  const processes: CliProcess[] = [];
  const dataDirs: string[] = [dataDir];

  return {
    client,
    config,
    app,
    async post(update) {
      const response = await app.inject({
        method: 'POST',
        url: WEBHOOK_PATH,
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        payload: JSON.stringify(update),
      });
      return response.statusCode;
    },
    async startDownloadsWorker({ concurrency = 2, env = {} } = {}) {
      // Each downloads process is its own host: its own DATA_DIR, like another machine.
      const workerDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-fault-host-'));
      dataDirs.push(workerDir);
      const proc = await startCli(
        `downloads-worker-${processes.length + 1}`,
        'src/cli/worker.ts',
        ['--queue', 'downloads', '--concurrency', String(concurrency)],
        { ...baseEnv, DATA_DIR: workerDir, LOG_LEVEL: 'info', ...env },
        { readyMessage: 'worker running' },
      );
      processes.push(proc);
      return Object.assign(proc, { dataDir: workerDir });
    },
    async stop() {
      await Promise.all(processes.map((proc) => proc.stop(5_000)));
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => undefined);
      await nativeConnection?.close().catch(() => undefined);
      await app.close();
      await client.connection.close().catch(() => undefined);
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

let nextMessageId = 1;
/** A private-chat message carrying one link, as Telegram delivers it. */
export function linkUpdate(
  url: string,
  chatId: number,
  messageId = nextMessageId++,
  updateId = 100_000 + messageId,
): Update {
  const text = `look ${url}`;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Fault' },
      from: { id: chatId, is_bot: false, first_name: 'Fault' },
      text,
      entities: [{ type: 'url', offset: 5, length: url.length }],
    },
  } as Update;
}

/** Waits for `condition`, polling; fails with `describe()` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
