/**
 * yt-dlp's info, without I/O: readers for the info dict a probe returns (what `-J` printed; the
 * warm engine sends yt-dlp's `sanitize_info` of it) and the output-template escape.
 *
 * The engine (ytdlp_engine.py) sets yt-dlp's params itself: no config file is read (the
 * embedding API never reads one), the link is only ever the URL argument of `extract_info`, and
 * no param that runs a command (`exec`, `netrc_cmd`, external downloaders) is set.
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
  /**
   * Extracted in full (the generic extractor's `<video>` elements): formats known. `position` is
   * its place in the probe's `entries`, by which the engine finds its info again.
   */
  | { kind: 'resolved'; index: number; position: number; info: MediaInfo }
  /** Only a link (`--flat-playlist` of a real playlist): probe it on its own. */
  | { kind: 'reference'; index: number; url: string; title?: string };

export type ProbeResult =
  | { kind: 'single'; info: MediaInfo }
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

/** A path as a literal part of a yt-dlp output template. */
export function escapeOutputTemplate(text: string): string {
  return text.replace(/%/g, '%%');
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
  const formats = rawFormats
    .map((format, order) => parseFormat(format, order))
    .filter((f): f is MediaFormat => f !== undefined);
  const artists = Array.isArray(raw.artists)
    ? raw.artists.filter((a): a is string => typeof a === 'string' && a.trim() !== '')
    : [];
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
  if (type !== 'playlist' && type !== 'multi_video') return { kind: 'single', info: parseMediaInfo(raw) };

  const entries: PlaylistEntry[] = [];
  const rawEntries = Array.isArray(raw.entries) ? raw.entries : [];
  rawEntries.forEach((item, position) => {
    if (!item || typeof item !== 'object') return;
    const entry = item as Json;
    const index = positive(entry, 'playlist_index') ?? position + 1;
    const entryType = text(entry, '_type');
    if (
      entryType === 'url' ||
      entryType === 'url_transparent' ||
      (entryType !== 'playlist' && !entry.formats && !entry.url)
    ) {
      const url = text(entry, 'url') ?? text(entry, 'webpage_url');
      if (url) entries.push({ kind: 'reference', index, url, title: text(entry, 'title') });
      return;
    }
    if (entryType === 'playlist') return; // nested playlists are not followed
    entries.push({ kind: 'resolved', index, position, info: parseMediaInfo(entry) });
  });
  const counted = positive(raw, 'playlist_count');
  return {
    kind: 'playlist',
    title: text(raw, 'title'),
    availableItems: Math.max(counted ?? 0, entries.length),
    entries,
  };
}
