/**
 * The steps of a yt-dlp update on one downloads host (workflows/ytDlpUpdate.ts orders them):
 * find the newest version and install it beside the one in use, run the canaries with it, switch
 * the pointer. The first runs on `downloads` (whichever host takes it), the others on the queue of
 * the host that installed the candidate, which it returns.
 */
import { heartbeat, log } from '@temporalio/activity';
import type { YtDlpCandidate, YtDlpCanaryOutcome, YtDlpReleaseView } from '../shared/contracts/ytDlpUpdate.js';
import { runCanaries } from './adapters/ytDlpCanary.js';
import type { JsRuntime } from './adapters/ytDlpInfo.js';
import {
  installVersion,
  newestOnIndex,
  readPointer,
  readUpdateState,
  releaseInUse,
  switchTo,
  updateState,
  versionOf,
  ytDlpRoot,
} from './adapters/ytDlpVenvs.js';

export interface YtDlpUpdateDeps {
  dataDir: string;
  /** YTDLP_PYTHON: creates the venvs, runs pip, and lends them its other libraries. */
  basePython: string;
  ffmpeg: string;
  jsRuntime?: JsRuntime;
  /** YTDLP_UPDATE_INDEX: an index URL or a wheel folder; undefined: pip's configured index. */
  index?: string;
  /** YTDLP_CANARY_URLS. */
  canaryUrls: readonly string[];
  /** This process's own queue: where the canary and the switch must run. */
  hostQueue: string;
}

const HEARTBEAT_EVERY_MS = 5_000;

async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const ticker = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
  }
}

export function createYtDlpUpdateActivities(deps: YtDlpUpdateDeps) {
  const root = ytDlpRoot(deps.dataDir);
  return {
    /** The newest yt-dlp on the index, installed into its own venv when it is not the one in use. */
    async prepareYtDlpCandidate(): Promise<YtDlpCandidate> {
      return withHeartbeats(async () => {
        const inUse = (await releaseInUse(root, deps.basePython)).version;
        const newest = await newestOnIndex(deps.basePython, deps.index);
        const hostQueue = deps.hostQueue;
        if (newest === inUse) return { kind: 'up-to-date', hostQueue, inUse, newest };
        if (readUpdateState(root).rolledBackFrom?.includes(newest))
          return { kind: 'skipped', hostQueue, inUse, newest, why: `${newest} was rolled back from` };
        const release = await installVersion({ root, basePython: deps.basePython, version: newest, index: deps.index });
        updateState(root, (state) => ({ ...state, candidate: { ...release, installedAt: new Date().toISOString() } }));
        log.info('yt-dlp candidate installed', { version: newest, venv: release.venv });
        return {
          kind: 'candidate',
          hostQueue,
          inUse,
          newest,
          release: { version: release.version, python: release.python },
        };
      });
    },

    /** The canary downloads with the candidate; the result is kept for `ops ytdlp`. */
    async canaryYtDlp(candidate: YtDlpReleaseView): Promise<YtDlpCanaryOutcome> {
      return withHeartbeats(async () => {
        const checks = await runCanaries({
          python: candidate.python,
          version: candidate.version,
          ffmpeg: deps.ffmpeg,
          jsRuntime: deps.jsRuntime,
          urls: deps.canaryUrls,
          workDir: deps.dataDir,
        });
        const ok = checks.length > 0 && checks.every((check) => check.ok);
        updateState(root, (state) => ({
          ...state,
          lastCanary: { version: candidate.version, ok, at: new Date().toISOString(), checks },
        }));
        return { version: candidate.version, ok, checks };
      });
    },

    /** Points this host's engine at the candidate (atomically); returns the version it replaced. */
    async switchYtDlp(candidate: YtDlpReleaseView): Promise<{ from: string; to: string }> {
      const installed = await versionOf(candidate.python);
      if (installed !== candidate.version)
        throw new Error(`${candidate.python} imports yt-dlp ${installed}, not ${candidate.version}`);
      const current = readPointer(root)?.current;
      if (current?.python === candidate.python)
        return { from: readPointer(root)?.previous?.version ?? '?', to: candidate.version };
      const pointer = await switchTo(
        root,
        deps.basePython,
        { version: candidate.version, python: candidate.python, venv: candidate.python.replace(/\/bin\/python$/, '') },
        new Date(),
      );
      log.info('yt-dlp switched', { from: pointer.previous?.version, to: candidate.version });
      return { from: pointer.previous?.version ?? '?', to: candidate.version };
    },
  };
}

export type YtDlpUpdateActivities = ReturnType<typeof createYtDlpUpdateActivities>;
