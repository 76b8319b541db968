import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import {
  createDownloadActivities,
  createHostActivities,
  createPlaylistActivities,
  createRequestActivities,
  createStoreActivities,
  createTelegramActivities,
  createInlineActivities,
} from '../../activities/index.js';
import { createLegacyEntities } from '../../activities/adapters/legacyEntities.js';
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import { STATE_TABLES, type StateStore } from '../../activities/adapters/stateStore.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { applySendBudget, createSendBudget, DEFAULT_MAX_SEND_WAIT_MS } from '../../activities/adapters/sendBudget.js';
import { defaultSendLimits } from '../../activities/adapters/sendBudgetPlan.js';
import { activitySendKey } from '../../activities/sendBudgetCaller.js';
import { startEgressProxy } from '../../activities/adapters/egressProxy.js';
import { removeRequestDir, sweepStaleRequestDirs } from '../../activities/adapters/requestDirs.js';
import { ENGINE_SCRIPT, WarmEngine } from '../../activities/adapters/warmEngine.js';
import { createYtDlpUpdateActivities } from '../../activities/ytDlpUpdateActivities.js';
import { pointerPython, ytDlpRoot } from '../../activities/adapters/ytDlpVenvs.js';
import { ensureYtDlpUpdateSchedule } from '../temporal/ytDlpSchedule.js';
import { DOWNLOADS_QUEUE, hostQueueName, TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import type { Config } from '../config/index.js';
import { chatIdsFor } from '../../shared/chatPseudonyms.js';
import { dataConverterFor } from '../temporal/dataConverter.js';
import type { Logger } from '../logger.js';
import { redactSecrets } from '../../shared/redact.js';
import { WORKFLOW_METRICS_INTERCEPTOR } from '../metrics/index.js';
import { OLDEST_NODE_FOR_YT_DLP, type ToolPaths } from '../tools.js';

export const WORKFLOWS_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workflows/index.ts');

/**
 * Workflow interceptors bundled with the workflows (metrics of how requests end). A prebuilt
 * bundle must be built with them: `bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH,
 * workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES })`.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [WORKFLOW_METRICS_INTERCEPTOR];

/**
 * A request dir without an owner record (made by an older version) older than this belongs to a
 * process that died; the others go as soon as their owner is gone (requestDirs.ts).
 */
const STALE_REQUEST_DIR_MS = 60 * 60 * 1000;

/**
 * On shutdown, how long the host worker keeps polling at least, after the downloads worker
 * stopped, for the uploads of files downloaded during the grace period.
 */
const HANDOVER_MIN_MS = 5_000;

export interface WorkerSetup {
  connection: NativeConnection;
  config: Config;
  tools: ToolPaths;
  logger: Logger;
  /**
   * A prebuilt workflow bundle (tests build it once); default: bundle `workflows/` at start. With
   * payload encryption it must be built with `workflowBundleConverterOptions` (src/temporal/dataConverter.ts),
   * or the failures workflow code raises are stored in plaintext.
   */
  workflowBundle?: WorkflowBundleOption;
  /** Overrides `config.concurrency` for this process (the worker CLI's --concurrency). */
  concurrency?: number;
}

/**
 * An upload heartbeats all along (sendMedia's 1 s timer) and may run for UPLOAD_TIMEOUT_SECONDS:
 * it waits this long for a slot of the send budget before it gives its attempt back (SendBudgetWait).
 */
const HOST_MAX_SEND_WAIT_MS = 30_000;

/**
 * A Bot API client whose sends keep to the bot's budgets (shared by every process through the
 * state store) and whose 429s every host learns: activities/adapters/sendBudget.ts.
 */
export function budgetedBotApi(
  config: Config,
  store: StateStore,
  logger: Logger,
  maxWaitMs = DEFAULT_MAX_SEND_WAIT_MS,
) {
  const api = createBotApi(config.telegram.token, config.telegram.apiRoot);
  const chats = chatIdsFor(config.payloadEncryption);
  return applySendBudget(api, createSendBudget(store, defaultSendLimits(config.sendBudget), chats.idPart), {
    maxWaitMs,
    callerKey: activitySendKey,
    onStoreError: (error, method) =>
      logger.warn({ err: error, method }, 'send budget: the state store did not answer; sending unbudgeted'),
  });
}

/** Expired cache entries and quota rows are deleted this often (rows read past their expiry count as absent anyway). */
const STATE_SWEEP_MS = 60 * 60 * 1000;

/**
 * The `telegram` queue: workflow tasks, and the activities they run here as local activities (the
 * state store, the quick Bot API calls) or as tasks of this queue (the entity workflows of runs
 * from before the store, the other Bot API calls). The state store is opened here and closed when
 * the worker's run ends.
 */
export async function createTelegramWorker(setup: WorkerSetup): Promise<Worker> {
  const { config, logger } = setup;
  // The state activities' client reads and writes the entities' payloads: the same converter.
  const dataConverter = dataConverterFor(config.payloadEncryption);
  const client = new Client({ connection: setup.connection, namespace: config.temporal.namespace, dataConverter });
  const store = await openStateStore({
    databaseUrl: config.stateDatabaseUrl,
    dataDir: config.dataDir,
    payloadKeys: config.payloadEncryption?.keys,
  });
  logger.info({ store: store.kind, location: store.location }, 'state store open');
  // The yt-dlp update's schedule (YTDLP_UPDATE_SCHEDULE): created or brought up to date here.
  await ensureYtDlpUpdateSchedule(client, config.ytDlpUpdate).then(
    (done) => logger.info({ schedule: config.ytDlpUpdate.schedule, done }, 'yt-dlp update schedule'),
    (error: unknown) => logger.warn({ err: error }, 'could not create or update the yt-dlp update schedule'),
  );
  const ids = {
    botId: botIdOf(config.telegram.token),
    chats: chatIdsFor(config.payloadEncryption),
    cacheIdKey: config.payloadEncryption?.chatIdPseudonymKey,
  };
  const concurrency = setup.concurrency ?? config.concurrency.telegram;
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection: setup.connection,
      namespace: config.temporal.namespace,
      taskQueue: TELEGRAM_QUEUE,
      dataConverter,
      ...(setup.workflowBundle
        ? { workflowBundle: setup.workflowBundle }
        : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } }),
      activities: {
        ...createTelegramActivities({ api: budgetedBotApi(config, store, logger) }),
        ...createInlineActivities({ api: budgetedBotApi(config, store, logger) }),
        ...createRequestActivities({ client, chats: ids.chats }),
        ...createStoreActivities({ store, client, ...ids, legacy: await createLegacyEntities(client) }),
      },
      maxConcurrentActivityTaskExecutions: concurrency,
      // TELEGRAM_CONCURRENCY bounds the Bot API calls and store look-ups made as local activities too.
      maxConcurrentLocalActivityExecutions: concurrency,
      maxCachedWorkflows: config.workflowCacheSize,
      // On shutdown: running Bot API calls may finish for this long, then they are cancelled.
      shutdownGraceTime: `${config.shutdownGraceSeconds} seconds`,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  return closeWithRun(worker, store, logger);
}

/** The store lives as long as the worker runs: it is swept hourly meanwhile and closed once the run has ended. */
function closeWithRun(worker: Worker, store: StateStore, logger: Logger): Worker {
  const sweeper = setInterval(() => {
    for (const table of STATE_TABLES) {
      store
        .sweep(table)
        .catch((error: unknown) => logger.warn({ err: error, table }, 'could not delete expired state rows'));
    }
  }, STATE_SWEEP_MS);
  sweeper.unref();
  const run = worker.run.bind(worker);
  worker.run = async () => {
    try {
      await run();
    } finally {
      clearInterval(sweeper);
      await store.close();
    }
  };
  return worker;
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
  /** Runs both workers until {@link stop} (or a fatal error). */
  run(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): the downloads worker stops polling and its running downloads may
   * finish for SHUTDOWN_GRACE_SECONDS, then are cancelled (yt-dlp/ffmpeg killed, their dirs
   * removed; Temporal retries them on another worker). The host worker keeps polling until the
   * files downloaded meanwhile are uploaded and cleaned up (at most the grace period after the
   * signal, at least a few seconds), then stops the same way. Files still here are removed: their
   * workflows download them again elsewhere when the upload's schedule-to-start timeout fires.
   */
  stop(): Promise<void>;
}

/**
 * A downloads worker is two Temporal workers in one process: one on the shared `downloads`
 * queue, one on a queue only this process polls, where the workflow sends the upload and the
 * cleanup (the files are on this host's disk).
 */
export async function createDownloadWorkers(setup: WorkerSetup): Promise<DownloadWorkers> {
  const { config, tools, logger } = setup;
  const hostQueue = hostQueueName(hostname(), randomUUID().slice(0, 8));
  const swept = await sweepStaleRequestDirs(config.dataDir, STALE_REQUEST_DIR_MS);
  if (swept.length > 0) logger.info({ count: swept.length }, 'removed stale request dirs left by a previous process');

  // The send budget's state (and, on one host without STATE_DATABASE_URL, the telegram workers' SQLite file in DATA_DIR).
  const store = await openStateStore({
    databaseUrl: config.stateDatabaseUrl,
    dataDir: config.dataDir,
    payloadKeys: config.payloadEncryption?.keys,
  });
  logger.info({ store: store.kind, location: store.location }, 'state store open (send budget)');
  const api = budgetedBotApi(config, store, logger);
  const hostApi = budgetedBotApi(config, store, logger, HOST_MAX_SEND_WAIT_MS);
  const shutdownGraceTime = `${config.shutdownGraceSeconds} seconds`;
  // Request dirs this process handed to a workflow and not yet cleaned up: on shutdown the host
  // worker waits for them (see `stop`).
  const handedOver = new Set<string>();
  // Every connection yt-dlp makes goes through this process's egress proxy (activities/adapters/egressProxy.ts).
  const egress = await startEgressProxy({ allowedHosts: config.egressAllowedHosts });
  const dataConverter = dataConverterFor(config.payloadEncryption);
  const engine = await startDownloadEngine(tools, config, logger);
  const downloadActivities = createDownloadActivities({
    api,
    proxy: egress.url,
    dataDir: config.dataDir,
    tools: { engine, ffmpeg: tools.ffmpeg, ffprobe: tools.ffprobe },
    gallery: { python: tools.python },
    nice: config.downloadNice,
    hostQueue,
    egressAllowedHosts: config.egressAllowedHosts,
    cookiesFile: config.ytDlpCookies,
    ffmpegConcurrency: config.ffmpegConcurrency,
    minFreeDiskMb: config.minFreeDiskMb,
    maxSplitParts: config.maxSplitParts,
  });
  const hostActivities = createHostActivities({ api: hostApi, dataDir: config.dataDir });
  // The yt-dlp update's steps: the first on `downloads`, the canary and the switch on this host's queue.
  const ytDlpUpdateActivities = createYtDlpUpdateActivities({
    dataDir: config.dataDir,
    basePython: tools.python,
    ffmpeg: tools.ffmpeg,
    jsRuntime: tools.jsRuntime,
    index: config.ytDlpUpdate.index,
    canaryUrls: config.ytDlpUpdate.canaryUrls,
    hostQueue,
  });
  logger.info({ proxy: egress.url, allowedHosts: config.egressAllowedHosts }, 'egress proxy for yt-dlp ready');
  if (tools.jsRuntime === undefined) {
    logger.warn(
      { node: process.versions.node },
      `no JavaScript runtime for yt-dlp (no Deno, Node older than ${OLDEST_NODE_FOR_YT_DLP}): YouTube downloads may be limited; run scripts/setup.sh or set DENO_PATH`,
    );
  } else {
    logger.info({ jsRuntime: tools.jsRuntime }, 'JavaScript runtime for yt-dlp');
  }
  const downloads = await Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: DOWNLOADS_QUEUE,
    // Also the converter of the worker's own client, which the downloads' progress signals use.
    dataConverter,
    activities: {
      ...downloadActivities,
      prepareYtDlpCandidate: ytDlpUpdateActivities.prepareYtDlpCandidate,
      // /playlist's listing: one flat probe through the same engine and egress proxy.
      ...createPlaylistActivities({
        engine,
        egressAllowedHosts: config.egressAllowedHosts,
        proxy: egress.url,
        cookiesFile: config.ytDlpCookies,
        dataDir: config.dataDir,
      }),
      async downloadMedia(input: Parameters<typeof downloadActivities.downloadMedia>[0]) {
        const result = await downloadActivities.downloadMedia(input);
        handedOver.add(result.dir);
        return result;
      },
    },
    maxConcurrentActivityTaskExecutions: setup.concurrency ?? config.concurrency.downloads,
    // Heartbeats are how a cancel reaches a running download: send them at least every second.
    maxHeartbeatThrottleInterval: '1 second',
    shutdownGraceTime,
  });
  const host = await Worker.create({
    connection: setup.connection,
    namespace: config.temporal.namespace,
    taskQueue: hostQueue,
    dataConverter,
    activities: {
      ...hostActivities,
      canaryYtDlp: ytDlpUpdateActivities.canaryYtDlp,
      switchYtDlp: ytDlpUpdateActivities.switchYtDlp,
      async sendMedia(input: Parameters<typeof hostActivities.sendMedia>[0]) {
        const sent = await hostActivities.sendMedia(input);
        if (input.removeDir !== undefined) handedOver.delete(input.removeDir);
        return sent;
      },
      async cleanup(input: Parameters<typeof hostActivities.cleanup>[0]) {
        const removed = await hostActivities.cleanup(input);
        handedOver.delete(input.dir);
        return removed;
      },
    },
    maxConcurrentActivityTaskExecutions: setup.concurrency ?? config.concurrency.downloads,
    // A /cancel reaches a running upload through its heartbeats (sendMedia's 1 s timer).
    maxHeartbeatThrottleInterval: '1 second',
    shutdownGraceTime,
  });
  logger.info({ hostQueue }, 'downloads worker ready');

  let runs: { downloads: Promise<void>; host: Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    const signalledAt = Date.now();
    if (!runs) {
      await Promise.all([engine.close(), egress.close(), store.close()]);
      return;
    }
    logger.info(
      { graceSeconds: config.shutdownGraceSeconds, running: downloads.getStatus().numInFlightActivities },
      'downloads worker: no new downloads; letting running ones finish',
    );
    if (downloads.getState() === 'RUNNING') downloads.shutdown();
    await runs.downloads.catch(() => undefined);
    // No download runs any more: the engine (and any child it still has) can go.
    await engine.close();
    const handoverUntil = Math.max(signalledAt + config.shutdownGraceSeconds * 1000, Date.now() + HANDOVER_MIN_MS);
    if (handedOver.size > 0)
      logger.info({ pending: handedOver.size }, 'downloads worker: uploading what was downloaded before stopping');
    while (handedOver.size > 0 && Date.now() < handoverUntil && host.getState() === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (host.getState() === 'RUNNING') host.shutdown();
    await runs.host;
    for (const dir of handedOver) await removeRequestDir(config.dataDir, dir).catch(() => false);
    await egress.close();
    await store.close();
    if (handedOver.size > 0)
      logger.warn(
        { removed: handedOver.size },
        'removed downloads that were not uploaded; their workflows download them again elsewhere',
      );
    handedOver.clear();
  };
  return {
    downloads,
    host,
    hostQueue,
    run() {
      runs ??= { downloads: downloads.run(), host: host.run() };
      // Either worker failing ends the process's work: stop the other one too.
      const failed = (other: Worker) => (error: unknown) => {
        if (other.getState() === 'RUNNING') other.shutdown();
        throw error;
      };
      return Promise.all([runs.downloads.catch(failed(host)), runs.host.catch(failed(downloads))]).then(
        () => undefined,
      );
    },
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * The warm yt-dlp engine of this process, started and warmed before the worker polls (a first
 * request must not pay the start-up), with what it found logged once: yt-dlp's version and its
 * JavaScript runtime. A Python without yt_dlp fails the start here, with the engine's own words.
 */
async function startDownloadEngine(tools: ToolPaths, config: Config, logger: Logger): Promise<WarmEngine> {
  const recent: string[] = [];
  const nice = config.downloadNice;
  const engine = new WarmEngine({
    // The version the yt-dlp update switched to (its pointer under DATA_DIR), else YTDLP_PYTHON.
    python: pointerPython(ytDlpRoot(config.dataDir), tools.python),
    ffmpeg: tools.ffmpeg,
    jsRuntime: tools.jsRuntime,
    nice,
    label: config.dataDir,
    onStderr: (line) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      logger.warn({ line: redactSecrets(line) }, 'download engine');
    },
  });
  try {
    await engine.start();
  } catch (error) {
    await engine.close();
    throw new Error(
      `the download engine (${tools.python} ${ENGINE_SCRIPT}) did not start: ${error instanceof Error ? error.message : String(error)}; ` +
        `its last words: ${recent.slice(-3).join(' | ') || 'none'}. Run npm run setup, or set YTDLP_PYTHON to a Python with yt-dlp installed.`,
    );
  }
  const header = engine.info?.debugHeader ?? [];
  logger.info(
    {
      ytDlp: engine.info?.version,
      enginePid: engine.info?.pid,
      jsRuntimes: header.find((line) => line.startsWith('[debug] JS runtimes:'))?.replace('[debug] JS runtimes: ', ''),
      nice,
    },
    'download engine warm',
  );
  return engine;
}
