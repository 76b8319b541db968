import { createHash } from 'node:crypto';
import type { MediaKey } from '../../workflows/types.js';

const TRACKING_PARAMETERS = /^(utm_[a-z_]+|fbclid|gclid)$/i;

/**
 * The link as a cache key: the same resource written differently (host case, default port,
 * fragment, tracking parameters) maps to one key; anything that can change the media (path,
 * other query parameters, their order) is kept, so distinct media never share a key.
 */
export function normalizeMediaUrl(raw: string): string {
  const url = new URL(raw);
  url.hash = '';
  url.hostname = url.hostname.toLowerCase();
  // Filter the raw pieces: URLSearchParams would re-encode the ones that stay (%20 → +).
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((piece) => piece !== '' && !TRACKING_PARAMETERS.test(decodeURIComponent(piece.split('=')[0] ?? '')));
  url.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  return url.toString();
}

/**
 * The workflow id of a media's cache entry: a full SHA-256 of everything that decides which
 * file gets sent (normalized link, mode, quality cap, size limit, album cap) and of the bot
 * (file_ids belong to one bot). Never truncated: a collision would send someone the wrong file.
 */
export function mediaCacheId(key: MediaKey, botId: string): string {
  const canonical = JSON.stringify({
    bot: botId,
    url: normalizeMediaUrl(key.url),
    mode: key.mode,
    maxHeight: key.maxHeight ?? null,
    maxUploadBytes: key.maxUploadBytes,
    albumCap: key.albumCap,
  });
  return `media-cache-${createHash('sha256').update(canonical).digest('hex')}`;
}
