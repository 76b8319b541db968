import { createHash, createHmac } from 'node:crypto';
import type { MediaKey } from '../../shared/activityTypes.js';

const TRACKING_PARAMETERS = /^(utm_[a-z_]+|fbclid|gclid)$/i;
/**
 * A fragment that only says where playback starts (`#t=42`, `#t=1m30s`, `#at=90`, `#t=0:42`,
 * media fragments' `#t=10,20`): the file is the same whatever it says.
 */
const START_TIME_FRAGMENT = /^#(t|at|start)=[\d:.,hms]*$/i;

/**
 * The link as a cache key: the same resource written differently (host case, default port,
 * a start time in the fragment, tracking parameters) maps to one key; anything that can change
 * the media (path, other query parameters, their order, any other fragment: pages that route by
 * it, `page#/video/2`) is kept, so distinct media never share a key.
 */
export function normalizeMediaUrl(raw: string): string {
  // Not a URL at all ("--exec=…" as a hidden link's target): the key is the text itself. The
  // download refuses it as InvalidUrl; the cache must not fail first with a TypeError.
  if (!URL.canParse(raw)) return raw;
  const url = new URL(raw);
  // An empty fragment (`a.mp4#`) reads as '' but is still printed; assigning '' removes it.
  if (url.hash === '' || START_TIME_FRAGMENT.test(url.hash)) url.hash = '';
  url.hostname = url.hostname.toLowerCase();
  // Filter the raw pieces: URLSearchParams would re-encode the ones that stay (%20 → +).
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((piece) => piece !== '' && !TRACKING_PARAMETERS.test(decodeSafe(piece.split('=')[0] ?? '')));
  url.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  return url.toString();
}

/** A malformed escape (`%zz`) is kept as written rather than thrown (URIError). */
function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The workflow id of a media's cache entry: a full SHA-256 of everything that decides which
 * file gets sent (normalized link, mode, quality cap, size limit, album cap, clip range) and of the bot
 * (file_ids belong to one bot). Never truncated: a collision would send someone the wrong file.
 * With `secret` (payload encryption on) an HMAC instead: ids are stored in plaintext, and a plain
 * hash would let anyone who can read them confirm a guessed link.
 */
export function mediaCacheId(key: MediaKey, botId: string, secret?: Buffer): string {
  const canonical = JSON.stringify({
    bot: botId,
    url: normalizeMediaUrl(key.url),
    mode: key.mode,
    maxHeight: key.maxHeight ?? null,
    maxUploadBytes: key.maxUploadBytes,
    albumCap: key.albumCap,
    // Only a key with a range names it: entries cached before ranges existed keep their ids.
    ...(key.clip ? { clip: [key.clip.startSeconds, key.clip.endSeconds] } : {}),
  });
  const digest = secret
    ? createHmac('sha256', secret).update(`media-cache:${canonical}`)
    : createHash('sha256').update(canonical);
  return `media-cache-${digest.digest('hex')}`;
}
