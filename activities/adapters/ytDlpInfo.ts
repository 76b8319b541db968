/**
 * yt-dlp's side of the download engine, without I/O: the command lines (probe and download) and
 * readers for what yt-dlp prints (its `-J` info JSON and the progress template).
 *
 * Rules every command line here follows: `--ignore-config` (no user or system config can add
 * options), an argument array (no shell), the user's URL only after `--`, and no option that runs
 * a command (`--exec`, `--netrc-cmd`, external downloaders, `--print-to-file` of templates...).
 */

/** One format as yt-dlp listed it, codecs normalised: `'none'` = absent, `undefined` = unknown. */
export interface MediaFormat {
  id: string;
  ext?: string;
  vcodec?: string;
  acodec?: string;
  width?: number;
  height?: number;
  /** Exact size in bytes, when the site says so. */
  filesize?: number;
  /** yt-dlp's own estimate (bitrate × duration, manifest sizes). */
  filesizeApprox?: number;
  /** Total, video and audio bitrates in kbit/s. */
  tbr?: number;
  vbr?: number;
  abr?: number;
  protocol?: string;
  url?: string;
  hasDrm?: boolean;
  /** Position in yt-dlp's list, which yt-dlp sorts from worst to best: higher is better. */
  order: number;
}

export interface MediaInfo {
  id?: string;
  title?: string;
  /** Song title when the site knows it (music), else undefined. */
  track?: string;
  /** Artist, creator, uploader or channel, the first one known. */
  performer?: string;
  durationSeconds?: number;
  thumbnailUrl?: string;
  /** The page the media came from (for a gallery item: the gallery page). */
  webpageUrl?: string;
  isLive?: boolean;
  formats: MediaFormat[];
}

export type PlaylistEntry =
  /** Extracted in full (the generic extractor's `<video>` elements): formats known. */
  | { kind: 'resolved'; index: number; info: MediaInfo; raw: Record<string, unknown> }
  /** Only a link (`--flat-playlist` of a real playlist): probe it on its own. */
  | { kind: 'reference'; index: number; url: string; title?: string };

export type ProbeResult =
  | { kind: 'single'; info: MediaInfo; raw: Record<string, unknown> }
  | {
      kind: 'playlist';
      title?: string;
      /** What the site offered in total; a lower bound when it did not say (see probe arguments). */
      availableItems: number;
      entries: PlaylistEntry[];
    };

/**
 * The JavaScript runtime yt-dlp runs YouTube's challenge solver (the yt-dlp-ejs scripts) in:
 * without one, YouTube downloads lose formats or fail. Chosen by `chooseJsRuntime` (src/tools.ts).
 */
export interface JsRuntime {
  name: 'deno' | 'node';
  path: string;
}

export interface YtDlpCommonOptions {
  ffmpeg: string;
  /** None: yt-dlp's own default (Deno, when it finds one by itself). */
  jsRuntime?: JsRuntime;
  /** Path of this request's private copy of the cookies file. */
  cookiesFile?: string;
  /** The egress proxy every connection goes through (see egressProxy.ts). */
  proxy?: string;
}

const COMMON = ['--no-cache-dir', '--color', 'never', '--socket-timeout', '15'];

/**
 * On the command line because --ignore-config skips config files. yt-dlp enables only Deno unless
 * told; the runtime's path is given so that yt-dlp uses the one the worker found, not a lookalike.
 */
export function jsRuntimeArguments(runtime: JsRuntime | undefined): string[] {
  return runtime ? ['--js-runtimes', `${runtime.name}:${runtime.path}`] : [];
}

function common(options: YtDlpCommonOptions): string[] {
  return [
    '--ignore-config',
    ...jsRuntimeArguments(options.jsRuntime),
    ...COMMON,
    '--ffmpeg-location',
    options.ffmpeg,
    ...(options.cookiesFile ? ['--cookies', options.cookiesFile] : []),
    ...(options.proxy ? ['--proxy', options.proxy] : []),
  ];
}

/**
 * `-J` (one JSON document, nothing downloaded) with `--flat-playlist` (a real playlist's items
 * stay links, not extracted one by one) and `--no-playlist` (a video link that also names a
 * playlist, `watch?v=…&list=…`, is that video). `playlistItems` asks for one item more than the
 * cap, so that a site that does not tell its total still shows that there were more.
 */
export function ytDlpProbeArguments(options: YtDlpCommonOptions & { url: string; playlistItems: number }): string[] {
  return [
    ...common(options),
    '--no-playlist',
    '--flat-playlist',
    '--playlist-items',
    `1:${Math.max(1, options.playlistItems)}`,
    '--extractor-retries',
    '0',
    '--dump-single-json',
    '--',
    options.url,
  ];
}

export const PROGRESS_PREFIX = '[fetch-progress] ';
export const FILE_PREFIX = '[fetch-file] ';

export interface YtDlpDownloadArgumentOptions extends YtDlpCommonOptions {
  /** An info JSON written from the probe: no second extraction, the same formats. */
  infoJsonFile: string;
  /** `-f` value, e.g. `137+140` or `18`. */
  formatSelector: string;
  /** `--max-filesize`: yt-dlp refuses a file whose announced size is larger. */
  maxFileBytes: number;
  /** Output template, already escaped for yt-dlp (`%` doubled), e.g. `/dir/item-1.%(ext)s`. */
  outputTemplate: string;
  /** Containers for merging a video-only and an audio-only format, e.g. `mp4/mkv`. */
  mergeOutputFormat?: string;
  /** Also write the source's thumbnail (an audio's cover) to this template. */
  thumbnailTemplate?: string;
}

/** One download attempt of one format (pair) from a saved info JSON. */
export function ytDlpDownloadArguments(options: YtDlpDownloadArgumentOptions): string[] {
  return [
    ...common(options),
    '--no-playlist',
    '--load-info-json',
    options.infoJsonFile,
    '--format',
    options.formatSelector,
    '--max-filesize',
    String(Math.max(1, Math.floor(options.maxFileBytes))),
    ...(options.mergeOutputFormat ? ['--merge-output-format', options.mergeOutputFormat] : []),
    '--no-mtime',
    '--retries',
    '2',
    '--fragment-retries',
    '2',
    '--newline',
    // --print implies --quiet and --simulate; the max-filesize notice only shows without --quiet.
    '--no-quiet',
    '--no-simulate',
    '--progress',
    '--progress-delta',
    '0.5',
    '--progress-template',
    `download:${PROGRESS_PREFIX}%(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s %(progress.speed)s`,
    '--print',
    `after_move:${FILE_PREFIX}%(filepath)j`,
    ...(options.thumbnailTemplate ? ['--write-thumbnail', '--output', `thumbnail:${options.thumbnailTemplate}`] : []),
    '--output',
    options.outputTemplate,
  ];
}

/** A path as a literal part of a yt-dlp output template. */
export function escapeOutputTemplate(text: string): string {
  return text.replace(/%/g, '%%');
}

export interface DownloadProgressLine {
  downloadedBytes: number;
  /** The exact total, else yt-dlp's estimate. */
  totalBytes?: number;
  speedBytesPerSecond?: number;
}

const NUMBER = /^\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

function numberOrUndefined(text: string | undefined): number | undefined {
  if (!text || !NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Reads a line of the progress template above; anything else is undefined. */
export function parseDownloadProgressLine(line: string): DownloadProgressLine | undefined {
  const start = line.indexOf(PROGRESS_PREFIX);
  if (start < 0) return undefined;
  const [downloaded, total, estimate, speed] = line.slice(start + PROGRESS_PREFIX.length).trim().split(/\s+/);
  const downloadedBytes = numberOrUndefined(downloaded);
  if (downloadedBytes === undefined) return undefined;
  const totalBytes = numberOrUndefined(total) ?? numberOrUndefined(estimate);
  const speedValue = numberOrUndefined(speed);
  return {
    downloadedBytes: Math.round(downloadedBytes),
    ...(totalBytes !== undefined ? { totalBytes: Math.round(totalBytes) } : {}),
    ...(speedValue !== undefined ? { speedBytesPerSecond: Math.round(speedValue) } : {}),
  };
}

/** The path of the `--print after_move:` line, if this is one. */
export function parseFileLine(line: string): string | undefined {
  const start = line.indexOf(FILE_PREFIX);
  if (start < 0) return undefined;
  try {
    const value = JSON.parse(line.slice(start + FILE_PREFIX.length)) as unknown;
    return typeof value === 'string' && value ? value : undefined;
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;

function text(object: Json, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' && value.trim() ? value : undefined;
}

function positive(object: Json, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function codec(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  return value.trim().toLowerCase();
}

function parseFormat(raw: unknown, order: number): MediaFormat | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const f = raw as Json;
  const id = text(f, 'format_id') ?? String(order);
  return {
    id,
    ext: text(f, 'ext')?.toLowerCase(),
    vcodec: codec(f.vcodec),
    acodec: codec(f.acodec),
    width: positive(f, 'width'),
    height: positive(f, 'height'),
    filesize: positive(f, 'filesize'),
    filesizeApprox: positive(f, 'filesize_approx'),
    tbr: positive(f, 'tbr'),
    vbr: positive(f, 'vbr'),
    abr: positive(f, 'abr'),
    protocol: text(f, 'protocol'),
    url: text(f, 'url') ?? text(f, 'manifest_url'),
    hasDrm: f.has_drm === true,
    order,
  };
}

/** The fields of one video's info dict that the engine uses. */
export function parseMediaInfo(raw: Json): MediaInfo {
  const rawFormats = Array.isArray(raw.formats) ? raw.formats : raw.url ? [raw] : [];
  const formats = rawFormats.map((format, order) => parseFormat(format, order)).filter((f): f is MediaFormat => f !== undefined);
  const artists = Array.isArray(raw.artists) ? raw.artists.filter((a): a is string => typeof a === 'string' && a.trim() !== '') : [];
  const thumbnails = Array.isArray(raw.thumbnails) ? (raw.thumbnails as unknown[]) : [];
  const lastThumbnail = thumbnails.at(-1);
  const thumbnailFromList =
    lastThumbnail && typeof lastThumbnail === 'object' ? text(lastThumbnail as Json, 'url') : undefined;
  return {
    id: text(raw, 'id'),
    title: text(raw, 'title'),
    track: text(raw, 'track'),
    performer:
      text(raw, 'artist') ?? artists[0] ?? text(raw, 'creator') ?? text(raw, 'uploader') ?? text(raw, 'channel'),
    durationSeconds: positive(raw, 'duration'),
    thumbnailUrl: text(raw, 'thumbnail') ?? thumbnailFromList,
    webpageUrl: text(raw, 'webpage_url') ?? text(raw, 'original_url'),
    isLive: raw.is_live === true,
    formats,
  };
}

/**
 * Reads the `-J` document of the probe: one video, or a playlist (a gallery page, a channel)
 * whose entries are either extracted (with formats) or links.
 */
export function parseProbeOutput(document: unknown): ProbeResult {
  if (!document || typeof document !== 'object') throw new Error('yt-dlp printed no info document');
  const raw = document as Json;
  const type = text(raw, '_type');
  if (type !== 'playlist' && type !== 'multi_video') return { kind: 'single', info: parseMediaInfo(raw), raw };

  const entries: PlaylistEntry[] = [];
  const rawEntries = Array.isArray(raw.entries) ? raw.entries : [];
  rawEntries.forEach((item, position) => {
    if (!item || typeof item !== 'object') return;
    const entry = item as Json;
    const index = positive(entry, 'playlist_index') ?? position + 1;
    const entryType = text(entry, '_type');
    if (entryType === 'url' || entryType === 'url_transparent' || (entryType !== 'playlist' && !entry.formats && !entry.url)) {
      const url = text(entry, 'url') ?? text(entry, 'webpage_url');
      if (url) entries.push({ kind: 'reference', index, url, title: text(entry, 'title') });
      return;
    }
    if (entryType === 'playlist') return; // nested playlists are not followed
    entries.push({ kind: 'resolved', index, info: parseMediaInfo(entry), raw: entry });
  });
  const counted = positive(raw, 'playlist_count');
  return {
    kind: 'playlist',
    title: text(raw, 'title'),
    availableItems: Math.max(counted ?? 0, entries.length),
    entries,
  };
}
