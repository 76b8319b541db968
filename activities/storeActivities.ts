import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  applySettingsChoice,
  DEFAULT_SETTINGS,
  isGroupChat,
  type ChatSettings,
  type SettingsChoice,
} from '../shared/contracts/chatSettings.js';
import { mediaSettledSignal } from '../shared/contracts/mediaCache.js';
import {
  claimEntry,
  completeEntry,
  emptyCacheState,
  evictEntry,
  releaseEntry,
  type MediaCacheState,
} from '../shared/mediaCacheState.js';
import {
  applyLivenessCheck,
  decideQuota,
  emptyQuotaState,
  holdersToCheckAtLimit,
  isIdle,
  QUOTA_WINDOW_MS,
  RECHECK_AT_LIMIT_MS,
  releaseSlot,
  type QuotaDecision,
  type QuotaLimits,
  type QuotaState,
} from '../shared/quotaWindow.js';
import type { CacheClaim, CachedMedia, MediaKey } from '../shared/activityTypes.js';
import { PLAIN_CHAT_IDS, type ChatIds } from '../shared/chatPseudonyms.js';
import { chatSettingsWorkflowId, userQuotaWorkflowId } from '../shared/workflowIds.js';
import type { LegacyEntities } from './adapters/legacyEntities.js';
import { mediaCacheId } from './adapters/mediaKey.js';
import type { NextRow, StateStore } from './adapters/stateStore.js';

export interface StoreActivityDeps {
  store: StateStore;
  /** Tells the requests waiting for a download how it ended, and checks that quota holders still run. */
  client: Client;
  /** The bot's numeric id (the token's prefix): file_ids are valid for one bot only. */
  botId: string;
  chats?: ChatIds;
  cacheIdKey?: Buffer;
  /** Settings and file_ids of the entities from before the store, copied on first use. */
  legacy?: LegacyEntities;
}

/** A cache entry unused for this long is forgotten. */
export const CACHE_IDLE_MS = 30 * 24 * 60 * 60 * 1000;
/** A slot whose holder was never released (a run an operator terminated) is forgotten after this, at the latest. */
const SLOT_KEPT_MS = 24 * 60 * 60 * 1000;

/** Nothing running and nothing in the hour: no row. Else kept until its last slot or link could matter. */
function quotaRow(state: QuotaState): NextRow<QuotaState> {
  if (isIdle(state)) return null;
  const until = Math.max(
    ...state.recent.map((recent) => recent.at + QUOTA_WINDOW_MS),
    ...state.running.map((running) => running.since + SLOT_KEPT_MS),
  );
  return { value: state, expiresAt: until };
}

const cacheRow = (state: MediaCacheState, now: number): NextRow<MediaCacheState> => ({
  value: state,
  expiresAt: now + CACHE_IDLE_MS,
});

/**
 * The media cache, the users' quotas and the chats' settings, kept in the state store
 * (activities/adapters/stateStore.ts). The workflow calls these as local activities: they run in
 * the telegram worker that runs the workflow task, and cost Temporal a marker in the history,
 * no task dispatch and no entity workflow.
 */
export function createStoreActivities({
  store,
  client,
  botId,
  chats = PLAIN_CHAT_IDS,
  cacheIdKey,
  legacy,
}: StoreActivityDeps) {
  /** Whether the run of this workflow id still runs; a passing error counts as running (its slot is not freed on a guess). */
  const isRunning = async (workflowId: string): Promise<boolean> => {
    try {
      return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (error) {
      return !(error instanceof WorkflowNotFoundError);
    }
  };

  async function acquireSlot(
    userKey: string,
    ask: { holder: string; links: number; limits: QuotaLimits },
  ): Promise<QuotaDecision> {
    const first = await store.update<QuotaState, { decision: QuotaDecision; toCheck: string[] }>(
      'user_quota',
      userKey,
      (current, now) => {
        const { decision, state } = decideQuota(current ?? emptyQuotaState(), ask, now);
        const atLimit = !decision.granted && decision.reason === 'concurrent';
        return {
          next: quotaRow(state),
          result: { decision, toCheck: atLimit ? holdersToCheckAtLimit(state, now, RECHECK_AT_LIMIT_MS) : [] },
        };
      },
    );
    if (first.toCheck.length === 0) return first.decision;
    // Before saying no: a request terminated by an operator never released its slot.
    const checked = await Promise.all(
      first.toCheck.map(async (holder) => ({ holder, running: await isRunning(holder) })),
    );
    return store.update<QuotaState, QuotaDecision>('user_quota', userKey, (current, now) => {
      const { decision, state } = decideQuota(applyLivenessCheck(current ?? emptyQuotaState(), checked, now), ask, now);
      return { next: quotaRow(state), result: decision };
    });
  }

  /** The chat's settings, copied from its entity the first time when it had one. */
  async function settingsOf(chatId: number): Promise<ChatSettings> {
    const key = chatSettingsWorkflowId(chatId, chats);
    const stored = await store.read<ChatSettings>('chat_settings', key);
    if (stored) return stored;
    const old = await legacy?.settings(key);
    if (!old) return DEFAULT_SETTINGS;
    // A choice saved meanwhile wins over the entity's older settings.
    const settings = await store.update<ChatSettings, ChatSettings>('chat_settings', key, (current) =>
      current ? { next: 'unchanged', result: current } : { next: { value: old }, result: old },
    );
    await legacy?.retire(key);
    return settings;
  }

  /** Copies a media's file_ids from its entity when the store has no entry for it yet. */
  async function adoptLegacyMedia(cacheId: string): Promise<void> {
    if (!legacy || (await store.read('media_cache', cacheId))) return;
    const media = await legacy.cachedMedia(cacheId);
    if (!media) return;
    await store.update<MediaCacheState, void>('media_cache', cacheId, (current, now) => ({
      next: current ? 'unchanged' : cacheRow({ ...emptyCacheState(), media }, now),
      result: undefined,
    }));
    await legacy.retire(cacheId);
  }

  /** Tells the requests that waited for a download how it ended; one that has ended meanwhile is fine. */
  async function settleWaiters(waiters: string[] | undefined, cacheId: string, media?: CachedMedia): Promise<void> {
    await Promise.all(
      (waiters ?? []).map((waiter) =>
        client.workflow
          .getHandle(waiter)
          .signal(mediaSettledSignal, { cacheId, media })
          .catch(() => undefined),
      ),
    );
  }

  return {
    /**
     * The start of a request: a quota slot for it (when it has limits; asking again for the same
     * holder counts nothing twice) and its chat's settings, in one local activity.
     *
     * Links not asked for (`explicit: false`: a link alone in a group) in a chat that answers only
     * links asked for are `ignored`: no slot is taken and the quota counts nothing.
     */
    async admitRequest(input: {
      chatId: number;
      userId: number;
      holder: string;
      links: number;
      limits?: QuotaLimits;
      explicit?: boolean;
    }): Promise<{ decision: QuotaDecision; settings: ChatSettings; ignored?: true }> {
      if (input.explicit === false) {
        const settings = await settingsOf(input.chatId);
        if (settings.links === 'asked' && isGroupChat(input.chatId))
          return { decision: { granted: true }, settings, ignored: true };
      }
      const decision = input.limits
        ? await acquireSlot(userQuotaWorkflowId(input, chats), {
            holder: input.holder,
            links: input.links,
            limits: input.limits,
          })
        : ({ granted: true } as const);
      return { decision, settings: decision.granted ? await settingsOf(input.chatId) : DEFAULT_SETTINGS };
    },

    /** Gives the slot back (its links stay counted for the hour). */
    async releaseQuotaSlot(input: { userId: number; holder: string }): Promise<void> {
      await store.update<QuotaState, void>('user_quota', userQuotaWorkflowId(input, chats), (current) =>
        current
          ? { next: quotaRow(releaseSlot(current, input.holder)), result: undefined }
          : { next: 'unchanged', result: undefined },
      );
    },

    async readChatSettings(chatId: number): Promise<ChatSettings> {
      return settingsOf(chatId);
    },

    async saveChatSetting(input: { chatId: number; choice: SettingsChoice }): Promise<ChatSettings> {
      const before = await settingsOf(input.chatId);
      return store.update<ChatSettings, ChatSettings>(
        'chat_settings',
        chatSettingsWorkflowId(input.chatId, chats),
        (current) => {
          const settings = applySettingsChoice(current ?? before, input.choice);
          return { next: { value: settings }, result: settings };
        },
      );
    },

    /**
     * The media's file_ids when the cache has them, without a lease or a place in a queue: an
     * inline query only looks (a person typing a link must not reserve its download).
     */
    async peekCachedMedia(input: { key: MediaKey }): Promise<CachedMedia | undefined> {
      const cacheId = mediaCacheId(input.key, botId, cacheIdKey);
      await adoptLegacyMedia(cacheId);
      const state = await store.read<MediaCacheState>('media_cache', cacheId);
      return state?.media ?? undefined;
    },

    /** The media's file_ids, or the right to download it (a lease), or a place among those waiting for the download. */
    async claimCachedMedia(input: { key: MediaKey; holder: string }): Promise<CacheClaim> {
      const cacheId = mediaCacheId(input.key, botId, cacheIdKey);
      await adoptLegacyMedia(cacheId);
      const answer = await store.update<MediaCacheState, ReturnType<typeof claimEntry>>(
        'media_cache',
        cacheId,
        (current, now) => {
          const state = current ?? emptyCacheState();
          const claim = claimEntry(state, input.holder, now);
          // A hit keeps the entry another 30 days.
          return { next: cacheRow(state, now), result: claim };
        },
      );
      return { ...answer, cacheId };
    },

    /** The download is in the chat: the entry keeps its file_ids, and whoever waited is sent them. */
    async completeCachedMedia(input: { cacheId: string; holder: string; media: CachedMedia }): Promise<void> {
      const waiters = await store.update<MediaCacheState, string[] | undefined>(
        'media_cache',
        input.cacheId,
        (current, now) => {
          const state = current ?? emptyCacheState();
          const settled = completeEntry(state, input.holder, input.media);
          return { next: settled ? cacheRow(state, now) : 'unchanged', result: settled };
        },
      );
      await settleWaiters(waiters, input.cacheId, input.media);
    },

    /** The download failed or was cancelled: the lease is free, and whoever waited claims again. */
    async releaseCachedMedia(input: { cacheId: string; holder: string }): Promise<void> {
      const waiters = await store.update<MediaCacheState, string[] | undefined>(
        'media_cache',
        input.cacheId,
        (current, now) => {
          if (!current) return { next: 'unchanged', result: undefined };
          const settled = releaseEntry(current, input.holder);
          return { next: settled ? cacheRow(current, now) : 'unchanged', result: settled };
        },
      );
      await settleWaiters(waiters, input.cacheId);
    },

    /** Telegram rejected a cached file_id: the entry forgets it, the next claim downloads again. */
    async evictCachedMedia(input: { cacheId: string; fileId: string }): Promise<boolean> {
      return store.update<MediaCacheState, boolean>('media_cache', input.cacheId, (current, now) => {
        if (!current || !evictEntry(current, input.fileId)) return { next: 'unchanged', result: false };
        return { next: cacheRow(current, now), result: true };
      });
    },
  };
}

export type StoreActivities = ReturnType<typeof createStoreActivities>;
