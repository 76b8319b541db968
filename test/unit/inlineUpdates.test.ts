import type { Update } from 'grammy/types';
import {
  inlineAllowed,
  inlineLink,
  inlineResultId,
  interpretInlineUpdate,
  isDownloadResultId,
  isInlineUpdate,
} from '../../src/telegram/inlineUpdates.js';

const USER = { id: 42, is_bot: false, first_name: 'Ada' };

function inlineQuery(query: string, from: Record<string, unknown> = USER): Update {
  return { update_id: 1, inline_query: { id: 'q1', from, query, offset: '' } } as unknown as Update;
}

function chosen(fields: Record<string, unknown>): Update {
  return {
    update_id: 2,
    chosen_inline_result: {
      result_id: inlineResultId('download', 'https://example.com/v'),
      from: USER,
      query: 'https://example.com/v',
      inline_message_id: 'AAQ1',
      ...fields,
    },
  } as unknown as Update;
}

describe('interpretInlineUpdate inline_query', () => {
  it('reads the link typed after the bot name', () => {
    expect(interpretInlineUpdate(inlineQuery('  https://example.com/watch?v=1 '))).toEqual({
      kind: 'inline-query',
      queryId: 'q1',
      userId: 42,
      link: 'https://example.com/watch?v=1',
    });
  });

  it('adds https to a link typed without its scheme', () => {
    expect(interpretInlineUpdate(inlineQuery('example.com/v/9'))).toMatchObject({ link: 'https://example.com/v/9' });
  });

  it.each([
    ['nothing yet', ''],
    ['words', 'funny cats'],
    ['two links', 'https://a.example/1 https://b.example/2'],
    ['a link after words', 'see https://example.com/v'],
    ['a non-http scheme', 'ftp://example.com/v'],
  ])('answers a query with %s as empty', (_what, text) => {
    expect(interpretInlineUpdate(inlineQuery(text))).toEqual({ kind: 'inline-query-empty', queryId: 'q1', userId: 42 });
  });

  it("carries the sender's language when the bot speaks it", () => {
    expect(interpretInlineUpdate(inlineQuery('https://example.com/v', { ...USER, language_code: 'ru' }))).toMatchObject(
      {
        kind: 'inline-query',
        language: 'ru',
      },
    );
    expect(
      interpretInlineUpdate(inlineQuery('https://example.com/v', { ...USER, language_code: 'en' })),
    ).not.toHaveProperty('language');
  });

  it('ignores a query from a bot or without a sender id', () => {
    expect(interpretInlineUpdate(inlineQuery('https://example.com/v', { ...USER, is_bot: true })).kind).toBe('ignore');
    expect(interpretInlineUpdate(inlineQuery('https://example.com/v', { is_bot: false, first_name: 'X' })).kind).toBe(
      'ignore',
    );
  });
});

describe('interpretInlineUpdate chosen_inline_result', () => {
  it('reads the download result: its inline message and its link', () => {
    expect(interpretInlineUpdate(chosen({}))).toEqual({
      kind: 'inline-chosen',
      resultId: inlineResultId('download', 'https://example.com/v'),
      inlineMessageId: 'AAQ1',
      userId: 42,
      link: 'https://example.com/v',
    });
  });

  it('ignores a cached result (already the media), and one without inline_message_id', () => {
    expect(interpretInlineUpdate(chosen({ result_id: inlineResultId('cached', 'https://example.com/v') }))).toEqual({
      kind: 'ignore',
      reason: 'a cached inline result was sent',
    });
    expect(interpretInlineUpdate(chosen({ inline_message_id: undefined })).kind).toBe('ignore');
    expect(interpretInlineUpdate(chosen({ query: 'no link here' })).kind).toBe('ignore');
  });
});

describe('inline helpers', () => {
  it('tells inline updates from the rest', () => {
    expect(isInlineUpdate(inlineQuery('x'))).toBe(true);
    expect(isInlineUpdate(chosen({}))).toBe(true);
    expect(isInlineUpdate({ update_id: 3, message: { message_id: 1 } } as unknown as Update)).toBe(false);
  });

  it('makes short result ids that say their kind', () => {
    const download = inlineResultId('download', 'https://example.com/' + 'x'.repeat(300));
    expect(Buffer.byteLength(download)).toBeLessThanOrEqual(64);
    expect(isDownloadResultId(download)).toBe(true);
    expect(isDownloadResultId(inlineResultId('cached', 'https://example.com/v'))).toBe(false);
    expect(inlineResultId('download', 'https://a.example/1')).not.toBe(
      inlineResultId('download', 'https://a.example/2'),
    );
  });

  it('refuses an over-long query', () => {
    expect(inlineLink('https://example.com/' + 'x'.repeat(300))).toBeUndefined();
  });

  it('serves inline only a listed sender: a listed group does not cover its members', () => {
    const allowed = new Set([42, -100123]);
    expect(inlineAllowed(allowed, 42)).toBe(true);
    expect(inlineAllowed(allowed, 7)).toBe(false);
    expect(inlineAllowed(undefined, 7)).toBe(true);
  });
});
