import { readClipRange, readClipRangeWord, type ClipRange } from '../../shared/clipRange.js';

/**
 * The ranges a message asks for, one per link (null: the whole media), or the problem of the
 * first bad one. `clips` is absent when no link has a range: such a request is the same as before
 * ranges existed.
 */
export type MessageRanges = { clips?: Array<ClipRange | null> } | { problem: string };

/** A word that is meant as a range (`5-2`, `1:30-`, `1:3:-2`), right or wrong; never a word (`2-player`) or a dash. */
const RANGE_LIKE = /^(?=.*\d)[\d:.]*-[\d:.]*$/;

/** `link 1:30-2:45`: the word after each link, when it is a range, applies to that link. */
export function rangesAfterLinks(text: string, links: readonly string[]): MessageRanges {
  const words = text.split(/\s+/).filter(Boolean);
  const clips: Array<ClipRange | null> = [];
  let cursor = 0;
  for (const link of links) {
    const at = findLinkWord(words, link, cursor);
    const next = at === undefined ? undefined : words[at + 1];
    if (at !== undefined) cursor = at + 1;
    if (next === undefined || !RANGE_LIKE.test(next)) {
      clips.push(null);
      continue;
    }
    const reading = readClipRangeWord(next);
    if ('problem' in reading) return reading;
    clips.push(reading.range);
  }
  return clips.some((clip) => clip !== null) ? { clips } : {};
}

/** `/clip link 1:30 2:45` (or `/clip link 1:30-2:45`): the range of the command's one link. */
export function clipCommandRange(text: string, link: string): { range: ClipRange } | { problem: string } {
  const words = text.split(/\s+/).filter(Boolean);
  const at = findLinkWord(words, link, 0);
  const [first, second] = at === undefined ? [] : words.slice(at + 1);
  if (first === undefined) return { problem: '/clip needs a link, then a start and an end (/clip link 1:30 2:45)' };
  if (first.includes('-')) return readClipRangeWord(first);
  if (second === undefined) return { problem: `/clip needs an end after the start (${first})` };
  return readClipRange(first, second);
}

/** Where a link stands among the words (as written, without the https:// Telegram adds, or followed by punctuation). */
function findLinkWord(words: readonly string[], link: string, from: number): number | undefined {
  for (let index = from; index < words.length; index++) {
    const word = words[index]!;
    if (word === link || `https://${word}` === link || word.startsWith(link)) return index;
  }
  return undefined;
}
