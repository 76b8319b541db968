import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type LogLevel,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Update } from 'grammy/types';
import { createUpdateHandler } from '../../src/bot.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { buildApp, WEBHOOK_PATH } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { SEARCH_ATTRIBUTES } from '../../shared/searchAttributes.js';
import { registerSecret } from '../../shared/redact.js';
import { dataConverterFor, workflowBundleConverterOptions } from '../../src/temporal/dataConverter.js';
import { resolveTools } from '../../src/tools.js';
import { createDownloadWorkers, createTelegramWorker, WORKFLOWS_PATH } from '../../src/worker/workers.js';
import { EMULATOR_BOT_USERNAME, startBotApiEmulator, type BotApiEmulator } from './botApiEmulator.js';
import { createMediaFixtures, type MediaFixtures } from './mediaFixtures.js';
import { startMediaServer, type MediaServer } from './mediaServer.js';

export const WEBHOOK_SECRET = 'test-webhook-secret_123';
export const CHAT_ID = 4242;

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
/**
 * The workflow bundle, built once per test file (webpack takes a few seconds). With payload
 * encryption the bundle carries the failure converter that encrypts workflow failures too.
 */
export function workflowBundle(encryption?: Config['payloadEncryption']): Promise<WorkflowBundleWithSourceMap> {
  const encrypted = encryption !== undefined;
  let bundle = bundles.get(encrypted);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quietBundlerLogger,
      ...workflowBundleConverterOptions(encryption),
    });
    bundles.set(encrypted, bundle);
  }
  return bundle;
}

const noop = () => undefined;

/** Worker state changes at INFO would drown the test output; warnings and errors still show. */
function quietTemporalRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as LogLevel | undefined) ?? 'WARN'),
    });
  } catch {
    // Already installed by an earlier stack in this process.
  }
}
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/** The `temporal` dev server started by @temporalio/testing from the local binary (no download). */
export function startTemporal(): Promise<TestWorkflowEnvironment> {
  quietTemporalRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTools().temporal },
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

export interface TestStack {
  env: TestWorkflowEnvironment;
  client: Client;
  emulator: BotApiEmulator;
  media: MediaServer;
  fixtures: MediaFixtures;
  config: Config;
  dataDir: string;
  app: ReturnType<typeof buildApp>;
  /** The host queue of the stack's own downloads worker (undefined when started without one). */
  hostQueue: string | undefined;
  /**
   * Starts another downloads worker process's pair of workers. `runHostQueue: false` leaves its
   * host queue unpolled: a host that downloads, then is gone before the upload.
   */
  startDownloadWorkers(options?: { runHostQueue?: boolean }): Promise<{ hostQueue: string; stop(): Promise<void> }>;
  /**
   * A link to a served file that no earlier request used: the file_id cache keys on the link,
   * so a test that means to download must not reuse one.
   */
  mediaUrl(name: string): string;
  /** POSTs an update to the webhook like Telegram does (the secret header set unless overridden). */
  post(update: unknown, headers?: Record<string, string>): Promise<{ statusCode: number; body: string }>;
  /** A new private-chat message with a link, as Telegram would deliver it. */
  linkUpdate(url: string, options?: { chatId?: number; messageId?: number; text?: string }): Update;
  stop(): Promise<void>;
}

let nextMessageId = 100;
let nextRequest = 1;
let nextUpdateId = 9_000;

/**
 * The whole bot on loopback: a real Temporal dev server, the real workers (the production
 * factories), real yt-dlp downloading from a loopback media server, and the Bot API emulator.
 * `env` overrides configuration variables (e.g. a lower MAX_UPLOAD_BYTES).
 */
export async function startTestStack(
  env: Record<string, string> = {},
  options: { downloadWorkers?: boolean } = {},
): Promise<TestStack> {
  const started = await Promise.allSettled([startTemporal(), startBotApiEmulator(), createMediaFixtures()] as const);
  const [temporalResult, emulatorResult, fixturesResult] = started;
  if (
    temporalResult.status === 'rejected' ||
    emulatorResult.status === 'rejected' ||
    fixturesResult.status === 'rejected'
  ) {
    // A half-started stack must not leave a Temporal server (or a port) behind to hang Jest.
    if (temporalResult.status === 'fulfilled') await temporalResult.value.teardown();
    if (emulatorResult.status === 'fulfilled') await emulatorResult.value.close();
    throw started.find((result): result is PromiseRejectedResult => result.status === 'rejected')!.reason;
  }
  try {
    return await assembleStack(temporalResult.value, emulatorResult.value, fixturesResult.value, env, options);
  } catch (error) {
    await Promise.allSettled([temporalResult.value.teardown(), emulatorResult.value.close()]);
    throw error;
  }
}

async function assembleStack(
  temporal: TestWorkflowEnvironment,
  emulator: BotApiEmulator,
  fixtures: MediaFixtures,
  env: Record<string, string>,
  options: { downloadWorkers?: boolean },
): Promise<TestStack> {
  const media = await startMediaServer(fixtures.dir);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-data-'));
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DATA_DIR: dataDir,
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
    // The production policy, shortened so retries happen within a test's time.
    DOWNLOAD_RETRY_SECONDS: '1',
    TELEGRAM_RETRY_SECONDS: '1',
    HOST_QUEUE_TIMEOUT_SECONDS: '20',
    // Tests send many links from one user, some at once: quotas stay on (every request asks its
    // user's quota entity) but far from binding. test/e2e/quotas.test.ts sets small ones.
    QUOTA_CONCURRENT_REQUESTS: '100',
    QUOTA_REQUESTS_PER_HOUR: '10000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  registerSecret(config.telegram.token);
  const logger = createLogger(config.logLevel, 'test');
  const setup = {
    connection: temporal.nativeConnection,
    config,
    tools: resolveTools(config.tools),
    logger,
    workflowBundle: await workflowBundle(config.payloadEncryption),
  };
  const telegramWorker = await createTelegramWorker(setup);
  const extraWorkers: Array<() => Promise<void>> = [];
  const startDownloadWorkers = async ({ runHostQueue = true } = {}) => {
    const downloadWorkers = await createDownloadWorkers(setup);
    const { downloads, host, hostQueue } = downloadWorkers;
    const started = runHostQueue ? [downloads, host] : [downloads];
    const runs = Promise.all(started.map((worker) => worker.run()));
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      for (const worker of started) worker.shutdown();
      await runs;
      // The workers were run here, not through `run()`: this only closes the download engine and
      // the egress proxy, which would otherwise live as long as jest.
      await downloadWorkers.stop();
    };
    extraWorkers.push(stop);
    return { hostQueue, stop };
  };
  const ownDownloads = options.downloadWorkers === false ? undefined : await startDownloadWorkers();
  const workers: Worker[] = [telegramWorker];
  const running = Promise.all(workers.map((worker) => worker.run()));
  // With PAYLOAD_CODEC_KEYS the bot's client encrypts, like connectClient in production.
  const client = config.payloadEncryption
    ? new Client({
        connection: temporal.connection,
        namespace: 'default',
        dataConverter: dataConverterFor(config.payloadEncryption),
      })
    : temporal.client;
  const app = buildApp({
    webhookSecret: WEBHOOK_SECRET,
    handleUpdate: createUpdateHandler(config, client, logger, EMULATOR_BOT_USERNAME),
    logger,
  });
  await app.ready();

  return {
    env: temporal,
    client,
    emulator,
    media,
    fixtures,
    config,
    dataDir,
    app,
    hostQueue: ownDownloads?.hostQueue,
    startDownloadWorkers,
    mediaUrl: (name) => `${media.url(name)}?request=${nextRequest++}`,
    async post(update, headers = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET }) {
      const response = await app.inject({
        method: 'POST',
        url: WEBHOOK_PATH,
        headers: { 'content-type': 'application/json', ...headers },
        payload: typeof update === 'string' ? update : JSON.stringify(update),
      });
      return { statusCode: response.statusCode, body: response.body };
    },
    linkUpdate(url, options = {}) {
      const text = options.text ?? url;
      const offset = text.indexOf(url);
      const chatId = options.chatId ?? CHAT_ID;
      return {
        update_id: nextUpdateId++,
        message: {
          message_id: options.messageId ?? nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: 'private', first_name: 'Tester' },
          from: { id: chatId, is_bot: false, first_name: 'Tester' },
          text,
          entities: offset >= 0 ? [{ type: 'url', offset, length: url.length }] : [],
        },
      } as Update;
    },
    async stop() {
      for (const worker of workers) worker.shutdown();
      await Promise.all([running, ...extraWorkers.map((stop) => stop())]);
      await app.close();
      await Promise.all([temporal.teardown(), emulator.close(), media.close()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One stack for a test file: started before its tests, stopped after them, its emulator and media
 * server reset before each test. The returned object stands for the started stack (use it inside
 * hooks and tests only).
 */
export function useTestStack(): TestStack {
  let started: TestStack | undefined;
  beforeAll(async () => {
    started = await startTestStack();
  });
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(() => {
    started!.emulator.reset();
    started!.media.reset();
  });
  return new Proxy({} as TestStack, {
    get(_, key) {
      if (!started) throw new Error('the test stack is not started: use it inside a hook or test');
      return Reflect.get(started, key);
    },
  });
}

/** The workflow id of the media request a message update starts. */
export function requestIdOf(update: Update): string {
  return mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
}
