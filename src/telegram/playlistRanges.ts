import { MAX_PLAYLIST_POSITION, type PlaylistRange } from '../../shared/playlistRange.js';

export type PlaylistCommandReading = { link: string; range?: PlaylistRange } | { problem: string };

/** Most positions a `3,7,9` list may name. */
const MAX_LIST_ITEMS = 50;

/**
 * `/playlist <link> [range]`: the link and the entries asked for (`1-5`, `3,7,9`, `-3` for the
 * last three; nothing: from the first), or the problem with what was written, in words.
 */
export function readPlaylistCommand(text: string, link: string | undefined): PlaylistCommandReading {
  if (!link) return { problem: '/playlist needs a link (/playlist <link> 1-5)' };
  const words = text.split(/\s+/).filter(Boolean);
  const at = words.findIndex((word) => word === link || `https://${word}` === link || word.startsWith(link));
  const rest = at < 0 ? [] : words.slice(at + 1);
  if (rest.length === 0) return { link };
  if (rest.length > 1)
    return { problem: `write the range as one word after the link, e.g. 1-5 or 3,7,9 (got "${rest.join(' ')}")` };
  const reading = readPlaylistRange(rest[0]!);
  return 'problem' in reading ? reading : { link, range: reading.range };
}

/** One range word: `1-5`, `3,7,9` (also `3`), `-3`. */
export function readPlaylistRange(word: string): { range: PlaylistRange } | { problem: string } {
  const text = word.trim().replace(/[–—]/g, '-');
  const last = /^-(\d+)$/.exec(text);
  if (last) {
    const count = Number(last[1]);
    if (count < 1) return { problem: `"${word}" asks for no entry: -3 means the last three` };
    if (count > MAX_PLAYLIST_POSITION)
      return { problem: `"${word}" asks for more than the last ${MAX_PLAYLIST_POSITION}` };
    return { range: { kind: 'last', count } };
  }
  const span = /^(\d+)-(\d+)$/.exec(text);
  if (span) {
    const from = Number(span[1]);
    const to = Number(span[2]);
    const bad = position(from, word) ?? position(to, word);
    if (bad) return { problem: bad };
    if (to < from) return { problem: `"${word}" ends before it starts` };
    return { range: { kind: 'span', from, to } };
  }
  if (/^\d+(,\d+)*,?$/.test(text)) {
    const items = text.split(',').filter(Boolean).map(Number);
    for (const item of items) {
      const bad = position(item, word);
      if (bad) return { problem: bad };
    }
    const unique = [...new Set(items)].sort((a, b) => a - b);
    if (unique.length > MAX_LIST_ITEMS) return { problem: `"${word}" names more than ${MAX_LIST_ITEMS} entries` };
    return {
      range: unique.length === 1 ? { kind: 'span', from: unique[0]!, to: unique[0]! } : { kind: 'list', items: unique },
    };
  }
  return { problem: `"${word}" is not a range: write 1-5, 3,7,9 or -3 (the last three)` };
}

function position(value: number, word: string): string | undefined {
  if (value < 1) return `"${word}": entries are numbered from 1`;
  if (value > MAX_PLAYLIST_POSITION) return `"${word}": entries past ${MAX_PLAYLIST_POSITION} cannot be asked for`;
  return undefined;
}
