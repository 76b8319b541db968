import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  CHAT_SETTINGS_WORKFLOW,
  retireSettingsSignal,
  settingsQuery,
  type ChatSettings,
} from '../../shared/contracts/chatSettings.js';
import { cacheStateQuery, MEDIA_CACHE_WORKFLOW, retireCacheSignal } from '../../shared/contracts/mediaCache.js';
import type { CachedMedia } from '../../shared/activityTypes.js';

/** How often a process counts again whether entities from before the store are still open. */
const RECOUNT_MS = 60 * 60 * 1000;

/**
 * The ChatSettingsWorkflow and MediaCacheWorkflow entities that kept settings and file_ids before
 * the state store did. A chat or media the store does not know yet is looked up there, copied into
 * the store and the entity retired, so an upgrade loses no setting and no cached file. Looked up
 * only while such entities may exist: a count of the open ones at start (and hourly) tells; a
 * deployment that never had them never asks.
 */
export interface LegacyEntities {
  settings(workflowId: string): Promise<ChatSettings | undefined>;
  cachedMedia(cacheId: string): Promise<CachedMedia | undefined>;
  /** The store holds what the entity held: it may end. */
  retire(workflowId: string): Promise<void>;
}

export async function createLegacyEntities(client: Client, now: () => number = Date.now): Promise<LegacyEntities> {
  const open = { [CHAT_SETTINGS_WORKFLOW]: true, [MEDIA_CACHE_WORKFLOW]: true };
  let countedAt = -Infinity;
  const recount = async () => {
    if (now() - countedAt < RECOUNT_MS) return;
    countedAt = now();
    for (const type of Object.keys(open) as Array<keyof typeof open>) {
      // Unknown (Temporal did not answer): keep looking them up.
      open[type] = await client.workflow
        .count(`WorkflowType = '${type}' AND ExecutionStatus = 'Running'`)
        .then(({ count }) => count > 0)
        .catch(() => true);
    }
  };
  await recount();

  /** The entity's answer; undefined when there is no such entity (or it no longer runs). */
  const ask = async <T>(
    type: keyof typeof open,
    workflowId: string,
    query: Parameters<ReturnType<Client['workflow']['getHandle']>['query']>[0],
  ) => {
    await recount();
    if (!open[type]) return undefined;
    try {
      return (await client.workflow.getHandle(workflowId).query(query)) as T;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  };

  return {
    settings: (workflowId) => ask<ChatSettings>(CHAT_SETTINGS_WORKFLOW, workflowId, settingsQuery),
    async cachedMedia(cacheId) {
      return (await ask<{ media?: CachedMedia }>(MEDIA_CACHE_WORKFLOW, cacheId, cacheStateQuery))?.media;
    },
    async retire(workflowId) {
      // Both entity types name their ending signal `retire`; one that has ended meanwhile is fine.
      await client.workflow
        .getHandle(workflowId)
        .signal(workflowId.startsWith('media-cache-') ? retireCacheSignal : retireSettingsSignal)
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
    },
  };
}
