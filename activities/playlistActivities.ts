import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { PlaylistListing } from '../shared/contracts/playlist.js';
import { listPlaylist } from './adapters/playlistListing.js';
import { createRequestDir, removeRequestDir } from './adapters/requestDirs.js';
import { assertFetchableUrl, UrlRejected } from './adapters/urlGuard.js';
import type { DownloadEngine } from './adapters/warmEngine.js';
import { typedFailure } from './failure.js';

export interface PlaylistActivityDeps {
  engine: DownloadEngine;
  egressAllowedHosts: readonly string[];
  /** The egress proxy yt-dlp connects through. */
  proxy?: string;
  /** YTDLP_COOKIES: a private copy per listing (in a request dir under `dataDir`), never modified, never logged. */
  cookiesFile?: string;
  dataDir: string;
}

/** How often the listing heartbeats while yt-dlp reads the playlist. */
const HEARTBEAT_EVERY_MS = 1_000;

/** The listing of a /playlist, on the `downloads` queue (where the engine runs). */
export function createPlaylistActivities(deps: PlaylistActivityDeps) {
  return {
    /** The first `items` entries of the playlist at `url` (a link to one video: a playlist of one). */
    async listPlaylist(input: { url: string; items: number }): Promise<PlaylistListing> {
      try {
        await assertFetchableUrl(input.url, deps.egressAllowedHosts);
      } catch (error) {
        if (error instanceof UrlRejected) throw typedFailure(error.type, error.message);
        throw error;
      }
      const ticker = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
      heartbeat();
      const dir = deps.cookiesFile ? await createRequestDir(deps.dataDir) : undefined;
      try {
        const outcome = await listPlaylist({
          engine: deps.engine,
          url: input.url,
          items: input.items,
          proxy: deps.proxy,
          ...(deps.cookiesFile && dir ? { cookies: { file: deps.cookiesFile, dir } } : {}),
          signal: cancellationSignal(),
        });
        if (outcome.kind === 'failed') throw typedFailure(outcome.type, outcome.reason);
        return outcome.listing;
      } finally {
        clearInterval(ticker);
        if (dir) await removeRequestDir(deps.dataDir, dir).catch(() => undefined);
      }
    },
  };
}

export type PlaylistActivities = ReturnType<typeof createPlaylistActivities>;
