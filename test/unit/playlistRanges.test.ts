/**
 * `/playlist <link> [range]`: how the range is read (src/telegram/playlistRanges.ts), how the
 * webhook turns the command into an intent, and which entries a listed playlist serves
 * (shared/playlistRange.ts), within MAX_PLAYLIST_ITEMS.
 */
import type { Update } from 'grammy/types';
import { interpretUpdate } from '../../src/telegram/updates.js';
import { readPlaylistCommand, readPlaylistRange } from '../../src/telegram/playlistRanges.js';
import { entriesToList, MAX_PLAYLIST_POSITION, selectEntries } from '../../shared/playlistRange.js';
import { playlistRangeText, playlistSummary } from '../../shared/botTexts.js';

const LINK = 'https://example.com/list';
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('readPlaylistRange', () => {
  it.each([
    ['1-5', { kind: 'span', from: 1, to: 5 }],
    ['2-4', { kind: 'span', from: 2, to: 4 }],
    ['3–7', { kind: 'span', from: 3, to: 7 }],
    ['7', { kind: 'span', from: 7, to: 7 }],
    ['3,7,9', { kind: 'list', items: [3, 7, 9] }],
    ['9,3,7,3', { kind: 'list', items: [3, 7, 9] }],
    ['-3', { kind: 'last', count: 3 }],
  ])('reads %s', (word, range) => {
    expect(readPlaylistRange(word)).toEqual({ range });
  });

  it.each([
    ['5-2', 'ends before it starts'],
    ['0-3', 'numbered from 1'],
    ['3,0', 'numbered from 1'],
    ['-0', 'asks for no entry'],
    ['1-5000', 'past 1000'],
    ['-5000', 'more than the last 1000'],
    ['abc', 'is not a range'],
    ['1-', 'is not a range'],
    ['1:30-2:45', 'is not a range'],
    [Array.from({ length: 51 }, (_, i) => i + 1).join(','), 'more than 50 entries'],
  ])('refuses %s, naming the problem', (word, problem) => {
    const reading = readPlaylistRange(word);
    expect('problem' in reading && reading.problem).toContain(problem);
  });
});

describe('readPlaylistCommand', () => {
  it('takes the word after the link as the range; no word: from the first', () => {
    expect(readPlaylistCommand(`/playlist ${LINK} 2-4`, LINK)).toEqual({
      link: LINK,
      range: { kind: 'span', from: 2, to: 4 },
    });
    expect(readPlaylistCommand(`/playlist ${LINK}`, LINK)).toEqual({ link: LINK });
  });

  it('refuses a command without a link, and a range in several words', () => {
    expect(readPlaylistCommand('/playlist', undefined)).toEqual({ problem: expect.stringContaining('needs a link') });
    expect(readPlaylistCommand(`/playlist ${LINK} 1 - 5`, LINK)).toEqual({
      problem: expect.stringContaining('one word'),
    });
  });
});

describe('the /playlist command as an update', () => {
  function message(text: string): Update {
    return {
      update_id: 1,
      message: {
        message_id: 5,
        date: 0,
        chat: { id: -100, type: 'group', title: 'G' },
        from: { id: 9, is_bot: false, first_name: 'A' },
        text,
      },
    } as Update;
  }

  it('is a playlist intent with its range', () => {
    expect(interpretUpdate(message(`/playlist ${LINK} -3`), 'bot')).toEqual({
      kind: 'playlist',
      chatId: -100,
      messageId: 5,
      userId: 9,
      link: LINK,
      range: { kind: 'last', count: 3 },
    });
    expect(interpretUpdate(message(`/playlist@bot ${LINK}`), 'bot')).toMatchObject({ kind: 'playlist', link: LINK });
  });

  it('with a bad range: one answer naming the problem, nothing started for the link', () => {
    const intent = interpretUpdate(message(`/playlist ${LINK} 5-2`), 'bot');
    expect(intent).toEqual({
      kind: 'invalid-playlist-range',
      chatId: -100,
      messageId: 5,
      problem: '"5-2" ends before it starts',
    });
    expect(playlistRangeText('"5-2" ends before it starts')).toBe(
      '❌ I cannot read this playlist range: "5-2" ends before it starts. Write it after the link: /playlist <link> 1-5, 3,7,9 or -3 (the last three).',
    );
  });
});

describe('selectEntries', () => {
  it('serves a span, a list and the last n of what exists, in playlist order', () => {
    expect(selectEntries({ kind: 'span', from: 2, to: 4 }, upTo(12), 12, 20)).toEqual({
      picked: [2, 3, 4],
      leftOut: 0,
      missing: [],
    });
    expect(selectEntries({ kind: 'list', items: [3, 7, 9] }, upTo(12), 12, 20).picked).toEqual([3, 7, 9]);
    expect(selectEntries({ kind: 'last', count: 3 }, upTo(12), 12, 20).picked).toEqual([10, 11, 12]);
    expect(selectEntries(undefined, upTo(12), 12, 20).picked).toEqual(upTo(12));
  });

  it('caps at MAX_PLAYLIST_ITEMS: the first of the range, and how many were left out', () => {
    expect(selectEntries({ kind: 'span', from: 1, to: 50 }, upTo(50), 50, 20)).toEqual({
      picked: upTo(20),
      leftOut: 30,
      missing: [],
    });
    expect(selectEntries({ kind: 'last', count: 30 }, upTo(40), 40, 20).picked).toEqual(upTo(20).map((i) => i + 10));
    // Without a range: what the site says it has beyond the listing is left out too.
    expect(selectEntries(undefined, upTo(21), 300, 20)).toMatchObject({ picked: upTo(20), leftOut: 280 });
  });

  it('names what the playlist does not have', () => {
    expect(selectEntries({ kind: 'span', from: 10, to: 14 }, upTo(12), 12, 20)).toEqual({
      picked: [10, 11, 12],
      leftOut: 0,
      missing: [13, 14],
    });
    expect(selectEntries({ kind: 'list', items: [30, 40] }, upTo(12), 12, 20).picked).toEqual([]);
  });

  it('lists only as far as the range reaches', () => {
    expect(entriesToList({ kind: 'span', from: 2, to: 4 }, 20)).toBe(4);
    expect(entriesToList({ kind: 'list', items: [3, 7, 9] }, 20)).toBe(9);
    expect(entriesToList({ kind: 'last', count: 3 }, 20)).toBe(MAX_PLAYLIST_POSITION);
    expect(entriesToList(undefined, 20)).toBe(21);
  });
});

describe('playlistSummary', () => {
  it('says what arrived, each failed entry with its reason, and what was left out', () => {
    expect(
      playlistSummary({
        delivered: 2,
        total: 3,
        failures: [{ index: 5, reason: 'too large to send' }],
        leftOut: 4,
        cap: 3,
        missing: 0,
      }),
    ).toBe(
      [
        '✅ 2 of 3 playlist items sent.',
        '❌ item 5: too large to send',
        'ℹ️ 4 more asked for were left out: at most 3 items per playlist.',
      ].join('\n'),
    );
  });
});
