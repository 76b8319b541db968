/**
 * Stub activities for the workflow tier: plain objects with the real activity interfaces that
 * record every call and answer like a healthy bot (Telegram accepts everything, the store grants
 * and has nothing cached, a download yields one video). A test overrides the calls its branch is
 * about, and asserts on what was called, with what, on which queue.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type {
  DownloadActivities,
  HostActivities,
  RequestActivities,
  StoreActivities,
  TelegramActivities,
} from '../../../activities/index.js';
import { applySettingsChoice, DEFAULT_SETTINGS } from '../../../shared/contracts/chatSettings.js';
import type { FailureType } from '../../../shared/failures.js';
import type { CachedMedia, DownloadResult, SentFile } from '../../../shared/activityTypes.js';
import type { QualityOptions } from '../../../shared/qualityChoice.js';

export interface Call {
  activity: string;
  input: unknown;
  taskQueue: string;
  attempt: number;
  local: boolean;
  /** The server's time when the call arrived (time skipped by the test server counts); 0 without a clock. */
  at: number;
}

/** Every call the stubs of one test received, in order. */
export class Calls {
  readonly all: Call[] = [];

  /** `clock`: the server's time (`env.currentTimeMs`), for tests about how long the workflow waited. */
  constructor(readonly clock?: () => Promise<number>) {}

  names(): string[] {
    return this.all.map((call) => call.activity);
  }

  of(activity: string): Call[] {
    return this.all.filter((call) => call.activity === activity);
  }

  /** The inputs of one activity's calls, typed by the caller. */
  inputs<T>(activity: string): T[] {
    return this.of(activity).map((call) => call.input as T);
  }

  /** Every text the bot sent or edited into the chat, in order. */
  texts(): string[] {
    return this.all
      .filter((call) => call.activity === 'sendText' || call.activity === 'editText')
      .map((call) => (call.input as { text: string }).text);
  }

  /** Resolves once `activity` has been called `times` times (polled: the call happens in a worker of this process). */
  async waitFor(activity: string, times = 1, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.of(activity).length < times) {
      if (Date.now() > deadline) throw new Error(`${activity} was not called ${times} time(s); calls: ${this.names()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

type AnyActivities = Record<string, (...args: never[]) => Promise<unknown>>;

/** The same activities, each call recorded in `calls` before it runs. */
export function recorded<T extends AnyActivities>(calls: Calls, activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [activity, run] of Object.entries(activities)) {
    wrapped[activity] = async (...args: never[]) => {
      const { taskQueue, attempt, isLocal } = Context.current().info;
      const call: Call = { activity, input: args[0], taskQueue, attempt, local: isLocal, at: 0 };
      // Recorded before any await: the order of `all` is the order of the calls.
      calls.all.push(call);
      if (calls.clock) call.at = await calls.clock();
      return run(...args);
    };
  }
  return wrapped as T;
}

/** A failure of one of the real types, as the activities raise it (retryable or not as the policies say). */
export function failure(
  type: FailureType,
  message: string,
  options: { details?: unknown[]; nextRetryDelay?: string } = {},
) {
  return ApplicationFailure.create({ type, message, ...options });
}

/** An activity that heartbeats until it is cancelled (a long download or upload), then rethrows the cancel. */
export async function runUntilCancelled(): Promise<never> {
  const context = Context.current();
  for (;;) {
    context.heartbeat();
    await context.sleep(50);
  }
}

export const VIDEO_FILE_ID = 'file-id-video';

export function sentVideo(fileId = VIDEO_FILE_ID): SentFile {
  return { fileId, fileUniqueId: `unique-${fileId}`, kind: 'video' };
}

export function cachedVideo(title = 'A cached clip'): CachedMedia {
  return { files: [sentVideo('file-id-cached')], album: false, availableItems: 1, title };
}

/** What downloadMedia returns: one video (or `items` of an album) in a request dir of `hostQueue`. */
export function downloaded(hostQueue: string, options: { items?: number; available?: number } = {}): DownloadResult {
  const items = options.items ?? 1;
  const dir = `/data/downloads/${hostQueue}-request`;
  return {
    hostQueue,
    dir,
    files: Array.from({ length: items }, (_, index) => ({
      path: `${dir}/clip-${index + 1}.mp4`,
      fileName: `clip-${index + 1}.mp4`,
      sizeBytes: 45_000,
      kind: 'video' as const,
      title: 'A clip',
    })),
    album: items > 1 || options.available !== undefined,
    availableItems: options.available ?? items,
    title: 'A clip',
  };
}

/** The telegram worker's activities: the Bot API calls, the state store, and the running requests for /cancel. */
export function telegramQueue(
  calls: Calls,
  overrides: {
    telegram?: Partial<TelegramActivities>;
    store?: Partial<StoreActivities>;
    requests?: Partial<RequestActivities>;
  } = {},
): TelegramActivities & StoreActivities & RequestActivities {
  let messageIds = 1000;
  const telegram: TelegramActivities = {
    sendText: async () => ({ messageId: ++messageIds }),
    editText: async () => true,
    deleteMessage: async () => undefined,
    reactToMessage: async () => undefined,
    answerButton: async () => undefined,
    showSettings: async () => ({ messageId: ++messageIds }),
    redrawSettings: async () => undefined,
    isChatAdmin: async () => true,
    showQualityPicker: async () => true,
    sendCachedMedia: async (input) => ({
      messageIds: input.media.files.map(() => ++messageIds),
      files: input.media.files,
    }),
    ...overrides.telegram,
  };
  const store: StoreActivities = {
    admitRequest: async () => ({ decision: { granted: true }, settings: DEFAULT_SETTINGS }),
    releaseQuotaSlot: async () => undefined,
    readChatSettings: async () => DEFAULT_SETTINGS,
    saveChatSetting: async ({ choice }) => applySettingsChoice(DEFAULT_SETTINGS, choice),
    peekCachedMedia: async () => undefined,
    claimCachedMedia: async () => ({ status: 'lease', cacheId: 'cache-1' }),
    completeCachedMedia: async () => undefined,
    releaseCachedMedia: async () => undefined,
    evictCachedMedia: async () => true,
    ...overrides.store,
  };
  const requests: RequestActivities = {
    findRunningRequests: async () => [],
    cancelRequests: async () => undefined,
    ...overrides.requests,
  };
  return recorded(calls, { ...telegram, ...store, ...requests });
}

/**
 * The downloads worker: downloadMedia yields one video on `hostQueue` unless overridden; the
 * picker's probe finds 1080p, 720p and 360p, audio and the file (as a served HLS master would).
 */
export function downloadsQueue(
  calls: Calls,
  downloadMedia?: DownloadActivities['downloadMedia'],
  overrides?: Partial<DownloadActivities>,
): DownloadActivities;
export function downloadsQueue(
  calls: Calls,
  hostQueue: string,
  overrides?: Partial<DownloadActivities>,
): DownloadActivities;
export function downloadsQueue(
  calls: Calls,
  behaviour: string | DownloadActivities['downloadMedia'] = 'host-a',
  overrides: Partial<DownloadActivities> = {},
): DownloadActivities {
  const downloadMedia: DownloadActivities['downloadMedia'] =
    typeof behaviour === 'string' ? async () => downloaded(behaviour) : behaviour;
  return recorded(calls, { downloadMedia, listQualities: async () => PROBED_QUALITIES, ...overrides });
}

export const PROBED_QUALITIES: QualityOptions = {
  title: 'A clip',
  options: [
    { choice: { kind: 'video', height: 1080 }, estimatedBytes: 9_000_000 },
    { choice: { kind: 'video', height: 720 }, estimatedBytes: 4_000_000 },
    { choice: { kind: 'video', height: 360 }, estimatedBytes: 1_000_000 },
    { choice: { kind: 'audio' }, estimatedBytes: 300_000 },
    { choice: { kind: 'document' }, estimatedBytes: 9_000_000 },
  ],
};

/** A download host's worker: the upload (Telegram answers with one file_id per file) and the cleanup. */
export function hostQueue(calls: Calls, overrides: Partial<HostActivities> = {}): HostActivities {
  return recorded(calls, {
    sendMedia: async (input) => ({
      messageIds: input.files.map((_, index) => 2000 + index),
      files: input.files.map((_, index) => sentVideo(index === 0 ? VIDEO_FILE_ID : `${VIDEO_FILE_ID}-${index + 1}`)),
    }),
    cleanup: async () => true,
    ...overrides,
  });
}
