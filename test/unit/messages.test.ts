import { FailureType } from '../../shared/failures.js';
import { MAX_LINKS_PER_MESSAGE } from '../../src/telegram/updates.js';
import { failureMessage, formatBytes, HELP_TEXT } from '../../shared/botTexts.js';

const URL_SENT = 'https://example.com/watch?v=1';
const LIMIT = 52_428_800;
const ALL_TYPES = Object.values(FailureType);

describe('failureMessage', () => {
  it('covers the seventeen failure types', () => {
    expect(ALL_TYPES).toHaveLength(17);
  });

  describe.each(ALL_TYPES)('for %s', (type) => {
    const message = failureMessage({ type, url: URL_SENT, sizeBytes: 80 * 1024 * 1024, limitBytes: LIMIT });

    it('starts with ❌', () => {
      expect(message.startsWith('❌')).toBe(true);
    });

    it('does not say "Error"', () => {
      expect(message).not.toMatch(/error/i);
    });

    it('shows no stack trace, exception name or failure type', () => {
      expect(message).not.toMatch(/\n\s+at |Exception|Failure/);
      expect(message).not.toContain(type);
    });

    it('quotes no HTTP status code', () => {
      expect(message).not.toMatch(/\b[1-5]\d\d\b/);
    });
  });

  it('gives each failure that a person can act on its own sentence', () => {
    const specific = ALL_TYPES.filter(
      (type) =>
        !['ChatUnavailable', 'TelegramRateLimited', 'SendBudgetWait', 'TransientNetwork', 'DownloadFailed'].includes(
          type,
        ),
    );
    const messages = specific.map((type) => failureMessage({ type, url: URL_SENT, limitBytes: LIMIT }));
    expect(new Set(messages).size).toBe(specific.length);
  });

  it('quotes the link it could not understand', () => {
    expect(failureMessage({ type: FailureType.InvalidUrl, url: 'htp:/broken', limitBytes: LIMIT })).toContain(
      'htp:/broken',
    );
  });

  it('names the size and the limit of a file that is too large in human units', () => {
    const message = failureMessage({
      type: FailureType.FileTooLarge,
      url: URL_SENT,
      sizeBytes: 80 * 1024 * 1024,
      limitBytes: LIMIT,
    });
    expect(message).toContain('80 MB');
    expect(message).toContain('50 MB');
    expect(message).not.toContain(String(LIMIT));
  });

  it('names the limit when the size of a too-large file is unknown', () => {
    const message = failureMessage({ type: FailureType.FileTooLarge, url: URL_SENT, limitBytes: LIMIT });
    expect(message).toContain('50 MB');
    expect(message).not.toContain('undefined');
  });

  it('answers an unknown type with the generic try-again sentence', () => {
    expect(failureMessage({ type: 'SomethingNew', url: URL_SENT, limitBytes: LIMIT })).toBe(
      failureMessage({ type: FailureType.TransientNetwork, url: URL_SENT, limitBytes: LIMIT }),
    );
  });
});

describe('HELP_TEXT', () => {
  // The commands src/telegram/updates.ts acts on; /start answers with this same text.
  it.each(['/audio <link>', '/clip <link>', '/playlist <link>', '/cancel', '/settings', '/help'])(
    'lists %s at the start of a line',
    (command) => {
      expect(HELP_TEXT.split('\n').some((line) => line.startsWith(`${command} `))).toBe(true);
    },
  );

  it('says how many links one message may hold, the number the update parser keeps', () => {
    expect(HELP_TEXT).toContain(`Up to ${MAX_LINKS_PER_MESSAGE} links in one message`);
  });

  it('tells that /cancel can aim at one request by replying to it or to the status message', () => {
    expect(HELP_TEXT).toMatch(/\/cancel .*reply to a link or to my ⏳ message/);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [512, '512 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [52_428_800, '50 MB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
    [2 * 1024 ** 4, '2048 GB'],
  ])('writes %d bytes as "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatBytes at unit boundaries', () => {
  it('moves up a unit instead of printing 1024.0', () => {
    expect(formatBytes(1_048_575)).toBe('1.0 MB');
    expect(formatBytes(1_048_576)).toBe('1 MB');
  });
});
