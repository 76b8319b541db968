/**
 * Which entries of a playlist `/playlist <link> [range]` asks for, and which of them are served.
 * Pure: the webhook reads the range (src/telegram/playlistRanges.ts), the workflow picks the
 * entries once the playlist is listed.
 */

/**
 * The entries asked for, recorded in workflow histories: `1-5` (a span), `3,7,9` (a list), `-3`
 * (the last three). Positions are 1-based, as sites number them.
 */
export type PlaylistRange =
  { kind: 'span'; from: number; to: number } | { kind: 'list'; items: number[] } | { kind: 'last'; count: number };

/** The highest position a range may name (and the most entries a listing reads). */
export const MAX_PLAYLIST_POSITION = 1_000;

/** The range as a person writes it (`2-4`, `3,7,9`, `-3`). */
export function formatPlaylistRange(range: PlaylistRange): string {
  if (range.kind === 'span') return `${range.from}-${range.to}`;
  if (range.kind === 'list') return range.items.join(',');
  return `-${range.count}`;
}

/**
 * How many entries, from the first, the listing must read to serve the range: up to its last
 * position; all of them (up to MAX_PLAYLIST_POSITION) for `-n`; one more than the cap without a
 * range, to know whether some were left out.
 */
export function entriesToList(range: PlaylistRange | undefined, cap: number): number {
  if (!range) return Math.min(cap + 1, MAX_PLAYLIST_POSITION);
  if (range.kind === 'span') return Math.min(range.to, MAX_PLAYLIST_POSITION);
  if (range.kind === 'list') return Math.min(Math.max(...range.items), MAX_PLAYLIST_POSITION);
  return MAX_PLAYLIST_POSITION;
}

export interface PlaylistSelection {
  /** Positions served, in playlist order, at most `cap`. */
  picked: number[];
  /** Asked-for entries that exist but are beyond the cap. */
  leftOut: number;
  /** Asked-for positions the playlist does not have (a span past its end, a list naming one too many). */
  missing: number[];
}

/**
 * The entries served from what the listing found (`listed`: its positions, in order;
 * `available`: how many the site says it has): those the range asks for that exist, the first
 * `cap` of them.
 */
export function selectEntries(
  range: PlaylistRange | undefined,
  listed: readonly number[],
  available: number,
  cap: number,
): PlaylistSelection {
  const present = new Set(listed);
  let asked: number[];
  let missing: number[] = [];
  if (!range) asked = [...listed];
  else if (range.kind === 'last') asked = listed.slice(-range.count);
  else {
    const positions =
      range.kind === 'span'
        ? Array.from({ length: range.to - range.from + 1 }, (_, offset) => range.from + offset)
        : range.items;
    asked = positions.filter((position) => present.has(position));
    missing = positions.filter((position) => !present.has(position));
  }
  const picked = asked.slice(0, cap);
  // Without a range, what the site has beyond the listing counts too.
  const total = range ? asked.length : Math.max(available, asked.length);
  return { picked, leftOut: Math.max(0, total - picked.length), missing };
}

/** MAX_PLAYLIST_ITEMS when unset. */
export const DEFAULT_MAX_PLAYLIST_ITEMS = 20;
