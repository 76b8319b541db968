/**
 * Photo posts and image galleries, through gallery-dl (PyPI, pinned by scripts/setup.sh, run by the
 * project's venv Python): what yt-dlp does not download.
 *
 * What gallery-dl 1.32.18 does with a page, as tried against loopback pages:
 * - a link whose path ends in an image/video extension goes to its `directlink` extractor: that
 *   one file;
 * - any other page nothing site-specific claims goes to its `generic` extractor (enabled by
 *   gallerydl_runner.py, which also fixes its dropping of the port): it collects the `src`/`srcset`
 *   of `<img>`, `<video>` and `<source>` first, then every URL in the page that ends in
 *   jpg/png/gif/webp/mp4/mkv/ogg/opus (so `og:image` tags with image URLs), relative ones resolved,
 *   duplicates dropped, in that order.
 *
 * The command line, with gallery-dl's documented options only:
 * `--config-ignore` (no user or system config), `--proxy` (the egress proxy: every connection goes
 * through it, as yt-dlp's do), `-D <dir>` (exactly the request dir, no subfolders), `-f
 * item-{num}.{extension}` (the names are ours; the extension is checked by ffprobe anyway),
 * `--range 1-<albumCap>`, `--filesize-max <upload limit>` (a bigger file is skipped with a
 * "File size larger than allowed maximum (a > b)" warning), `--no-part`, `--no-mtime`,
 * `--http-timeout`, `--retries`, and `--Print prepare:@count {count}` (one line per file, before
 * it is downloaded, with how many the page offered). Without `--quiet`, gallery-dl prints the path
 * of every file it wrote on stdout, `# <path>` for one it skipped: that order is the album's.
 *
 * HOME is the request dir, so gallery-dl's cache file is written there too, and goes with it.
 * It is never run through a shell; a timeout or the cancellation signal kills its process group.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FailureType } from '../../shared/failures.js';
import type { FileKind, MediaMode } from '../../shared/activityTypes.js';
import { EGRESS_REFUSAL } from './egressProxy.js';
import { runTool } from './ffmpeg.js';
import { isInsideDir } from './insideDir.js';
import { copyCookies, type FetchMediaOutcome } from './fetchMedia.js';
import { ffprobeFile } from './mediaProbe.js';
import { fileKindOf } from './pictureKind.js';

/** The runner beside this file: gallery-dl's `main()` with the generic extractor's port fix. */
export const GALLERY_DL_RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gallerydl_runner.py');

/** Among several pictures of a page, one whose longer side is shorter is an icon, not content. */
export const MIN_PAGE_PICTURE_SIDE = 100;

/** How long one gallery-dl run may take, the page and all its files. */
export const DEFAULT_GALLERY_TIMEOUT_MS = 5 * 60 * 1000;

export interface GalleryOptions {
  /** The venv's Python, which imports gallery_dl. */
  python: string;
  ffprobe: string;
  url: string;
  /** An existing request dir; everything is written inside it, as `item-*`. */
  dir: string;
  mode: MediaMode;
  maxUploadBytes: number;
  albumCap: number;
  /** The egress proxy (see egressProxy.ts); every connection goes through it. */
  proxy?: string;
  /** YTDLP_COOKIES: gallery-dl reads a copy in the request dir, removed when it ends. */
  cookiesFile?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  nice?: number;
  onProgress?: (progress: { item?: number; items?: number }) => void;
}

export interface GalleryItem {
  filePath: string;
  fileName: string;
  sizeBytes: number;
  kind: FileKind;
  width?: number;
  height?: number;
  durationSeconds?: number;
  sourceUrl: string;
}

/** What fetchMedia answers, so the download activity takes either the same way. */
export type GalleryOutcome = FetchMediaOutcome;

/** A link whose path ends like a picture: gallery-dl's directlink extractor takes it, before yt-dlp. */
export function looksLikePictureUrl(url: string): boolean {
  try {
    return /\.(jpe?g|png|webp|gif)$/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/**
 * An answer that found nothing to send (no supported media, no picture): the other tool may
 * still find something. `unreadable: false`: files that are no pictures do not count as nothing.
 */
export function foundNothing(outcome: FetchMediaOutcome, { unreadable = true } = {}): boolean {
  if (outcome.kind !== 'failed') return false;
  return (
    outcome.type === FailureType.UnsupportedUrl ||
    outcome.type === FailureType.NoMediaFound ||
    (unreadable && outcome.type === FailureType.UnreadablePictures)
  );
}

/**
 * When gallery-dl runs for a download, around yt-dlp: `first()` runs it before yt-dlp for a link
 * that looks like a picture and answers what it found (undefined: nothing, ask yt-dlp);
 * `after(outcome)` runs it after yt-dlp found nothing for any other link, and keeps yt-dlp's
 * answer when gallery-dl finds nothing either. `options` undefined: gallery-dl is never run.
 */
export function pictureFallback(options: GalleryOptions | undefined) {
  let firstAnswer: FetchMediaOutcome | undefined;
  return {
    async first(): Promise<FetchMediaOutcome | undefined> {
      if (!options || !looksLikePictureUrl(options.url)) return undefined;
      firstAnswer = await fetchGallery(options);
      return foundNothing(firstAnswer) ? undefined : firstAnswer;
    },
    async after(outcome: FetchMediaOutcome): Promise<FetchMediaOutcome> {
      if (options && isSoundOfAPage(outcome, options)) return withPictures(outcome, options);
      if (!options || !foundNothing(outcome)) return outcome;
      // Neither found anything: that the link's files are no pictures says more than yt-dlp.
      if (firstAnswer)
        return firstAnswer.kind === 'failed' && firstAnswer.type === FailureType.UnreadablePictures
          ? firstAnswer
          : outcome;
      const pictures = await fetchGallery(options);
      return foundNothing(pictures, { unreadable: false }) ? outcome : pictures;
    },
  };
}

type Media = Extract<FetchMediaOutcome, { kind: 'media' }>;

/** yt-dlp found one sound on a page (not a link to an audio file), in video mode: maybe a slideshow. */
function isSoundOfAPage(outcome: FetchMediaOutcome, options: GalleryOptions): outcome is Media {
  if (outcome.kind !== 'media' || outcome.playlist || outcome.items.length !== 1) return false;
  if (outcome.items[0]!.kind !== 'audio' || options.mode !== 'video') return false;
  try {
    return !/\.(mp3|m4a|aac|ogg|oga|opus|flac|wav)$/i.test(new URL(options.url).pathname);
  } catch {
    return false;
  }
}

/**
 * A slideshow (an image post with a sound track): the page's pictures, found by gallery-dl, as an
 * album, then yt-dlp's sound alone (albumGroups keeps audio out of an album). Fewer than two
 * pictures is a cover, not a slideshow: then the sound alone, as before. What gallery-dl found
 * that is no picture (the sound again, a video) is left out.
 */
async function withPictures(sound: Media, options: GalleryOptions): Promise<FetchMediaOutcome> {
  const cap = Math.max(1, Math.floor(options.albumCap) - 1);
  const found = await fetchGallery({ ...options, albumCap: cap });
  if (found.kind !== 'media') return sound;
  const pictures = found.items.filter((item) => item.kind === 'photo' || item.kind === 'animation');
  await Promise.all(
    found.items.filter((item) => !pictures.includes(item)).map((item) => rm(item.filePath, { force: true })),
  );
  if (pictures.length < 2) {
    await Promise.all(pictures.map((item) => rm(item.filePath, { force: true })));
    return sound;
  }
  return {
    kind: 'media',
    items: [...pictures, sound.items[0]!],
    playlist: true,
    availableItems: Math.max(found.availableItems, pictures.length) + 1,
    skipped: [],
  };
}

const TOO_LARGE = /File size larger than allowed maximum \((\d+) > (\d+)\)/;

/** The gallery-dl arguments for one request (exported for the unit test). */
export function galleryDlArgs(
  options: Pick<GalleryOptions, 'url' | 'dir' | 'maxUploadBytes' | 'albumCap' | 'proxy'> & { cookies?: string },
) {
  const cap = Math.max(1, Math.floor(options.albumCap));
  return [
    GALLERY_DL_RUNNER,
    '--config-ignore',
    ...(options.proxy ? ['--proxy', options.proxy] : []),
    ...(options.cookies ? ['--cookies', options.cookies] : []),
    '-D',
    options.dir,
    '-f',
    'item-{num:?//>03}.{extension}',
    '--range',
    `1-${cap}`,
    '--filesize-max',
    String(Math.max(1, Math.floor(options.maxUploadBytes))),
    '--no-part',
    '--no-mtime',
    '--http-timeout',
    '30',
    '--retries',
    '2',
    '--Print',
    'prepare:@count {count}',
    '--',
    options.url,
  ];
}

/** Downloads the images (and videos) of `url` with gallery-dl; see the module comment. */
export async function fetchGallery(options: GalleryOptions): Promise<GalleryOutcome> {
  options.signal?.throwIfAborted();
  const dir = path.resolve(options.dir);
  const cookies = options.cookiesFile ? await copyCookies(options.cookiesFile, dir, 'gallery-cookies.txt') : undefined;
  try {
    return await runGallery(options, dir, cookies);
  } finally {
    if (cookies) await rm(cookies, { force: true });
  }
}

async function runGallery(options: GalleryOptions, dir: string, cookies: string | undefined): Promise<GalleryOutcome> {
  const written: string[] = [];
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_GALLERY_TIMEOUT_MS);
  let offered = 0;
  let announced = 0;
  const running = runTool(options.python, ['-I', ...galleryDlArgs({ ...options, dir, cookies })], {
    signal: options.signal,
    stop: timeout,
    nice: options.nice,
    env: { HOME: dir, XDG_CACHE_HOME: path.join(dir, '.cache'), XDG_CONFIG_HOME: path.join(dir, '.config') },
    maxBuffer: 4 * 1024 * 1024,
    onLine: (line) => {
      if (line.startsWith('@count ')) {
        announced += 1;
        const count = Number(line.slice('@count '.length));
        if (Number.isInteger(count)) offered = Math.max(offered, count);
        options.onProgress?.({ item: announced, ...(offered ? { items: Math.min(offered, options.albumCap) } : {}) });
        return;
      }
      if (line.startsWith('# ')) return;
      written.push(line.trim());
    },
  });
  // Cancelled: runTool killed gallery-dl's process group and waited for it; what it was writing goes.
  const result = await running.catch(async (error: unknown) => {
    await removeItems(dir);
    throw error;
  });
  options.signal?.throwIfAborted();
  if (result.stopped) {
    await removeItems(dir);
    return { kind: 'failed', type: FailureType.DownloadFailed, reason: 'gallery-dl took too long' };
  }

  const items: GalleryItem[] = [];
  let unreadable = 0;
  for (const [index, file] of written.entries()) {
    if (!isInsideDir(dir, file, { depth: 1 }) || !path.basename(file).startsWith('item-')) {
      await removeItems(dir);
      return { kind: 'failed', type: FailureType.DownloadFailed, reason: 'gallery-dl wrote outside the request dir' };
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const probed = await ffprobeFile(options.ffprobe, file, options.signal);
    options.signal?.throwIfAborted();
    const kind = fileKindOf(probed, info.size, options.mode);
    if (kind === undefined) {
      // Not a picture or a media file (an icon in a format ffprobe cannot read, a page): left out.
      await rm(file, { force: true });
      unreadable += 1;
      continue;
    }
    // A page's generic pictures include its icons and tracking pixels: a page's small pictures are left out.
    const longest = Math.max(probed.width ?? 0, probed.height ?? 0);
    if (written.length > 1 && (kind === 'photo' || kind === 'animation') && longest < MIN_PAGE_PICTURE_SIDE) {
      await rm(file, { force: true });
      continue;
    }
    const ext = EXTENSIONS[probed.videoCodec ?? ''];
    items.push({
      filePath: file,
      fileName: `${index + 1}.${ext ?? (path.extname(file).slice(1) || 'bin')}`,
      sizeBytes: info.size,
      kind,
      ...(probed.width !== undefined ? { width: probed.width } : {}),
      ...(probed.height !== undefined ? { height: probed.height } : {}),
      ...(probed.durationSeconds !== undefined && kind !== 'photo' ? { durationSeconds: probed.durationSeconds } : {}),
      sourceUrl: options.url,
    });
  }
  if (items.length > 0) {
    const availableItems = Math.max(offered, items.length);
    return { kind: 'media', items, playlist: availableItems > 1, availableItems, skipped: [] };
  }
  if (unreadable > 0)
    return {
      kind: 'failed',
      type: FailureType.UnreadablePictures,
      reason: `gallery-dl downloaded ${unreadable} file(s), none a picture or media ffprobe can read`,
    };
  const tooLarge = TOO_LARGE.exec(result.stderr);
  if (tooLarge) {
    return { kind: 'too-large', sizeBytes: Number(tooLarge[1]), limitBytes: options.maxUploadBytes };
  }
  return classifyFailure(result.stderr);
}

/** What gallery-dl's stderr says when it wrote nothing, typed. */
export function classifyFailure(stderr: string): Extract<GalleryOutcome, { kind: 'failed' }> {
  if (stderr.includes(EGRESS_REFUSAL) || /ProxyError|Tunnel connection failed: 403/i.test(stderr))
    return {
      kind: 'failed',
      type: FailureType.BlockedAddress,
      reason: 'the page or one of its images is on a refused address',
    };
  if (/Unsupported URL/i.test(stderr))
    return { kind: 'failed', type: FailureType.UnsupportedUrl, reason: 'gallery-dl does not support this link' };
  if (/HttpError: '?(404|410|403|401)/i.test(stderr))
    return { kind: 'failed', type: FailureType.ContentUnavailable, reason: 'the page or its images are not available' };
  if (/NewConnectionError|ConnectTimeout|ReadTimeout|Connection (refused|reset|aborted)/i.test(stderr))
    return { kind: 'failed', type: FailureType.TransientNetwork, reason: 'gallery-dl could not reach the page' };
  return { kind: 'failed', type: FailureType.NoMediaFound, reason: 'neither yt-dlp nor gallery-dl found media' };
}

const EXTENSIONS: Record<string, string> = { mjpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', h264: 'mp4' };

async function removeItems(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith('item-')).map((n) => rm(path.join(dir, n), { force: true })));
}
