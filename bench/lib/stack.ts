/**
 * The bot as it runs in production, on loopback, for the benchmarks: the embedded Temporal dev
 * server (`startDevServer`: SQLite file, WAL + synchronous=NORMAL, on free ports), the project's
 * CLI entry points as separate processes (workers, webhook), the Bot API emulator and a media
 * server in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { createUpdateHandler } from '../../src/bot.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { startDevServer, type DevServer } from '../../src/temporal/devServer.js';
import { resolveTools } from '../../src/tools.js';
import {
  EMULATOR_BOT_USERNAME,
  startBotApiEmulator,
  type BotApiEmulator,
  type BotApiEmulatorOptions,
} from '../../test/support/botApiEmulator.js';
import { createMediaFixtures } from '../../test/support/mediaFixtures.js';
import { findPid, freePort, startCli, type CliProcess } from '../../test/faults/support/processes.js';
import {
  startThrottledMediaServer,
  type ThrottledMediaServer,
} from '../../test/faults/support/throttledMediaServer.js';

export const WEBHOOK_SECRET = 'bench-webhook-secret_1';

export interface BenchStack {
  address: string;
  devServer: DevServer;
  /** The `temporal` server process (for its CPU and memory). */
  temporalPid: number | undefined;
  emulator: BotApiEmulator;
  media: ThrottledMediaServer;
  /** The folder the media server serves (the test fixtures, plus what a bench adds). */
  mediaDir: string;
  client: Client;
  /** The configuration a webhook process would read from `env()`. */
  config: Config;
  /** Environment of a child process: everything it needs to find the others. */
  env(extra?: Record<string, string>): Record<string, string>;
  startWorker(
    queue: 'downloads' | 'telegram',
    options?: { concurrency?: number; env?: Record<string, string> },
  ): Promise<CliProcess>;
  /** `src/cli/bot.ts` in webhook mode on a free loopback port. */
  startWebhook(options?: { env?: Record<string, string> }): Promise<{ proc: CliProcess; url: string }>;
  processes: CliProcess[];
  stop(): Promise<void>;
}

export async function startBenchStack(
  options: { emulator?: BotApiEmulatorOptions; env?: Record<string, string>; mediaDir?: string } = {},
): Promise<BenchStack> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'media-bot-bench-'));
  const devServer = await startDevServer({
    temporalPath: resolveTools().temporal,
    dataDir: path.join(root, 'temporal'),
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    logger: createLogger('error', 'temporal'),
  });
  const temporalPid = findPid(devServer.dbFile);
  const fixtures = await createMediaFixtures();
  const mediaDir = options.mediaDir ?? fixtures.dir;
  const [emulator, media] = await Promise.all([
    startBotApiEmulator(options.emulator),
    startThrottledMediaServer(mediaDir),
  ]);
  const client = new Client({
    connection: await Connection.connect({ address: devServer.address }),
    namespace: 'default',
  });
  const processes: CliProcess[] = [];
  let dirs = 0;

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TEMPORAL_ADDRESS: devServer.address,
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
    // The production default level: what the processes log is part of what they cost.
    LOG_LEVEL: 'info',
    SHUTDOWN_GRACE_SECONDS: '2',
    // One bench "user" sends hundreds of links: quotas stay on (their cost is measured) but do not bind.
    QUOTA_CONCURRENT_REQUESTS: '10000',
    QUOTA_REQUESTS_PER_HOUR: '1000000',
    // The bench posts from loopback, hundreds a second: the per-address flood limit would refuse it.
    WEBHOOK_RATE_LIMIT: '0',
    DATA_DIR: path.join(root, `data-${++dirs}`),
    ...options.env,
    ...extra,
  });
  const config = loadConfig(env());

  return {
    address: devServer.address,
    devServer,
    temporalPid,
    emulator,
    media,
    mediaDir,
    client,
    config,
    env,
    processes,
    async startWorker(queue, { concurrency, env: extra } = {}) {
      const proc = await startCli(
        `worker-${queue}`,
        'src/cli/worker.ts',
        ['--queue', queue, ...(concurrency === undefined ? [] : ['--concurrency', String(concurrency)])],
        env(extra),
        { readyMessage: 'worker running', readyTimeoutMs: 180_000 },
      );
      processes.push(proc);
      return proc;
    },
    async startWebhook({ env: extra } = {}) {
      const port = await freePort();
      const proc = await startCli(
        'webhook',
        'src/cli/bot.ts',
        [],
        env({ PUBLIC_URL: 'https://bench.invalid', HOST: '127.0.0.1', PORT: String(port), ...extra }),
        {
          readyMessage: 'bot running',
        },
      );
      processes.push(proc);
      return { proc, url: `http://127.0.0.1:${port}` };
    },
    async stop() {
      await Promise.all(processes.map((proc) => proc.stop(10_000)));
      await client.connection.close().catch(() => undefined);
      await devServer.stop();
      await Promise.all([emulator.close(), media.close()]);
      await rm(root, { recursive: true, force: true });
    },
  };
}

let nextMessageId = 1;

/** A private-chat message with a link and some words around it, as Telegram delivers it. */
export function linkUpdate(url: string, chatId: number, messageId = nextMessageId++): Update {
  const text = `hey, can you get this one? ${url} thanks!`;
  return {
    update_id: 1_000_000 + messageId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Ada', last_name: 'Bench', username: `user${chatId}` },
      from: {
        id: chatId,
        is_bot: false,
        first_name: 'Ada',
        last_name: 'Bench',
        username: `user${chatId}`,
        language_code: 'en',
      },
      text,
      entities: [{ type: 'url', offset: text.indexOf(url), length: url.length }],
    },
  } as Update;
}

export interface CapturedStart {
  workflow: string | Workflow;
  options: WorkflowStartOptions;
}

/**
 * The exact `client.workflow.start` call the webhook would make for `update` (workflow, id,
 * input, policies, search attributes), captured by running the production update handler
 * against a client that only records.
 */
export async function captureStart(config: Config, update: Update): Promise<CapturedStart> {
  let captured: CapturedStart | undefined;
  const recorder = {
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    workflow: {
      start: async (workflow: CapturedStart['workflow'], options: WorkflowStartOptions) => {
        captured = { workflow, options };
        return {};
      },
    },
  } as unknown as Client;
  await createUpdateHandler(config, recorder, createLogger('silent'), EMULATOR_BOT_USERNAME)(update);
  if (!captured) throw new Error('the update handler started nothing for this update');
  return captured;
}

/** Waits until `count(query)` stops changing (visibility is updated asynchronously). */
export async function settledCount(
  client: Client,
  query: string,
  atLeast: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stable = 0;
  while (Date.now() < deadline) {
    const { count } = await client.workflow.count(query);
    stable = count === last ? stable + 1 : 0;
    last = count;
    if (count >= atLeast && stable >= 2) return count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return last;
}
