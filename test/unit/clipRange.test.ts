import type { MessageEntity, Update } from 'grammy/types';
import { formatClipRange, parseClipTime, readClipRange } from '../../shared/clipRange.js';
import { invalidRangeText } from '../../shared/botTexts.js';
import { clipCommandRange, rangesAfterLinks } from '../../src/telegram/clipRanges.js';
import { interpretUpdate } from '../../src/telegram/updates.js';

const LINK = 'https://media.example/clip.mp4';
const OTHER = 'https://media.example/other.mp4';

describe('clip times', () => {
  it.each([
    ['0', 0],
    ['90', 90],
    ['7.5', 7.5],
    ['1:30', 90],
    ['0:05', 5],
    ['12:00', 720],
    ['1:02:03', 3723],
    ['10:00:00', 36000],
  ])('reads %s as %d s', (text, seconds) => {
    expect(parseClipTime(text)).toBe(seconds);
  });

  it.each(['', 'abc', '1:5', '1:60', '1:60:00', '1::30', ':30', '1:2:3', '-5', '1:30:00:00', '5s'])(
    'refuses %j',
    (text) => {
      expect(parseClipTime(text)).toBeUndefined();
    },
  );

  it('writes ranges back as people read them', () => {
    expect(formatClipRange({ startSeconds: 90, endSeconds: 165 })).toBe('1:30–2:45');
    expect(formatClipRange({ startSeconds: 2, endSeconds: 3723 })).toBe('0:02–1:02:03');
  });
});

describe('a range', () => {
  it('is two times, the end after the start', () => {
    expect(readClipRange('1:30', '2:45')).toEqual({ range: { startSeconds: 90, endSeconds: 165 } });
  });

  it.each([
    ['5', '2', 'the end (0:02) is before the start (0:05)'],
    ['0:05', '5', 'the start and the end are the same (0:05)'],
    ['1:3x', '2', '"1:3x" is not a time (use 90, 1:30 or 1:02:03)'],
    ['1', '', '"" is not a time (use 90, 1:30 or 1:02:03)'],
  ])('%s to %s: %s', (start, end, problem) => {
    expect(readClipRange(start, end)).toEqual({ problem });
  });
});

describe('ranges written after links', () => {
  it('applies each range to the link it follows', () => {
    expect(rangesAfterLinks(`${LINK} 1:30-2:45 ${OTHER}`, [LINK, OTHER])).toEqual({
      clips: [{ startSeconds: 90, endSeconds: 165 }, null],
    });
    expect(rangesAfterLinks(`${LINK}\n${OTHER} 90-165`, [LINK, OTHER])).toEqual({
      clips: [null, { startSeconds: 90, endSeconds: 165 }],
    });
  });

  it('leaves a message without ranges as it was, words and dashes included', () => {
    expect(rangesAfterLinks(`${LINK} - 2-player game`, [LINK])).toEqual({});
    expect(rangesAfterLinks(`look ${LINK}`, [LINK])).toEqual({});
  });

  it.each([
    ['5-2', 'the end (0:02) is before the start (0:05)'],
    ['3-3', 'the start and the end are the same (0:03)'],
    ['1:30-', '"" is not a time (use 90, 1:30 or 1:02:03)'],
    ['1:3:-2', '"1:3:" is not a time (use 90, 1:30 or 1:02:03)'],
  ])('names the problem with %s', (range, problem) => {
    expect(rangesAfterLinks(`${LINK} ${range}`, [LINK])).toEqual({ problem });
  });

  it('reads /clip with two times or one range', () => {
    expect(clipCommandRange(`/clip ${LINK} 1:30 2:45`, LINK)).toEqual({ range: { startSeconds: 90, endSeconds: 165 } });
    expect(clipCommandRange(`/clip ${LINK} 90-165`, LINK)).toEqual({ range: { startSeconds: 90, endSeconds: 165 } });
    expect(clipCommandRange(`/clip ${LINK} 1:30`, LINK)).toEqual({
      problem: '/clip needs an end after the start (1:30)',
    });
    expect(clipCommandRange(`/clip ${LINK}`, LINK)).toEqual({
      problem: '/clip needs a link, then a start and an end (/clip link 1:30 2:45)',
    });
  });
});

describe('updates with ranges', () => {
  const update = (text: string): Update => {
    const entities: MessageEntity[] = [];
    if (text.startsWith('/')) entities.push({ type: 'bot_command', offset: 0, length: text.indexOf(' ') });
    for (const match of text.matchAll(/https?:\/\/\S+/g))
      entities.push({ type: 'url', offset: match.index, length: match[0].length });
    return {
      update_id: 1,
      message: {
        message_id: 7,
        date: 1_700_000_000,
        chat: { id: 42, type: 'private', first_name: 'Ada' },
        from: { id: 42, is_bot: false, first_name: 'Ada' },
        text,
        entities,
      },
    } as Update;
  };

  it('start a media request with the range of each link', () => {
    expect(interpretUpdate(update(`${LINK} 0:02-0:05`), 'bot')).toMatchObject({
      kind: 'media',
      links: [LINK],
      clips: [{ startSeconds: 2, endSeconds: 5 }],
    });
    expect(interpretUpdate(update(`/clip ${LINK} 1:30 2:45`), 'bot')).toMatchObject({
      kind: 'media',
      links: [LINK],
      clips: [{ startSeconds: 90, endSeconds: 165 }],
    });
    expect(interpretUpdate(update(`/audio ${LINK} 10-20`), 'bot')).toMatchObject({
      mode: 'audio',
      clips: [{ startSeconds: 10, endSeconds: 20 }],
    });
  });

  it('carry no clips when no link has a range', () => {
    expect(interpretUpdate(update(LINK), 'bot')).not.toHaveProperty('clips');
  });

  it('answer a bad range with its problem instead of downloading', () => {
    expect(interpretUpdate(update(`${LINK} 5-2`), 'bot')).toEqual({
      kind: 'invalid-range',
      chatId: 42,
      messageId: 7,
      problem: 'the end (0:02) is before the start (0:05)',
    });
    expect(interpretUpdate(update('/clip nothing here'), 'bot')).toMatchObject({ kind: 'invalid-range' });
    expect(invalidRangeText('the end (0:02) is before the start (0:05)')).toBe(
      '❌ I cannot cut this clip: the end (0:02) is before the start (0:05). Write the part you want after the link, e.g. 1:30-2:45.',
    );
  });
});
