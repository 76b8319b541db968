import { ApplicationFailure, type Duration } from '@temporalio/common';
import { redactSecrets } from '../shared/redact.js';
import { NON_RETRYABLE_FAILURES, type FailureType } from '../shared/failures.js';

export interface FailureOptions {
  details?: unknown[];
  /** Overrides the retry policy's backoff for this one retry (Telegram's `retry_after`). */
  nextRetryDelay?: Duration;
}

/**
 * The one way activities fail: a typed ApplicationFailure with a secret-free message and no
 * vendor error attached as cause (library errors can quote URLs that embed the bot token).
 * Whether it is retried follows from the type, so the table in shared/failures.ts decides.
 */
export function typedFailure(type: FailureType, message: string, options: FailureOptions = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: redactSecrets(message),
    nonRetryable: NON_RETRYABLE_FAILURES.includes(type),
    details: options.details,
    nextRetryDelay: options.nextRetryDelay,
  });
}
