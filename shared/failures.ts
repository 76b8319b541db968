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
  /**
   * The bot's shared send budget (per chat, per group, global; activities/adapters/sendBudget.ts)
   * has this send's slot further ahead than an attempt may wait: retried at the slot (`nextRetryDelay`).
   */
  SendBudgetWait: 'SendBudgetWait',
  TransientNetwork: 'TransientNetwork',
  DownloadFailed: 'DownloadFailed',
  /** DATA_DIR had less free space than MIN_FREE_DISK_MB: retried (later, or on another host). */
  InsufficientDiskSpace: 'InsufficientDiskSpace',
  /** The user had too many requests running, or sent too many links in the last hour: refused before anything ran. */
  QuotaExceeded: 'QuotaExceeded',
  /** A clip range that cannot be cut: end before start, equal bounds, malformed, or beyond the media's end. */
  InvalidRange: 'InvalidRange',
  /** gallery-dl downloaded files from a photo post, but none is a picture or media Telegram can show. */
  UnreadablePictures: 'UnreadablePictures',
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
  FailureType.QuotaExceeded,
  FailureType.InvalidRange,
  FailureType.UnreadablePictures,
];

/**
 * Failures that are the link's fault (not media, a site yt-dlp does not know, gone or private):
 * a group may have them answered with a 👎 on the message, or not at all (/settings). Everything
 * else (too large, quota, Telegram, the network) is always said.
 */
export const LINK_FAULT_FAILURES: readonly FailureType[] = [
  FailureType.InvalidUrl,
  FailureType.BlockedAddress,
  FailureType.UnsupportedUrl,
  FailureType.ContentUnavailable,
  FailureType.NoMediaFound,
  FailureType.UnreadablePictures,
];

export function isLinkFault(type: string): boolean {
  return (LINK_FAULT_FAILURES as readonly string[]).includes(type);
}

export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && (Object.values(FailureType) as string[]).includes(value);
}
