import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { startCluster, type Cluster } from '../../../src/cluster/cluster.js';
import { BOT_PROCESSES } from '../../../src/cluster/layout.js';
import { freePort, freePortRange } from '../../../src/cluster/ports.js';
import { temporalPortsFrom } from '../../../src/cluster/serverConfig.js';
import { WEBHOOK_PATH } from '../../../src/http/app.js';
import { startBotApiEmulator, type BotApiEmulator } from '../../support/botApiEmulator.js';
import { FAULT_TEST_ENV } from '../../faults/support/faultStack.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const WEBHOOK_SECRET = 'cluster-test-secret_7';

export interface ClusterStack {
  cluster: Cluster;
  emulator: BotApiEmulator;
  client: Client;
  dir: string;
  /** POSTs an update to the webhook process, as Telegram does; the HTTP status (0: no answer). */
  post(update: unknown): Promise<number>;
  stop(): Promise<void>;
}

export interface ClusterStackOptions {
  /** Variables for every bot process, on top of the test defaults. */
  env?: Record<string, string>;
  replicas?: Partial<Record<(typeof BOT_PROCESSES)[number]['service'], number>>;
  log?: (message: string) => void;
}

/**
 * The whole production shape, from `npm run cluster`'s own code: a private PostgreSQL, Temporal's
 * four services as processes of the server built from its Go module, and the bot's processes
 * (webhook mode: the test posts updates to the webhook process, as Telegram would), talking to
 * the Bot API emulator.
 */
export async function startClusterStack(options: ClusterStackOptions = {}): Promise<ClusterStack> {
  const emulator = await startBotApiEmulator();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-cluster-'));
  // PostgreSQL runs as its own user when the tests run as root: it must reach its folder below.
  await chmod(dir, 0o755);
  const webhookPort = await freePort();
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      root: ROOT,
      dir,
      namespace: 'default',
      postgresPort: await freePort(),
      temporalPorts: temporalPortsFrom(await freePortRange(9)),
      uiPort: await freePort(),
      codecPort: await freePort(),
      botEnv: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TELEGRAM_BOT_TOKEN: emulator.token,
        TELEGRAM_API_ROOT: emulator.apiRoot,
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        PUBLIC_URL: 'https://media-bot.example.test',
        PORT: String(webhookPort),
        ...FAULT_TEST_ENV,
        LOG_LEVEL: 'info',
        ...options.env,
      },
      replicas: options.replicas,
      healthPort: () => freePort(),
      log: options.log,
    });
  } catch (error) {
    await emulator.close();
    // KEEP_CLUSTER_DIR: the logs of a start that failed stay for a look.
    if (!process.env.KEEP_CLUSTER_DIR) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const client = new Client({
    connection: await Connection.connect({ address: cluster.address }),
    namespace: 'default',
  });
  return {
    cluster,
    emulator,
    client,
    dir,
    async post(update) {
      try {
        const response = await fetch(`http://127.0.0.1:${webhookPort}${WEBHOOK_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
          body: JSON.stringify(update),
          signal: AbortSignal.timeout(30_000),
        });
        return response.status;
      } catch {
        return 0;
      }
    },
    async stop() {
      await client.connection.close().catch(() => undefined);
      await cluster.stop();
      await emulator.close();
      if (!process.env.KEEP_CLUSTER_DIR) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What Telegram does with an update the webhook did not answer 2xx: it delivers it again, here
 * about once a second, until each of `updates` is answered 200. Resolves with when the first
 * was accepted and how many deliveries it took in all; fails after `timeoutMs`.
 */
export async function redeliverUntilAccepted(
  stack: Pick<ClusterStack, 'post'>,
  updates: readonly unknown[],
  timeoutMs: number,
): Promise<{ at: number; attempts: number; statuses: number[] }> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let first: number | undefined;
  const statuses: number[] = [];
  await Promise.all(
    updates.map(async (update) => {
      for (;;) {
        attempts += 1;
        const status = await stack.post(update);
        statuses.push(status);
        if (status === 200) {
          first ??= Date.now();
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`an update was still refused (${status}) ${timeoutMs} ms later: ${JSON.stringify(update)}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }),
  );
  return { at: first ?? Date.now(), attempts, statuses };
}
