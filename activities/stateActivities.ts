import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  CHAT_SETTINGS_WORKFLOW,
  chooseSettingUpdate,
  DEFAULT_SETTINGS,
  settingsQuery,
  type ChatSettings,
  type SettingsChoice,
} from '../shared/contracts/chatSettings.js';
import {
  claimUpdate,
  completeUpdate,
  evictUpdate,
  MEDIA_CACHE_WORKFLOW,
  releaseUpdate,
} from '../shared/contracts/mediaCache.js';
import type { QuotaDecision, QuotaLimits } from '../shared/quotaWindow.js';
import { acquireQuotaUpdate, releaseQuotaUpdate, USER_QUOTA_WORKFLOW } from '../shared/contracts/userQuota.js';
import { TELEGRAM_QUEUE } from '../shared/taskQueues.js';
import type { CacheClaim, CachedMedia, MediaKey } from '../shared/activityTypes.js';
import { PLAIN_CHAT_IDS, type ChatIds } from '../shared/chatPseudonyms.js';
import {
  chatSettingsWorkflowId,
  mediaRequestIdPrefix,
  mediaRequestWorkflowId,
  userQuotaWorkflowId,
} from '../shared/workflowIds.js';
import { MEDIA_REQUEST_WORKFLOW, requesterQuery } from '../shared/contracts/mediaRequest.js';
import { mediaCacheId } from './adapters/mediaKey.js';

export interface StateActivityDeps {
  client: Client;
  /** The bot's numeric id (the token's prefix): file_ids are valid for one bot only. */
  botId: string;
  /** How ids name a chat: its id, or with payload encryption its pseudonym (default: its id). */
  chats?: ChatIds;
  /** With payload encryption: cache ids are keyed hashes, so a guessed link cannot be confirmed. */
  cacheIdKey?: Buffer;
}

/**
 * Per-chat settings and the file_id cache, kept in Temporal entity workflows (ChatSettingsWorkflow,
 * MediaCacheWorkflow): durable on the embedded server's SQLite and on any cluster, shared by every
 * worker on every host, with nothing more to install. These activities are their client.
 */
export function createStateActivities({ client, botId, chats = PLAIN_CHAT_IDS, cacheIdKey }: StateActivityDeps) {
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

    /**
     * The chat's running media requests (one, when the message is known) and who asked for each.
     */
    async findRunningRequests(input: {
      chatId: number;
      requestMessageId?: number;
    }): Promise<Array<{ workflowId: string; requesterId?: number }>> {
      const ids: string[] = [];
      if (input.requestMessageId !== undefined) {
        ids.push(mediaRequestWorkflowId({ chatId: input.chatId, messageId: input.requestMessageId }, chats));
      } else {
        const query = `WorkflowType = '${MEDIA_REQUEST_WORKFLOW}' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${mediaRequestIdPrefix(input.chatId, chats)}'`;
        for await (const run of client.workflow.list({ query })) ids.push(run.workflowId);
      }
      const running: Array<{ workflowId: string; requesterId?: number }> = [];
      for (const workflowId of ids) {
        const handle = client.workflow.getHandle(workflowId);
        try {
          if ((await handle.describe()).status.name !== 'RUNNING') continue;
          running.push({ workflowId, requesterId: await handle.query(requesterQuery) });
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) continue;
          throw error;
        }
      }
      return running;
    },

    async cancelRequests(input: { workflowIds: string[] }): Promise<void> {
      for (const workflowId of input.workflowIds) await client.workflow.getHandle(workflowId).cancel();
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

export type StateActivities = ReturnType<typeof createStateActivities>;
