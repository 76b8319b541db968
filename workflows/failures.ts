/**
 * The failure types every activity reports through `ApplicationFailure.type`. Retry policies
 * name the non-retryable ones by these strings, so they never depend on class names.
 * Pure constants: imported by workflows (sandboxed) and activities alike.
 */
export const FailureType = {
  InvalidUrl: 'InvalidUrl',
  BlockedAddress: 'BlockedAddress',
  UnsupportedUrl: 'UnsupportedUrl',
  ContentUnavailable: 'ContentUnavailable',
  NoMediaFound: 'NoMediaFound',
  FileTooLarge: 'FileTooLarge',
  ChatUnavailable: 'ChatUnavailable',
  TelegramBadRequest: 'TelegramBadRequest',
  /** A cached file_id Telegram no longer accepts: evict it and download again. */
  StaleFileId: 'StaleFileId',
  TelegramRateLimited: 'TelegramRateLimited',
  TransientNetwork: 'TransientNetwork',
  DownloadFailed: 'DownloadFailed',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failures that no retry can fix: the link, the content or the chat is the problem. */
export const NON_RETRYABLE_FAILURES: readonly FailureType[] = [
  FailureType.InvalidUrl,
  FailureType.BlockedAddress,
  FailureType.UnsupportedUrl,
  FailureType.ContentUnavailable,
  FailureType.NoMediaFound,
  FailureType.FileTooLarge,
  FailureType.ChatUnavailable,
  FailureType.TelegramBadRequest,
  FailureType.StaleFileId,
];

export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && (Object.values(FailureType) as string[]).includes(value);
}
