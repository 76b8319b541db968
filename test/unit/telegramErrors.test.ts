import { ApplicationFailure, CancelledFailure, type Duration } from '@temporalio/common';
import { GrammyError, HttpError } from 'grammy';
import { isBadRequest, toTelegramFailure } from '../../activities/adapters/telegram.js';
import { FailureType } from '../../shared/failures.js';
import { fakeBotToken, TEST_API_ROOT } from '../support/fakeSecrets.js';

const TOKEN = fakeBotToken('123456');
const TOKEN_URL = `${TEST_API_ROOT}/bot${TOKEN}/sendVideo`;

/** What grammY throws when the Bot API answers `ok: false`. */
function grammyError(error_code: number, description: string, parameters?: { retry_after?: number }): GrammyError {
  return new GrammyError(
    "Call to 'sendVideo' failed!",
    { ok: false, error_code, description, parameters },
    'sendVideo',
    {
      chat_id: 42,
    },
  );
}

function failureOf(error: unknown): ApplicationFailure {
  const failure = toTelegramFailure(error, 'sendVideo');
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure as ApplicationFailure;
}

/** A Temporal Duration in milliseconds, for the forms this project writes ("7 seconds", "500ms", a number). */
function durationMs(duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  if (typeof duration === 'number') return duration;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)$/i.exec(
    String(duration).trim(),
  );
  if (!match?.[1] || !match[2]) throw new Error(`unexpected duration ${String(duration)}`);
  const value = Number(match[1]);
  const unit = match[2].toLowerCase();
  if (unit.startsWith('ms') || unit.startsWith('milli')) return value;
  if (unit.startsWith('m')) return value * 60_000;
  return value * 1000;
}

describe('toTelegramFailure with Bot API errors', () => {
  it('turns a 429 with retry_after 7 into a retryable TelegramRateLimited failure that waits 7 seconds', () => {
    const failure = failureOf(grammyError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }));
    expect(failure.type).toBe(FailureType.TelegramRateLimited);
    expect(failure.nonRetryable).toBe(false);
    expect(durationMs(failure.nextRetryDelay)).toBe(7_000);
    expect(failure.details).toEqual([{ retryAfterSeconds: 7 }]);
  });

  it('waits at least one second after a 429 without retry_after', () => {
    const failure = failureOf(grammyError(429, 'Too Many Requests'));
    expect(failure.type).toBe(FailureType.TelegramRateLimited);
    expect(durationMs(failure.nextRetryDelay)).toBe(1_000);
  });

  it('turns a 403 from a user who blocked the bot into a final ChatUnavailable failure', () => {
    const failure = failureOf(grammyError(403, 'Forbidden: bot was blocked by the user'));
    expect(failure.type).toBe(FailureType.ChatUnavailable);
    expect(failure.nonRetryable).toBe(true);
  });

  it('turns a 400 "chat not found" into ChatUnavailable', () => {
    const failure = failureOf(grammyError(400, 'Bad Request: chat not found'));
    expect(failure.type).toBe(FailureType.ChatUnavailable);
    expect(failure.nonRetryable).toBe(true);
  });

  it('turns a 413 into a final FileTooLarge failure', () => {
    const failure = failureOf(grammyError(413, 'Request Entity Too Large'));
    expect(failure.type).toBe(FailureType.FileTooLarge);
    expect(failure.nonRetryable).toBe(true);
  });

  it('turns a 400 "file is too big" into FileTooLarge', () => {
    expect(failureOf(grammyError(400, 'Bad Request: file is too big')).type).toBe(FailureType.FileTooLarge);
  });

  it('turns a rejected file_id into a final StaleFileId failure, so the cache entry is evicted', () => {
    const failure = failureOf(grammyError(400, 'Bad Request: wrong file identifier/HTTP URL specified'));
    expect(failure.type).toBe(FailureType.StaleFileId);
    expect(failure.nonRetryable).toBe(true);
  });

  it('turns any other 400 into a final TelegramBadRequest failure', () => {
    const failure = failureOf(grammyError(400, 'Bad Request: message text is empty'));
    expect(failure.type).toBe(FailureType.TelegramBadRequest);
    expect(failure.nonRetryable).toBe(true);
  });

  it('turns a 502 into a retryable TransientNetwork failure', () => {
    const failure = failureOf(grammyError(502, 'Bad Gateway'));
    expect(failure.type).toBe(FailureType.TransientNetwork);
    expect(failure.nonRetryable).toBe(false);
  });

  it('names the method, the code and the description in the message', () => {
    expect(failureOf(grammyError(400, 'Bad Request: message is not modified')).message).toBe(
      'Telegram sendVideo: 400 Bad Request: message is not modified',
    );
  });

  it('attaches no vendor error as cause', () => {
    expect(failureOf(grammyError(502, 'Bad Gateway')).cause).toBeUndefined();
  });
});

describe('toTelegramFailure with network errors', () => {
  // grammY's toHttpError appends the cause's message (which quotes the URL) when sensitive logs are on.
  const cause = new Error(`request to ${TOKEN_URL} failed, reason: socket hang up`);
  const httpError = new HttpError(`Network request for 'sendVideo' failed! ${cause.message}`, cause);

  it('turns an HttpError into a retryable TransientNetwork failure', () => {
    const failure = failureOf(httpError);
    expect(failure.type).toBe(FailureType.TransientNetwork);
    expect(failure.nonRetryable).toBe(false);
  });

  it('keeps the bot token out of the failure built from an HttpError quoting the Bot API URL', () => {
    const failure = failureOf(httpError);
    expect(failure.message).toContain('sendVideo');
    expect(failure.message).not.toContain(TOKEN);
    expect(failure.message).not.toContain('ABCdefGHIjklMNOpqrSTUvwxYZ0123456789');
    expect(JSON.stringify(failure.details ?? [])).not.toContain(TOKEN);
    expect(failure.cause).toBeUndefined();
  });

  it('turns an unknown thrown value into TransientNetwork without its token', () => {
    const failure = failureOf(new TypeError(`fetch failed for ${TOKEN_URL}`));
    expect(failure.type).toBe(FailureType.TransientNetwork);
    expect(failure.message).not.toContain(TOKEN);
  });

  it('passes an ApplicationFailure through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('already typed', FailureType.ChatUnavailable);
    expect(toTelegramFailure(original, 'sendVideo')).toBe(original);
  });

  it('passes a CancelledFailure through unchanged', () => {
    const cancelled = new CancelledFailure('cancelled');
    expect(toTelegramFailure(cancelled, 'sendVideo')).toBe(cancelled);
  });
});

describe('isBadRequest', () => {
  it('is true for a 400 whose description matches', () => {
    expect(
      isBadRequest(grammyError(400, 'Bad Request: message to delete not found'), /message to delete not found/),
    ).toBe(true);
  });

  it('is false for a 400 whose description does not match', () => {
    expect(isBadRequest(grammyError(400, 'Bad Request: chat not found'), /message to delete not found/)).toBe(false);
  });

  it('is false for another status with a matching description', () => {
    expect(
      isBadRequest(grammyError(403, 'Forbidden: message to delete not found'), /message to delete not found/),
    ).toBe(false);
  });

  it('is false for an error that is not a GrammyError', () => {
    expect(isBadRequest(new Error('Bad Request: message to delete not found'), /message to delete not found/)).toBe(
      false,
    );
  });
});
