import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createDownloadActivities, createHostActivities, createStateActivities, createTelegramActivities } from '../../activities/index.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { sweepStaleRequestDirs } from '../../activities/adapters/requestDirs.js';
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../../workflows/policies.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ToolPaths } from '../tools.js';

export const WORKFLOWS_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workflows/index.ts');

/** Request dirs older than this belong to a process that died; younger ones may be in use. */
const STALE_REQUEST_DIR_MS = 60 * 60 * 1000;

export interface WorkerSetup {
  connection: NativeConnection;
  config: Config;
  tools: ToolPaths;
  logger: Logger;
  /** A prebuilt workflow bundle (tests build it once); default: bundle `workflows/` at start. */
  workflowBundle?: WorkflowBundleOption;
  /** Overrides `config.concurrency` for this process (the worker CLI's --concurrency). */
  concurrency?: number;
}

/** The `telegram` queue: workflow tasks and the text-message activities. */
export async function createTelegramWorker(setup: WorkerSetup): Promise<Worker> {
  const { config } = setup;
  const client = new Client({ connection: setup.connection, namespace: config.temporal.namespace });
  return Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: TELEGRAM_QUEUE,
    ...(setup.workflowBundle ? { workflowBundle: setup.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createTelegramActivities({ api: createBotApi(config.telegram.token, config.telegram.apiRoot) }),
      ...createStateActivities({ client, botId: botIdOf(config.telegram.token) }),
    },
    maxConcurrentActivityTaskExecutions: setup.concurrency ?? config.concurrency.telegram,
  });
}

/** The bot's numeric id, the part of the token before the colon (not a secret). */
export function botIdOf(token: string): string {
  return token.split(':')[0] ?? '';
}

export interface DownloadWorkers {
  /** Polls `downloads`: runs yt-dlp. */
  downloads: Worker;
  /** Polls this process's own queue: sends and deletes the files it downloaded. */
  host: Worker;
  hostQueue: string;
}

/**
 * A downloads worker is two Temporal workers in one process: one on the shared `downloads`
 * queue, one on a queue only this process polls, where the workflow sends the upload and the
 * cleanup (the files are on this host's disk).
 */
export async function createDownloadWorkers(setup: WorkerSetup): Promise<DownloadWorkers> {
  const { config, tools, logger } = setup;
  const hostQueue = `${DOWNLOADS_QUEUE}-host-${hostname()}-${randomUUID().slice(0, 8)}`;
  const swept = await sweepStaleRequestDirs(config.dataDir, STALE_REQUEST_DIR_MS);
  if (swept.length > 0) logger.info({ count: swept.length }, 'removed stale request dirs left by a previous process');

  const api = createBotApi(config.telegram.token, config.telegram.apiRoot);
  const downloads = await Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: DOWNLOADS_QUEUE,
    activities: createDownloadActivities({
      api,
      dataDir: config.dataDir,
      tools: { ytDlp: tools.ytDlp, ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe },
      hostQueue,
      egressAllowedHosts: config.egressAllowedHosts,
      cookiesFile: config.ytDlpCookies,
    }),
    maxConcurrentActivityTaskExecutions: setup.concurrency ?? config.concurrency.downloads,
    // Heartbeats are how a cancel reaches a running download: send them at least every second.
    maxHeartbeatThrottleInterval: '1 second',
  });
  const host = await Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: hostQueue,
    activities: createHostActivities({ api, dataDir: config.dataDir }),
    maxConcurrentActivityTaskExecutions: setup.concurrency ?? config.concurrency.downloads,
  });
  logger.info({ hostQueue }, 'downloads worker ready');
  return { downloads, host, hostQueue };
}
