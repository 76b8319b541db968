/**
 * A cancel while PlaylistWorkflow lists its playlist, on the local dev server (the real server: how
 * it delivers a cancel to a running activity and what it does with the activity's failure after
 * it; the time-skipping server retries such a failure and times the run out instead).
 */
import { PlaylistWorkflow } from '../../workflows/index.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { FailureType } from '../../shared/failures.js';
import type { PlaylistInput, PlaylistListing } from '../../shared/contracts/playlist.js';
import { CLOUD_UPLOAD_LIMIT, USER_ID } from './support/inputs.js';
import { endedCancelled } from './support/runs.js';
import { Calls, failure, recorded, runUntilCancelled, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('local');

function playlist(): PlaylistInput {
  return {
    chatId: 4242,
    messageId: 10,
    userId: USER_ID,
    link: 'https://media.example/list.html',
    maxItems: 20,
    maxUploadBytes: CLOUD_UPLOAD_LIMIT,
    albumCap: 10,
    quota: { concurrentRequests: 2, requestsPerHour: 100 },
  };
}

describe('a cancel while the playlist is listed', () => {
  it('ends it cancelled even when the killed listing fails on its own, with "Cancelled" and nothing started', async () => {
    const calls = new Calls();
    let killed = false;
    const cancelled = await tier.withWorkers(
      {
        telegram: telegramQueue(calls),
        downloads: recorded(calls, {
          listPlaylist: async (): Promise<PlaylistListing> => {
            try {
              return await runUntilCancelled();
            } catch {
              // What a killed yt-dlp makes of it: a failure, not a cancel.
              killed = true;
              throw failure(FailureType.DownloadFailed, 'yt-dlp ended early');
            }
          },
        }),
      },
      async () => {
        const handle = await tier.client.workflow.start(PlaylistWorkflow, {
          taskQueue: TELEGRAM_QUEUE,
          workflowId: tier.uniqueId('playlist'),
          args: [playlist()],
        });
        await calls.waitFor('listPlaylist');
        await handle.cancel();
        // The listing saw the cancel and failed its own way.
        while (!killed) await new Promise((resolve) => setTimeout(resolve, 20));
        return endedCancelled(handle.result());
      },
    );
    expect(cancelled).toBe(true);
    expect(calls.texts()).toEqual(['⏳ Got it, reading the playlist…', '🚫 Cancelled.']);
    expect(calls.of('admitRequest')).toHaveLength(0);
  });
});
