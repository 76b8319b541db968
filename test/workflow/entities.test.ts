/**
 * The entity workflows that kept quotas, the media cache and chat settings before the state store
 * did. New requests no longer start them, but entities started before may still be open (a cache
 * entry lives 30 days unused, a chat's settings until the store retires them), so they keep
 * answering as they did. The time-skipping server: the quota's hour and the cache's 30 days pass
 * at once.
 */
import type { WorkflowHandle, WorkflowStartOptions } from '@temporalio/client';
import { chooseSettingUpdate, retireSettingsSignal, settingsQuery } from '../../shared/contracts/chatSettings.js';
import {
  cacheStateQuery,
  claimUpdate,
  completeUpdate,
  evictUpdate,
  retireCacheSignal,
} from '../../shared/contracts/mediaCache.js';
import { acquireQuotaUpdate, releaseQuotaUpdate } from '../../shared/contracts/userQuota.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { ChatSettingsWorkflow, MediaCacheWorkflow, UserQuotaWorkflow } from '../../workflows/index.js';
import { cachedVideo } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('time-skipping');
const HOUR = 60 * 60 * 1000;

/** How long the run lived, in server time (the test server's clock also jumps to timers of ended runs). */
async function lifetime(handle: WorkflowHandle): Promise<number> {
  await handle.result();
  const { startTime, closeTime } = await handle.describe();
  return closeTime!.getTime() - startTime.getTime();
}

/** Runs this test started; terminated after it, so no timer of theirs fires during the next test. */
let opened: WorkflowHandle[] = [];
afterEach(async () => {
  await Promise.allSettled(opened.map((handle) => handle.terminate()));
  opened = [];
});

/** Runs `body` with the entity `workflow` started, on a worker with no activities (entities run none). */
function withEntity<W extends typeof UserQuotaWorkflow | typeof MediaCacheWorkflow | typeof ChatSettingsWorkflow, T>(
  workflow: W,
  body: (handle: WorkflowHandle<W>) => Promise<T>,
): Promise<T> {
  return tier.withWorkers({ telegram: {} }, async () => {
    // Started empty, as the first update of an entity starts it (its argument is for continue-as-new).
    const options = { taskQueue: TELEGRAM_QUEUE, workflowId: tier.uniqueId(workflow.name), args: [] };
    const handle = await tier.client.workflow.start(workflow, options as unknown as WorkflowStartOptions<W>);
    opened.push(handle);
    return body(handle);
  });
}

/** A run that is still running: what the quota probes a holder for, and what a cache waiter is. */
async function startRunning(workflowId: string) {
  const handle = await tier.client.workflow.start(ChatSettingsWorkflow, {
    taskQueue: TELEGRAM_QUEUE,
    workflowId,
    args: [],
  });
  opened.push(handle);
  return handle;
}

describe('UserQuotaWorkflow', () => {
  it('grants slots up to the concurrent limit, refuses the next, and grants again once one is released', async () => {
    const limits = { concurrentRequests: 2, requestsPerHour: 0 };
    await withEntity(UserQuotaWorkflow, async (quota) => {
      const holders = await Promise.all(['holder-a', 'holder-b'].map((id) => startRunning(tier.uniqueId(id))));
      const ask = (holder: string) => quota.executeUpdate(acquireQuotaUpdate, { args: [{ holder, links: 1, limits }] });

      expect(await ask(holders[0]!.workflowId)).toEqual({ granted: true });
      expect(await ask(holders[1]!.workflowId)).toEqual({ granted: true });
      expect(await ask('holder-c')).toEqual({ granted: false, reason: 'concurrent', running: 2, limit: 2 });
      await quota.executeUpdate(releaseQuotaUpdate, { args: [{ holder: holders[0]!.workflowId }] });
      expect(await ask('holder-c')).toEqual({ granted: true });
    });
  });

  it('frees the slot of a request that ended without giving it back (terminated by an operator)', async () => {
    const limits = { concurrentRequests: 1, requestsPerHour: 0 };
    await withEntity(UserQuotaWorkflow, async (quota) => {
      const ask = (holder: string) => quota.executeUpdate(acquireQuotaUpdate, { args: [{ holder, links: 1, limits }] });
      expect(await ask('a-run-that-no-longer-exists')).toEqual({ granted: true });
      expect(await ask('the-next-request')).toEqual({ granted: true });
    });
  });

  it('refuses links beyond the hourly limit, saying when there is room again, and has room an hour later', async () => {
    const limits = { concurrentRequests: 0, requestsPerHour: 3 };
    await withEntity(UserQuotaWorkflow, async (quota) => {
      // Still running an hour later: the entity has something to keep, and stays.
      const first = await startRunning(tier.uniqueId('first'));
      const ask = (holder: string, links: number) =>
        quota.executeUpdate(acquireQuotaUpdate, { args: [{ holder, links, limits }] });
      expect(await ask(first.workflowId, 3)).toEqual({ granted: true });
      const refusal = await ask('second', 1);
      expect(refusal).toMatchObject({ granted: false, reason: 'hourly', sent: 3, limit: 3 });
      expect((refusal as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(HOUR - 60_000);

      await tier.env.sleep(HOUR);
      expect(await ask('second', 1)).toEqual({ granted: true });
    });
  });

  it('ends once nothing runs and the last hour is empty, so an idle user costs nothing', async () => {
    const limits = { concurrentRequests: 1, requestsPerHour: 10 };
    await withEntity(UserQuotaWorkflow, async (quota) => {
      await quota.executeUpdate(acquireQuotaUpdate, { args: [{ holder: 'only', links: 1, limits }] });
      await quota.executeUpdate(releaseQuotaUpdate, { args: [{ holder: 'only' }] });
      expect(await lifetime(quota)).toBeGreaterThanOrEqual(HOUR);
    });
  });
});

describe('MediaCacheWorkflow', () => {
  const media = cachedVideo();

  it('gives the first claim the lease, makes the next wait, and sends the waiter the file_ids once they are known', async () => {
    await withEntity(MediaCacheWorkflow, async (entry) => {
      const waiter = await startRunning(tier.uniqueId('waiter'));
      expect(await entry.executeUpdate(claimUpdate, { args: [{ holder: 'downloader' }] })).toEqual({
        status: 'lease',
      });
      expect(await entry.executeUpdate(claimUpdate, { args: [{ holder: waiter.workflowId }] })).toEqual({
        status: 'wait',
      });
      await entry.executeUpdate(completeUpdate, { args: [{ holder: 'downloader', media }] });

      expect(await entry.executeUpdate(claimUpdate, { args: [{ holder: 'later' }] })).toEqual({
        status: 'cached',
        media,
      });
      const signals = (await waiter.fetchHistory()).events!.flatMap(
        (event) => event.workflowExecutionSignaledEventAttributes?.signalName ?? [],
      );
      expect(signals).toEqual(['mediaSettled']);
    });
  });

  it('forgets file_ids Telegram no longer accepts: the next claim downloads again', async () => {
    await withEntity(MediaCacheWorkflow, async (entry) => {
      await entry.executeUpdate(claimUpdate, { args: [{ holder: 'downloader' }] });
      await entry.executeUpdate(completeUpdate, { args: [{ holder: 'downloader', media }] });

      expect(await entry.executeUpdate(evictUpdate, { args: [{ fileId: 'another-file-id' }] })).toBe(false);
      expect(await entry.executeUpdate(evictUpdate, { args: [{ fileId: media.files[0]!.fileId }] })).toBe(true);
      expect(await entry.executeUpdate(claimUpdate, { args: [{ holder: 'next' }] })).toEqual({ status: 'lease' });
    });
  });

  it('ends after 30 days unused', async () => {
    await withEntity(MediaCacheWorkflow, async (entry) => {
      await entry.executeUpdate(claimUpdate, { args: [{ holder: 'downloader' }] });
      await entry.executeUpdate(completeUpdate, { args: [{ holder: 'downloader', media }] });
      expect(await lifetime(entry)).toBeGreaterThanOrEqual(30 * 24 * HOUR);
    });
  });

  it('ends when the state store, having copied its file_ids, retires it', async () => {
    await withEntity(MediaCacheWorkflow, async (entry) => {
      await entry.executeUpdate(claimUpdate, { args: [{ holder: 'downloader' }] });
      await entry.executeUpdate(completeUpdate, { args: [{ holder: 'downloader', media }] });
      expect(await entry.query(cacheStateQuery)).toEqual({ media, waiters: [] });

      await entry.signal(retireCacheSignal);
      expect(await lifetime(entry)).toBeLessThan(HOUR);
    });
  });
});

describe('ChatSettingsWorkflow', () => {
  it('applies a choice and answers with the settings, and ends when the state store retires it', async () => {
    await withEntity(ChatSettingsWorkflow, async (chat) => {
      expect(await chat.query(settingsQuery)).toEqual({ mode: 'video' });
      expect(await chat.executeUpdate(chooseSettingUpdate, { args: [{ setting: 'maxHeight', value: 480 }] })).toEqual({
        mode: 'video',
        maxHeight: 480,
      });
      expect(await chat.executeUpdate(chooseSettingUpdate, { args: [{ setting: 'mode', value: 'audio' }] })).toEqual({
        mode: 'audio',
        maxHeight: 480,
      });
      expect(await chat.executeUpdate(chooseSettingUpdate, { args: [{ setting: 'maxHeight', value: null }] })).toEqual({
        mode: 'audio',
      });

      await chat.signal(retireSettingsSignal);
      await chat.result();
    });
  });
});
