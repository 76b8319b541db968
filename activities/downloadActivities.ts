import path from 'node:path';
import { Context, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { FailureType } from '../workflows/failures.js';
import type { DownloadInput, DownloadResult } from '../workflows/types.js';
import { probeMedia } from './adapters/mediaProbe.js';
import { createRequestDir, removeRequestDir } from './adapters/requestDirs.js';
import { assertFetchableUrl, UrlRejected } from './adapters/urlGuard.js';
import { fileSize, runYtDlp, type YtDlpProgress } from './adapters/ytDlp.js';
import { classifyYtDlpFailure } from './adapters/ytDlpErrors.js';
import { typedFailure } from './failure.js';

export interface DownloadActivityDeps {
  dataDir: string;
  ytDlpPath: string;
  ffmpegPath: string;
  ffprobePath: string;
  /** This process's own task queue: where the workflow must send and clean up the files. */
  hostQueue: string;
  egressAllowedHosts: readonly string[];
}

/** How often the activity heartbeats while yt-dlp is quiet (merging, probing). */
const HEARTBEAT_EVERY_MS = 3_000;

/** yt-dlp downloads, on the `downloads` queue. */
export function createDownloadActivities(deps: DownloadActivityDeps) {
  return {
    async downloadMedia(input: DownloadInput): Promise<DownloadResult> {
      try {
        await assertFetchableUrl(input.url, deps.egressAllowedHosts);
      } catch (error) {
        if (error instanceof UrlRejected) throw typedFailure(error.type, error.message);
        throw error;
      }

      const dir = await createRequestDir(deps.dataDir);
      let handedOver = false;
      let progress: YtDlpProgress = { downloadedBytes: 0 };
      heartbeat({ phase: 'starting', ...progress });
      const ticker = setInterval(() => heartbeat({ phase: 'downloading', ...progress }), HEARTBEAT_EVERY_MS);
      try {
        const outcome = await runYtDlp({
          executable: deps.ytDlpPath,
          ffmpegPath: deps.ffmpegPath,
          url: input.url,
          dir,
          maxFileBytes: input.maxUploadBytes,
          signal: cancellationSignal(),
          onProgress: (update) => {
            progress = update;
            heartbeat({ phase: 'downloading', ...update });
          },
        });
        if (outcome.kind === 'too-large') {
          throw tooLarge(outcome.sizeBytes, outcome.limitBytes);
        }
        if (outcome.kind === 'failed') {
          const { type, reason } = classifyYtDlpFailure({ stderr: outcome.stderr, exitCode: outcome.exitCode });
          throw typedFailure(type, reason);
        }

        const filePath = outcome.result.filePath;
        if (path.dirname(path.resolve(filePath)) !== dir) {
          throw typedFailure(FailureType.DownloadFailed, 'yt-dlp wrote outside the request dir');
        }
        const sizeBytes = await fileSize(filePath).catch(() => 0);
        if (sizeBytes === 0) throw typedFailure(FailureType.NoMediaFound, 'yt-dlp finished without a file');
        if (sizeBytes > input.maxUploadBytes) throw tooLarge(sizeBytes, input.maxUploadBytes);

        heartbeat({ phase: 'probing', ...progress });
        const probed = await probeMedia(deps.ffprobePath, filePath, cancellationSignal());
        const ext = path.extname(filePath).slice(1).toLowerCase();
        const kind = probed.kind === 'video' && ext !== 'mp4' ? 'document' : probed.kind;
        handedOver = true;
        log.info('downloaded', { sizeBytes, kind, attempt: Context.current().info.attempt });
        return {
          hostQueue: deps.hostQueue,
          dir,
          file: { path: filePath, fileName: `${safeTitle(outcome.result.title)}.${ext || 'bin'}`, sizeBytes, kind },
          metadata: {
            title: outcome.result.title,
            performer: outcome.result.performer,
            durationSeconds: probed.durationSeconds ?? roundOrUndefined(outcome.result.durationSeconds),
            width: probed.width ?? outcome.result.width,
            height: probed.height ?? outcome.result.height,
          },
        };
      } finally {
        clearInterval(ticker);
        // A failed or cancelled attempt leaves nothing behind; a successful one is cleaned up
        // by the workflow's `cleanup` on this same host once the file is sent.
        if (!handedOver) await removeRequestDir(deps.dataDir, dir);
      }
    },
  };
}

export type DownloadActivities = ReturnType<typeof createDownloadActivities>;

function tooLarge(sizeBytes: number, limitBytes: number) {
  return typedFailure(FailureType.FileTooLarge, `the file is ${sizeBytes} bytes, the upload limit is ${limitBytes} bytes`, {
    details: [{ sizeBytes, limitBytes }],
  });
}

function roundOrUndefined(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value);
}

/** A file name Telegram shows to people: the title without path separators or control characters. */
function safeTitle(title: string | undefined): string {
  const cleaned = (title ?? 'media').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ').trim().slice(0, 80);
  return cleaned || 'media';
}
