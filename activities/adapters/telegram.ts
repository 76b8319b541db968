import type { Language } from '../../shared/i18n/languages.js';
import { translate } from '../../shared/i18n/translate.js';
import { Api, GrammyError, HttpError } from 'grammy';
import type { Message } from 'grammy/types';
import type { FileKind, SentFile, SentMedia } from '../../shared/activityTypes.js';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../shared/failures.js';
import { typedFailure } from '../failure.js';

/** A Bot API client for `token` at `apiRoot` (the cloud API, a local Bot API server, or an emulator). */
export function createBotApi(token: string, apiRoot: string): Api {
  // Bounded below Temporal's timeouts would be wrong for 50 MB uploads; Temporal's cancellation
  // signal (passed to every call) is what stops a call that outlives its activity.
  return new Api(token, { apiRoot, timeoutSeconds: 600 });
}

const CHAT_GONE = [
  /chat not found/i,
  /user is deactivated/i,
  /bot is not a member/i,
  /bot was kicked/i,
  /have no rights to send/i,
  /not enough rights/i,
  /CHAT_WRITE_FORBIDDEN/,
  /PEER_ID_INVALID/,
  /TOPIC_CLOSED/,
];

/**
 * Maps what the Bot API (through grammY) threw to the project's failure types, at one place:
 * 429 waits exactly `retry_after`; a blocked bot or a vanished chat is final; 5xx and network
 * errors are transient; any other 4xx is a request Telegram will never accept.
 */
export function toTelegramFailure(error: unknown, method: string): Error {
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) return error;
  if (error instanceof GrammyError) {
    const what = `Telegram ${method}: ${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      const retryAfter = Math.max(1, error.parameters.retry_after ?? 1);
      return typedFailure(FailureType.TelegramRateLimited, what, {
        nextRetryDelay: `${retryAfter} seconds`,
        details: [{ retryAfterSeconds: retryAfter }],
      });
    }
    if (
      error.error_code === 403 ||
      (error.error_code === 400 && CHAT_GONE.some((pattern) => pattern.test(error.description)))
    ) {
      return typedFailure(FailureType.ChatUnavailable, what);
    }
    if (error.error_code === 400 && /wrong file identifier|wrong remote file|FILE_REFERENCE/i.test(error.description)) {
      return typedFailure(FailureType.StaleFileId, what);
    }
    if (error.error_code === 413 || /too big|entity too large/i.test(error.description)) {
      return typedFailure(FailureType.FileTooLarge, what);
    }
    if (error.error_code >= 500) return typedFailure(FailureType.TransientNetwork, what);
    return typedFailure(FailureType.TelegramBadRequest, what);
  }
  if (error instanceof HttpError) {
    return typedFailure(FailureType.TransientNetwork, `Telegram ${method}: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return typedFailure(FailureType.TransientNetwork, `Telegram ${method}: ${message}`);
}

/** Runs one Bot API call and turns its failure into a typed one. */
export async function callTelegram<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toTelegramFailure(error, method);
  }
}

/** True for a Bot API 400 whose description matches: lets edits and deletes be idempotent. */
/**
 * What a failed edit means: true when the message already reads so ("not modified"), false when
 * it is gone (deleted, or an unknown id); any other error becomes the typed Telegram failure.
 */
export function editFailureOutcome(error: unknown, method: string): boolean {
  if (isBadRequest(error, /message is not modified/i)) return true;
  if (isBadRequest(error, /message to edit not found|MESSAGE_ID_INVALID/i)) return false;
  throw toTelegramFailure(error, method);
}

export function isBadRequest(error: unknown, description: RegExp): boolean {
  return error instanceof GrammyError && error.error_code === 400 && description.test(error.description);
}

type GrammySignal = Parameters<Api['getMe']>[0];

/** Node's AbortSignal, typed as the one grammY's Node build declares (the same object at run time). */
export function grammySignal(signal: AbortSignal): GrammySignal {
  return signal as unknown as GrammySignal;
}

/** The file_ids of what a send returned: how Telegram will know this media from now on. */
export function sentFilesOf(message: Message): SentFile[] {
  // A photo comes back in several sizes, each with its own file_id: the largest (last) is the one re-sent.
  if ('photo' in message && message.photo && message.photo.length > 0) {
    const largest = message.photo.at(-1)!;
    return [{ fileId: largest.file_id, fileUniqueId: largest.file_unique_id, kind: 'photo' }];
  }
  // A GIF's message has `document` too (as Telegram shapes it): the animation is what it is.
  if ('animation' in message && message.animation) {
    return [{ fileId: message.animation.file_id, fileUniqueId: message.animation.file_unique_id, kind: 'animation' }];
  }
  if ('video' in message && message.video)
    return [{ fileId: message.video.file_id, fileUniqueId: message.video.file_unique_id, kind: 'video' }];
  if ('audio' in message && message.audio)
    return [{ fileId: message.audio.file_id, fileUniqueId: message.audio.file_unique_id, kind: 'audio' }];
  if ('document' in message && message.document) {
    return [{ fileId: message.document.file_id, fileUniqueId: message.document.file_unique_id, kind: 'document' }];
  }
  return [];
}

const ALBUM_SIZE = 10;

/**
 * Which kinds Telegram lets share an album: photos and videos mix, documents and audio files
 * only group with their own kind (sendMediaGroup refuses the rest with a 400). An animation has
 * no place in an album at all (sendMediaGroup has no InputMedia for it): it always goes alone.
 */
function albumFamily(kind: FileKind): 'visual' | 'audio' | 'document' | 'alone' {
  if (kind === 'animation') return 'alone';
  return kind === 'video' || kind === 'photo' ? 'visual' : kind;
}

/**
 * Cuts items into what can go out together: consecutive runs of one album family, each run in
 * groups of at most 10, order kept. A group of one is meant for the single-item method.
 */
export function albumGroups<T extends { kind: FileKind }>(items: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const item of items) {
    const run = runs.at(-1);
    const family = albumFamily(item.kind);
    if (run && family !== 'alone' && albumFamily(run[0]!.kind) === family) run.push(item);
    else runs.push([item]);
  }
  return runs.flatMap((run) => {
    const groups: T[][] = [];
    for (let start = 0; start < run.length; start += ALBUM_SIZE) groups.push(run.slice(start, start + ALBUM_SIZE));
    return groups;
  });
}

/** The caption of part `index` (from 1) of `count`: the media's caption above it on the first. */
export function partCaption(index: number, count: number, caption: string | undefined, language?: Language): string {
  // "1/3" is one placeable, so a right-to-left caption keeps it in this order.
  const part = translate(language, 'part-caption', { part: `${index}/${count}` });
  return index === 1 && caption ? `${caption}\n${part}` : part;
}

/**
 * Sends a request's media as {@link albumGroups} cuts it: each group with `sendMediaGroup`, a
 * lone item on its own (the Bot API wants 2 to 10 per group), the caption under the first.
 * Returns what Telegram now knows.
 */
export async function sendAsAlbums<T extends { kind: FileKind }>(
  items: readonly T[],
  caption: string | undefined,
  send: {
    one: (item: T, caption?: string) => Promise<Message>;
    group: (items: T[], caption?: string) => Promise<Message[]>;
  },
  options: { parts?: boolean; language?: Language } = {},
): Promise<SentMedia> {
  const sent: Message[] = [];
  // The parts of a video split to fit the limit: each on its own, in order, each saying which it is.
  if (options.parts) {
    for (const [index, item] of items.entries())
      sent.push(await send.one(item, partCaption(index + 1, items.length, caption, options.language)));
    return { messageIds: sent.map((message) => message.message_id), files: sent.flatMap(sentFilesOf) };
  }
  for (const [index, group] of albumGroups(items).entries()) {
    const groupCaption = index === 0 ? caption : undefined;
    if (group.length === 1) sent.push(await send.one(group[0]!, groupCaption));
    else sent.push(...(await send.group(group, groupCaption)));
  }
  return { messageIds: sent.map((message) => message.message_id), files: sent.flatMap(sentFilesOf) };
}
