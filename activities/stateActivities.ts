import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ChatSettingsWorkflow, chooseSettingUpdate, DEFAULT_SETTINGS, settingsQuery } from '../workflows/chatSettings.js';
import { claimUpdate, completeUpdate, evictUpdate, MediaCacheWorkflow, releaseUpdate } from '../workflows/mediaCache.js';
import { TELEGRAM_QUEUE } from '../workflows/policies.js';
import type { CacheClaim, CachedMedia, ChatSettings, MediaKey, SettingsChoice } from '../workflows/types.js';
import { mediaRequestWorkflowId } from '../src/temporal/workflowIds.js';
import { requesterQuery } from '../workflows/mediaRequest.js';
import { mediaCacheId } from './adapters/mediaKey.js';

export interface StateActivityDeps {
  client: Client;
  /** The bot's numeric id (the token's prefix): file_ids are valid for one bot only. */
  botId: string;
}

export function chatSettingsWorkflowId(chatId: number): string {
  return `chat-settings-${chatId}`;
}

/**
 * Per-chat settings and the file_id cache, kept in Temporal entity workflows (ChatSettingsWorkflow,
 * MediaCacheWorkflow): durable on the embedded server's SQLite and on any cluster, shared by every
 * worker on every host, with nothing more to install. These activities are their client.
 */
export function createStateActivities({ client, botId }: StateActivityDeps) {
  // An entity is created by the first update that needs it, and used as it is afterwards.
  const startEntity = (workflow: typeof MediaCacheWorkflow | typeof ChatSettingsWorkflow, workflowId: string) =>
    new WithStartWorkflowOperation(workflow, { workflowId, taskQueue: TELEGRAM_QUEUE, args: [], workflowIdConflictPolicy: 'USE_EXISTING' });

  return {
    async getChatSettings(chatId: number): Promise<ChatSettings> {
      try {
        return await client.workflow.getHandle(chatSettingsWorkflowId(chatId)).query(settingsQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return DEFAULT_SETTINGS;
        throw error;
      }
    },

    async chooseChatSetting(input: { chatId: number; choice: SettingsChoice }): Promise<ChatSettings> {
      return client.workflow.executeUpdateWithStart(chooseSettingUpdate, {
        args: [input.choice],
        startWorkflowOperation: startEntity(ChatSettingsWorkflow, chatSettingsWorkflowId(input.chatId)),
      });
    },

    /** Asks the media's cache entry for its file_ids, or for the right to download it. */
    async claimMedia(input: { key: MediaKey; holder: string }): Promise<CacheClaim> {
      const cacheId = mediaCacheId(input.key, botId);
      const answer = await client.workflow.executeUpdateWithStart(claimUpdate, {
        args: [{ holder: input.holder }],
        startWorkflowOperation: startEntity(MediaCacheWorkflow, cacheId),
      });
      return { ...answer, cacheId } as CacheClaim;
    },

    async completeMedia(input: { cacheId: string; holder: string; media: CachedMedia }): Promise<void> {
      await client.workflow.getHandle(input.cacheId).executeUpdate(completeUpdate, { args: [{ holder: input.holder, media: input.media }] });
    },

    async releaseMedia(input: { cacheId: string; holder: string }): Promise<void> {
      await client.workflow.getHandle(input.cacheId).executeUpdate(releaseUpdate, { args: [{ holder: input.holder }] });
    },

    /**
     * The chat's running media requests (one, when the message is known) and who asked for each.
     */
    async findRunningRequests(input: { chatId: number; requestMessageId?: number }): Promise<Array<{ workflowId: string; requesterId?: number }>> {
      const ids: string[] = [];
      if (input.requestMessageId !== undefined) {
        ids.push(mediaRequestWorkflowId({ chatId: input.chatId, messageId: input.requestMessageId }));
      } else {
        const query = `WorkflowType = 'MediaRequestWorkflow' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${mediaRequestWorkflowId({ chatId: input.chatId, messageId: 0 }).replace(/0$/, '')}'`;
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
  };
}

export type StateActivities = ReturnType<typeof createStateActivities>;
