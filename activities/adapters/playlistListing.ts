/**
 * A playlist's entries, listed by one flat probe through the warm engine (the probe fetchMedia
 * starts with): real playlists list their entries as links without extracting them
 * (`extract_flat`), a page with several `<video>` elements lists each with its formats. Nothing is
 * downloaded.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FailureType } from '../../shared/failures.js';
import type { PlaylistEntry, PlaylistListing } from '../../shared/contracts/playlist.js';
import { EGRESS_REFUSAL } from './egressProxy.js';
import type { DownloadEngine } from './warmEngine.js';
import { parseProbeOutput, type MediaInfo } from './ytDlpInfo.js';
import { classifyYtDlpException } from './ytDlpErrors.js';

export type ListingOutcome =
  { kind: 'listed'; listing: PlaylistListing } | { kind: 'failed'; type: FailureType; reason: string };

export interface ListPlaylistOptions {
  engine: DownloadEngine;
  url: string;
  /** How many entries, from the first, to list. */
  items: number;
  /** The egress proxy every connection goes through. */
  proxy?: string;
  /** YTDLP_COOKIES, and the request dir its private copy goes to (yt-dlp writes the jar back: never to the operator's file). */
  cookies?: { file: string; dir: string };
  signal?: AbortSignal;
}

export async function listPlaylist(options: ListPlaylistOptions): Promise<ListingOutcome> {
  let cookiesCopy: string | undefined;
  if (options.cookies) {
    cookiesCopy = path.join(options.cookies.dir, 'cookies.txt');
    // Neither the path nor anything read from it goes into the message.
    const content = await readFile(options.cookies.file).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`the cookies file (YTDLP_COOKIES) cannot be read: ${error.code ?? 'error'}`);
    });
    await writeFile(cookiesCopy, content, { mode: 0o600, flag: 'wx' });
  }
  const job = options.engine.openJob({ proxy: options.proxy, cookiesFile: cookiesCopy }, options.signal);
  try {
    const reply = await job.probe(options.url, Math.max(1, Math.floor(options.items)));
    if (reply.kind === 'failed') {
      if (reply.error.message.includes(EGRESS_REFUSAL))
        return {
          kind: 'failed',
          type: FailureType.BlockedAddress,
          reason: 'a redirect or a resource of the link points to a refused address',
        };
      return { kind: 'failed', ...classifyYtDlpException(reply.error) };
    }
    let result;
    try {
      result = parseProbeOutput(reply.info);
    } catch {
      return { kind: 'failed', type: FailureType.DownloadFailed, reason: 'yt-dlp gave no readable info' };
    }
    // A link to one video is a playlist of one.
    if (result.kind === 'single')
      return {
        kind: 'listed',
        listing: {
          title: result.info.title,
          availableItems: 1,
          entries: [{ index: 1, url: options.url, title: result.info.title }],
        },
      };
    const entries: PlaylistEntry[] = [];
    for (const entry of result.entries) {
      if (entry.kind === 'reference') {
        entries.push({ index: entry.index, url: entry.url, ...(entry.title ? { title: entry.title } : {}) });
        continue;
      }
      const url = entryUrl(entry.info, options.url);
      if (url) entries.push({ index: entry.index, url, ...(entry.info.title ? { title: entry.info.title } : {}) });
    }
    return {
      kind: 'listed',
      listing: { title: result.title, availableItems: Math.max(result.availableItems, entries.length), entries },
    };
  } finally {
    job.end();
    if (cookiesCopy) {
      await Promise.race([job.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await rm(cookiesCopy, { force: true });
    }
  }
}

/**
 * What an extracted entry's child downloads: the entry's own page when it has one, else (the
 * `<video>` elements of one page, whose page is the playlist's) its best format's media URL, which
 * the generic extractor downloads as a direct link.
 */
export function entryUrl(info: MediaInfo, playlistUrl: string): string | undefined {
  if (info.webpageUrl && info.webpageUrl !== playlistUrl && isHttp(info.webpageUrl)) return info.webpageUrl;
  const formats = [...info.formats].sort((a, b) => b.order - a.order);
  return formats.find((format) => format.url && isHttp(format.url) && format.hasDrm !== true)?.url;
}

function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
