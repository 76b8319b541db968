/**
 * What an operator filters runs by in the Web UI and `npm run ops`: the chat, the media host,
 * how the request ended and why it failed. The embedded server registers them at start; a
 * production cluster needs them created once (docs/operating.md, "Search attributes on a production cluster").
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ChatIdAttribute = defineSearchAttributeKey('ChatId', SearchAttributeType.INT);
export const MediaHostAttribute = defineSearchAttributeKey('MediaHost', SearchAttributeType.KEYWORD);
/** delivered | cached | failed | cancelled (empty while running). */
export const RequestOutcomeAttribute = defineSearchAttributeKey('RequestOutcome', SearchAttributeType.KEYWORD);
export const FailureTypeAttribute = defineSearchAttributeKey('FailureType', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  ChatIdAttribute,
  MediaHostAttribute,
  RequestOutcomeAttribute,
  FailureTypeAttribute,
] as const;

/** How a request ended: the RequestOutcome search attribute, and the metrics' `outcome` label. */
export type RequestOutcome = 'delivered' | 'cached' | 'failed' | 'cancelled' | 'ignored';

/** `temporal` CLI type names, for `--search-attribute Name=Type` and `operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<string, string> = {
  ChatId: 'Int',
  MediaHost: 'Keyword',
  RequestOutcome: 'Keyword',
  FailureType: 'Keyword',
};

/** The host people know a link by: lower case, without "www.". */
export function mediaHostOf(link: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(link);
  const host = (match?.[1] ?? '').toLowerCase();
  return host.startsWith('www.') ? host.slice(4) : host || 'unknown';
}
