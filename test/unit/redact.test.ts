import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, temporalLoggerFrom } from '../../src/logger.js';
import { redactSecrets, registerSecret } from '../../shared/redact.js';
import { fakeBotToken, TEST_API_ROOT } from '../support/fakeSecrets.js';

const TOKEN = fakeBotToken();
const SECRET_PART = 'ABCdefGHIjklMNOpqrSTUvwxYZ0123456789';

describe('redactSecrets', () => {
  it('removes the token from a Bot API method URL and keeps the method', () => {
    const text = `request to ${TEST_API_ROOT}/bot${TOKEN}/sendVideo failed`;
    expect(redactSecrets(text)).toBe(`request to ${TEST_API_ROOT}/bot<redacted>/sendVideo failed`);
  });

  it('removes the token from a Bot API file URL and keeps the /file/ prefix', () => {
    const text = `GET ${TEST_API_ROOT}/file/bot${TOKEN}/videos/file_1.mp4`;
    expect(redactSecrets(text)).toBe(`GET ${TEST_API_ROOT}/file/bot<redacted>/videos/file_1.mp4`);
  });

  it('removes a short-secret token from a Bot API path too', () => {
    expect(redactSecrets('http://127.0.0.1:8081/bot42:abc/getMe')).toBe('http://127.0.0.1:8081/bot<redacted>/getMe');
  });

  it('removes a bare token that stands alone in the text', () => {
    const redacted = redactSecrets(`token=${TOKEN}; retrying`);
    expect(redacted).not.toContain(SECRET_PART);
    expect(redacted).toBe('token=<redacted>; retrying');
  });

  it('removes every occurrence, not only the first', () => {
    const redacted = redactSecrets(`/bot${TOKEN}/a and /bot${TOKEN}/b and ${TOKEN}`);
    expect(redacted).not.toContain(SECRET_PART);
  });

  it('leaves text without secrets unchanged', () => {
    const text = 'Download of https://example.com/watch?v=12345:67 failed at 10:30';
    expect(redactSecrets(text)).toBe(text);
  });

  it('removes a registered secret wherever it appears', () => {
    registerSecret('webhook_secret_value-1');
    expect(redactSecrets('header X-Telegram-Bot-Api-Secret-Token: webhook_secret_value-1 rejected')).toBe(
      'header X-Telegram-Bot-Api-Secret-Token: <redacted> rejected',
    );
  });

  it('removes a registered token even where no pattern would find it', () => {
    registerSecret('987654:shortsecret');
    expect(redactSecrets('x987654:shortsecretx')).toBe('x<redacted>x');
  });

  it('ignores secrets shorter than six characters, which would redact ordinary words', () => {
    registerSecret('abc');
    registerSecret(undefined);
    registerSecret('');
    expect(redactSecrets('abc abcdef')).toBe('abc abcdef');
  });
});

describe('createLogger', () => {
  it('creates a logger at the requested level', () => {
    expect(createLogger('debug').level).toBe('debug');
  });

  it('names the logger media-bot unless told otherwise', () => {
    expect(createLogger('info').bindings()).toMatchObject({ name: 'media-bot' });
    expect(createLogger('info', 'worker').bindings()).toMatchObject({ name: 'worker' });
  });

  it('rejects a level pino does not know', () => {
    expect(() => createLogger('verbose')).toThrow();
  });
});

describe('temporalLoggerFrom', () => {
  /** A pino logger writing JSON lines into `lines`. */
  function capturingLogger(level = 'trace') {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { logger: pino({ level }, destination), lines };
  }

  it.each([
    ['trace', 'TRACE', 10],
    ['debug', 'DEBUG', 20],
    ['info', 'INFO', 30],
    ['warn', 'WARN', 40],
    ['error', 'ERROR', 50],
  ] as const)('writes a Temporal %s message at the pino %s level', (method, _level, pinoLevel) => {
    const { logger, lines } = capturingLogger();
    temporalLoggerFrom(logger)[method]('hello', { workflowId: 'wf-1' });
    expect(lines).toEqual([expect.objectContaining({ level: pinoLevel, msg: 'hello', workflowId: 'wf-1' })]);
  });

  it('writes log(level, …) at the matching pino level', () => {
    const { logger, lines } = capturingLogger();
    temporalLoggerFrom(logger).log('WARN', 'careful');
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'careful' })]);
  });

  it('respects the level of the pino logger', () => {
    const { logger, lines } = capturingLogger('info');
    temporalLoggerFrom(logger).debug('not shown');
    expect(lines).toEqual([]);
  });
});

describe('createLogger output', () => {
  const TOKEN = fakeBotToken('987654321');

  function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { lines, stream };
  }

  class UploadError extends Error {
    override name = 'UploadError';
  }

  it('logs an error with its class name and a redacted message and stack', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', 'test', stream);
    logger.error({ err: new UploadError(`request to ${TEST_API_ROOT}/bot${TOKEN}/sendVideo failed`) }, 'upload failed');
    const err = lines[0]!.err as Record<string, string>;
    expect(err.type).toBe('UploadError');
    expect(err.message).toContain('/bot<redacted>/sendVideo');
    expect(JSON.stringify(lines[0])).not.toContain(TOKEN.split(':')[1]);
    expect(lines[0]!.msg).toBe('upload failed');
  });

  it('logs an error passed alone under err, with its message as the log message', () => {
    const { lines, stream } = capture();
    createLogger('info', 'test', stream).error(new UploadError(`token ${TOKEN} leaked`));
    expect(lines[0]).toMatchObject({ err: { type: 'UploadError' }, msg: 'token <redacted> leaked' });
  });

  // Found by test/e2e/secretLeaks.test.ts: grammy's HttpError keeps node-fetch's error (whose
  // message is the request URL) in `error`; pino serialized it on its own prototype, which the
  // redaction skipped, so "long polling stopped" printed the token.
  it("redacts errors nested in an error's fields, as grammy's HttpError nests fetch's", () => {
    const { lines, stream } = capture();
    const fetchError = Object.assign(
      new Error(`request to ${TEST_API_ROOT}/bot${TOKEN}/getUpdates failed, reason: connect ECONNREFUSED`),
      { name: 'FetchError', code: 'ECONNREFUSED' },
    );
    const httpError = Object.assign(new Error("Network request for 'getUpdates' failed!"), {
      name: 'HttpError',
      error: fetchError,
    });
    const aggregate = new AggregateError([fetchError], 'both failed');
    createLogger('info', 'test', stream).fatal({ err: httpError, other: aggregate }, 'long polling stopped');
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain(TOKEN.split(':')[1]);
    expect(lines[0]).toMatchObject({
      err: {
        type: 'Error',
        error: { message: expect.stringContaining('/bot<redacted>/getUpdates'), code: 'ECONNREFUSED' },
      },
      other: { aggregateErrors: [{ message: expect.stringContaining('/bot<redacted>/getUpdates') }] },
    });
  });

  it('keeps dates and redacts a URL-encoded token', () => {
    const { lines, stream } = capture();
    createLogger('info', 'test', stream).info(
      { at: new Date(0), url: `${encodeURIComponent(TEST_API_ROOT)}%2Fbot${TOKEN}%2FgetMe` },
      'x',
    );
    expect(lines[0]!.at).toBe('1970-01-01T00:00:00.000Z');
    expect(String(lines[0]!.url)).not.toContain(TOKEN.split(':')[1]);
  });
});
