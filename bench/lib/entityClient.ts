/**
 * The client side of the entity workflows (ChatSettingsWorkflow, MediaCacheWorkflow,
 * UserQuotaWorkflow) that kept settings, the file_id cache and quotas before the state store did.
 * Nothing in the bot calls them any more (the store replaced them, and the entities still open are
 * migrated by activities/adapters/legacyEntities.ts); bench:entities measures them against the store.
 */
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { mediaCacheId } from '../../activities/adapters/mediaKey.js';
import type { CacheClaim, CachedMedia, MediaKey } from '../../shared/activityTypes.js';
import { PLAIN_CHAT_IDS, type ChatIds } from '../../shared/chatPseudonyms.js';
import {
  CHAT_SETTINGS_WORKFLOW,
  chooseSettingUpdate,
  DEFAULT_SETTINGS,
  settingsQuery,
  type ChatSettings,
  type SettingsChoice,
} from '../../shared/contracts/chatSettings.js';
import {
  claimUpdate,
  completeUpdate,
  evictUpdate,
  MEDIA_CACHE_WORKFLOW,
  releaseUpdate,
} from '../../shared/contracts/mediaCache.js';
import { acquireQuotaUpdate, releaseQuotaUpdate, USER_QUOTA_WORKFLOW } from '../../shared/contracts/userQuota.js';
import type { QuotaDecision, QuotaLimits } from '../../shared/quotaWindow.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { chatSettingsWorkflowId, userQuotaWorkflowId } from '../../shared/workflowIds.js';

export interface EntityClientDeps {
  client: Client;
  /** The bot's numeric id (the token's prefix): file_ids are valid for one bot only. */
  botId: string;
  chats?: ChatIds;
  cacheIdKey?: Buffer;
}

export function createEntityClient({ client, botId, chats = PLAIN_CHAT_IDS, cacheIdKey }: EntityClientDeps) {
  // An entity is created by the first update that needs it, and used as it is afterwards.
  const startEntity = (
    workflowType: typeof MEDIA_CACHE_WORKFLOW | typeof CHAT_SETTINGS_WORKFLOW | typeof USER_QUOTA_WORKFLOW,
    workflowId: string,
  ) =>
    new WithStartWorkflowOperation(workflowType, {
      workflowId,
      taskQueue: TELEGRAM_QUEUE,
      args: [],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  return {
    async getChatSettings(chatId: number): Promise<ChatSettings> {
      try {
        return await client.workflow.getHandle(chatSettingsWorkflowId(chatId, chats)).query(settingsQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return DEFAULT_SETTINGS;
        throw error;
      }
    },

    async chooseChatSetting(input: { chatId: number; choice: SettingsChoice }): Promise<ChatSettings> {
      return client.workflow.executeUpdateWithStart(chooseSettingUpdate, {
        args: [input.choice],
        startWorkflowOperation: startEntity(CHAT_SETTINGS_WORKFLOW, chatSettingsWorkflowId(input.chatId, chats)),
      });
    },

    /** Asks the media's cache entry for its file_ids, or for the right to download it. */
    async claimMedia(input: { key: MediaKey; holder: string }): Promise<CacheClaim> {
      const cacheId = mediaCacheId(input.key, botId, cacheIdKey);
      const answer = await client.workflow.executeUpdateWithStart(claimUpdate, {
        args: [{ holder: input.holder }],
        startWorkflowOperation: startEntity(MEDIA_CACHE_WORKFLOW, cacheId),
      });
      return { ...answer, cacheId } as CacheClaim;
    },

    async completeMedia(input: { cacheId: string; holder: string; media: CachedMedia }): Promise<void> {
      await client.workflow
        .getHandle(input.cacheId)
        .executeUpdate(completeUpdate, { args: [{ holder: input.holder, media: input.media }] });
    },

    async releaseMedia(input: { cacheId: string; holder: string }): Promise<void> {
      await client.workflow.getHandle(input.cacheId).executeUpdate(releaseUpdate, { args: [{ holder: input.holder }] });
    },

    async evictMedia(input: { cacheId: string; fileId: string }): Promise<boolean> {
      return client.workflow.getHandle(input.cacheId).executeUpdate(evictUpdate, { args: [{ fileId: input.fileId }] });
    },

    /**
     * Asks the user's quota entity for a slot for this request (and counts its links), starting
     * the entity when the user has none. Asking again for the same holder is answered the same
     * and counts nothing twice, so a retried attempt is harmless.
     */
    async acquireQuota(input: {
      userId: number;
      holder: string;
      links: number;
      limits: QuotaLimits;
    }): Promise<QuotaDecision> {
      return client.workflow.executeUpdateWithStart(acquireQuotaUpdate, {
        args: [{ holder: input.holder, links: input.links, limits: input.limits }],
        startWorkflowOperation: startEntity(USER_QUOTA_WORKFLOW, userQuotaWorkflowId(input, chats)),
      });
    },

    /** Gives the slot back. An entity that has ended holds nothing: that is a success. */
    async releaseQuota(input: { userId: number; holder: string }): Promise<void> {
      try {
        await client.workflow
          .getHandle(userQuotaWorkflowId(input, chats))
          .executeUpdate(releaseQuotaUpdate, { args: [{ holder: input.holder }] });
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return;
        throw error;
      }
    },
  };
}
