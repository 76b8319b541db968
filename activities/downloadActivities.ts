import { Context, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import type { Api } from 'grammy';
import { DOWNLOAD_BYTES_TOTAL, DOWNLOAD_SECONDS } from '../shared/metricNames.js';
import { FailureType } from '../shared/failures.js';
import { downloadProgressSignal } from '../shared/contracts/mediaRequest.js';
import type { DownloadInput, DownloadResult, QualityProbeInput } from '../shared/activityTypes.js';
import type { QualityOptions } from '../shared/qualityChoice.js';
import { createChatEditGate } from './adapters/chatEditGate.js';
import { fetchMedia, type FetchMediaOptions, type FetchProgress } from './adapters/fetchMedia.js';
import { probeQualityOptions } from './adapters/qualityOptions.js';
import { pictureFallback } from './adapters/galleryDl.js';
import { createProgressReporter } from './adapters/progressReporter.js';
import { createProgressSignaller } from './adapters/progressSignals.js';
import { freeDiskBytes } from './adapters/diskSpace.js';
import { isInsideDir } from './adapters/insideDir.js';
import { createRequestDir, removeRequestDir } from './adapters/requestDirs.js';
import { Semaphore } from './adapters/semaphore.js';
import { assertFetchableUrl, UrlRejected } from './adapters/urlGuard.js';
import { typedFailure } from './failure.js';

export interface DownloadActivityDeps {
  api: Api;
  dataDir: string;
  tools: FetchMediaOptions['tools'];
  /** This process's own task queue: where the workflow must send and clean up the files. */
  hostQueue: string;
  egressAllowedHosts: readonly string[];
  /** YTDLP_COOKIES: copied per download, never modified, never logged. */
  cookiesFile?: string;
  /** The egress proxy yt-dlp connects through (refuses internal addresses at connect time). */
  proxy?: string;
  /** FFMPEG_CONCURRENCY: conversions running at once in this process (default 1). */
  ffmpegConcurrency?: number;
  /** DOWNLOAD_NICE: niceness of ffmpeg (the engine's job processes get it from the engine). */
  nice?: number;
  /** MIN_FREE_DISK_MB: no download starts while DATA_DIR has less free space; 0: no check. */
  minFreeDiskMb: number;
  /** MAX_SPLIT_PARTS: the most parts a video over the upload limit is split into; default 10. */
  maxSplitParts?: number;
  /** gallery-dl, for photo posts yt-dlp finds nothing in: the venv Python that imports it; none: not tried. */
  gallery?: { python: string; timeoutMs?: number };
}

const DEFAULT_MAX_SPLIT_PARTS = 10;

/** How often the activity heartbeats while yt-dlp is quiet (probing, merging, converting). */
const HEARTBEAT_EVERY_MS = 1_000;

/** yt-dlp downloads, on the `downloads` queue. */
export function createDownloadActivities(deps: DownloadActivityDeps) {
  // One per process: every download of this worker shares the conversion slots.
  const conversionSlots = new Semaphore(deps.ffmpegConcurrency ?? 1);
  // One per process too: several requests in one chat share its edit pace.
  const editGate = createChatEditGate();
  return {
    /**
     * The picker's buttons for a link ("ask each time"): a probe through the egress proxy, no
     * download. Cookies are not used here (they are copied into a request dir, which a probe
     * has not): a link that needs them gets no picker, and the download uses them as always.
     */
    async listQualities(input: QualityProbeInput): Promise<QualityOptions> {
      await assertFetchable(input.url, deps.egressAllowedHosts);
      const ticker = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        return await probeQualityOptions({
          engine: deps.tools.engine,
          url: input.url,
          maxUploadBytes: input.maxUploadBytes,
          proxy: deps.proxy,
          signal: cancellationSignal(),
        });
      } finally {
        clearInterval(ticker);
      }
    },

    async downloadMedia(input: DownloadInput): Promise<DownloadResult> {
      await assertFetchable(input.url, deps.egressAllowedHosts);
      await assertFreeDiskSpace(deps.dataDir, deps.minFreeDiskMb);

      const startedAt = performance.now();
      let downloadedBytes: number | undefined;
      const dir = await createRequestDir(deps.dataDir);
      const reporter = input.status ? createProgressReporter(deps.api, input.status, { gate: editGate }) : undefined;
      const signaller = progressSignallerFor();
      let handedOver = false;
      let latest: FetchProgress = { phase: 'probing' };
      // Heartbeats carry the progress (seen in the Web UI) and are how a cancel reaches yt-dlp.
      // They go on while nothing is reported (probing, a conversion waiting for its slot), and
      // so does the status message: a state reported inside the edit interval shows up later.
      const ticker = setInterval(() => {
        heartbeat(latest);
        reporter?.report(latest);
        signaller.report(latest);
      }, HEARTBEAT_EVERY_MS);
      heartbeat(latest);
      signaller.report(latest);
      try {
        // Photo posts (galleryDl.ts): a link to a picture goes to gallery-dl first; one where
        // yt-dlp finds no video or audio goes to gallery-dl after it. Not for a clip.
        const pictures = pictureFallback(
          deps.gallery && !input.clip
            ? {
                python: deps.gallery.python,
                ffprobe: deps.tools.ffprobe,
                url: input.url,
                dir,
                mode: input.mode,
                maxUploadBytes: input.maxUploadBytes,
                albumCap: input.albumCap,
                proxy: deps.proxy,
                cookiesFile: deps.cookiesFile,
                signal: cancellationSignal(),
                nice: deps.nice,
                ...(deps.gallery.timeoutMs !== undefined ? { timeoutMs: deps.gallery.timeoutMs } : {}),
                onProgress: ({ item, items }) => {
                  latest = { phase: 'downloading', ...(item ? { item } : {}), ...(items ? { items } : {}) };
                  heartbeat(latest);
                  reporter?.report(latest);
                  signaller.report(latest);
                },
              }
            : undefined,
        );
        let outcome = await pictures.first();
        outcome ??= await fetchMedia({
          tools: deps.tools,
          url: input.url,
          dir,
          mode: input.mode,
          maxUploadBytes: input.maxUploadBytes,
          maxHeight: input.maxHeight,
          albumCap: input.albumCap,
          clip: input.clip,
          ...(input.split ? { split: { maxParts: deps.maxSplitParts ?? DEFAULT_MAX_SPLIT_PARTS } } : {}),
          cookiesFile: deps.cookiesFile,
          proxy: deps.proxy,
          // Gallery pages choose their own media, thumbnail and item URLs: each host is checked too.
          isAllowedUrl: (url) =>
            assertFetchableUrl(url, deps.egressAllowedHosts).then(
              () => true,
              () => false,
            ),
          signal: cancellationSignal(),
          conversionSlots,
          nice: deps.nice,
          onProgress: (progress) => {
            latest = progress;
            heartbeat(progress);
            reporter?.report(progress);
            signaller.report(progress);
          },
        });
        outcome = await pictures.after(outcome);
        if (outcome.kind === 'too-large') {
          throw typedFailure(
            FailureType.FileTooLarge,
            `the file is ${outcome.sizeBytes} bytes, the upload limit is ${outcome.limitBytes} bytes`,
            {
              details: [{ sizeBytes: outcome.sizeBytes, limitBytes: outcome.limitBytes }],
            },
          );
        }
        if (outcome.kind === 'failed') throw typedFailure(outcome.type, outcome.reason);
        if (outcome.items.length === 0) throw typedFailure(FailureType.NoMediaFound, 'yt-dlp finished without a file');
        for (const item of outcome.items) {
          if (!isInsideDir(dir, item.filePath)) {
            throw typedFailure(FailureType.DownloadFailed, 'yt-dlp wrote outside the request dir');
          }
        }
        handedOver = true;
        downloadedBytes = outcome.items.reduce((sum, item) => sum + item.sizeBytes, 0);
        log.info('downloaded', {
          items: outcome.items.length,
          bytes: downloadedBytes,
          attempt: Context.current().info.attempt,
        });
        const first = outcome.items[0]!;
        return {
          hostQueue: deps.hostQueue,
          dir,
          album: outcome.playlist,
          ...(outcome.parts ? { parts: true } : {}),
          availableItems: outcome.availableItems,
          title: first.title,
          files: outcome.items.map((item) => ({
            path: item.filePath,
            fileName: item.fileName,
            sizeBytes: item.sizeBytes,
            kind: item.kind,
            thumbnailPath: item.thumbnailPath,
            title: item.title,
            performer: item.performer,
            durationSeconds: item.durationSeconds === undefined ? undefined : Math.round(item.durationSeconds),
            width: item.width,
            height: item.height,
          })),
        };
      } finally {
        clearInterval(ticker);
        signaller.close();
        recordDownload(performance.now() - startedAt, downloadedBytes);
        await reporter?.close();
        // A failed or cancelled attempt leaves nothing behind; a successful one is cleaned up
        // by the workflow's `cleanup` on this same host once the files are sent.
        if (!handedOver) await removeRequestDir(deps.dataDir, dir);
      }
    },
  };
}

/**
 * The running activity's progress, signalled to its own workflow run (the `status` query shows
 * it) through the worker's own client (its connection and data converter: payloads are encrypted
 * like every other). Best effort: a failure is logged at debug and the download goes on.
 */
function progressSignallerFor() {
  const { info, log: activityLog, client } = Context.current();
  // Always set for an activity a workflow scheduled; without one there is nobody to tell.
  const execution = info.workflowExecution;
  const workflow = execution && client.workflow.getHandle(execution.workflowId, execution.runId);
  return createProgressSignaller(async (report) => workflow?.signal(downloadProgressSignal, report), {
    attempt: info.attempt,
    onFailure: (error) =>
      activityLog.debug('progress signal not delivered', {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
}

/** A link the egress rules refuse fails at once, typed (UnsupportedUrl, …), not retried. */
async function assertFetchable(url: string, egressAllowedHosts: readonly string[]): Promise<void> {
  try {
    await assertFetchableUrl(url, egressAllowedHosts);
  } catch (error) {
    if (error instanceof UrlRejected) throw typedFailure(error.type, error.message);
    throw error;
  }
}

/**
 * The disk floor (MIN_FREE_DISK_MB), checked before anything is written or yt-dlp starts. Below
 * it the attempt fails retryably: space comes back as other requests are cleaned up, and a retry
 * may run on another host.
 */
async function assertFreeDiskSpace(dataDir: string, minFreeDiskMb: number): Promise<void> {
  if (minFreeDiskMb <= 0) return;
  const free = await freeDiskBytes(dataDir);
  const floor = minFreeDiskMb * 1024 * 1024;
  if (free >= floor) return;
  const freeMb = Math.floor(free / (1024 * 1024));
  log.warn('not enough free disk space to start a download', { freeMb, minFreeDiskMb });
  throw typedFailure(
    FailureType.InsufficientDiskSpace,
    `DATA_DIR has ${freeMb} MB free, less than MIN_FREE_DISK_MB (${minFreeDiskMb} MB)`,
  );
}

/** Prometheus (METRICS_PORT): seconds of every attempt by outcome, bytes of the successful ones. */
function recordDownload(elapsedMs: number, bytes: number | undefined): void {
  const meter = Context.current().metricMeter;
  const outcome = bytes !== undefined ? 'ok' : cancellationSignal().aborted ? 'cancelled' : 'failed';
  meter
    .createHistogram(DOWNLOAD_SECONDS, 'float', 's', 'Seconds one download attempt took, by outcome.')
    .record(elapsedMs / 1000, { outcome });
  if (bytes !== undefined)
    meter.createCounter(DOWNLOAD_BYTES_TOTAL, 'bytes', 'Bytes of the media files downloaded.').add(bytes);
}

export type DownloadActivities = ReturnType<typeof createDownloadActivities>;
