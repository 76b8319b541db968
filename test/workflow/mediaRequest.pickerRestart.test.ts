/**
 * The picker's wait is a durable timer on the server, not a timer in a worker: a run that showed
 * its picker, then lost every worker (a restart), is replayed from its history by new workers and
 * still takes the press. On the real dev server (its sticky queues hand the run over to the new
 * workers as in production).
 */
import { qualityPressSignal, type QualityPress } from '../../shared/contracts/mediaRequest.js';
import type { ChatSettings } from '../../shared/contracts/chatSettings.js';
import { TELEGRAM_QUEUE } from '../../shared/taskQueues.js';
import { USER_ID, mediaRequest } from './support/inputs.js';
import { Calls, downloadsQueue, hostQueue, telegramQueue } from './support/stubActivities.js';
import { useWorkflowTier } from './support/workflowEnvironment.js';

const tier = useWorkflowTier('local');
const LINK = 'https://media.example/ladder.html';
const ASKING: ChatSettings = { mode: 'video', ask: true };

function queues(calls: Calls) {
  return {
    telegram: telegramQueue(calls, {
      store: { admitRequest: async () => ({ decision: { granted: true }, settings: ASKING }) },
    }),
    downloads: downloadsQueue(calls, 'host-a'),
    hosts: { 'host-a': hostQueue(calls) },
  };
}

describe('the quality picker across a restart', () => {
  it('survives its workers: a press after they were replaced still decides the link', async () => {
    const calls = new Calls();
    const input = mediaRequest([LINK]);
    const workflowId = tier.uniqueId('picker-restart');
    // First workers: the run shows the picker, then they stop (the run waits on the server's timer).
    await tier.withWorkers(queues(calls), async () => {
      await tier.client.workflow.start('MediaRequestWorkflow', {
        taskQueue: TELEGRAM_QUEUE,
        workflowId,
        args: [input],
      });
      await calls.waitFor('showQualityPicker');
    });
    // New workers, with an empty workflow cache: the run is replayed from its history.
    const handle = tier.client.workflow.getHandle(workflowId);
    const result = await tier.withWorkers(queues(calls), async () => {
      await handle.signal(qualityPressSignal, {
        link: 1,
        choice: { kind: 'video', height: 720 },
        userId: USER_ID,
        callbackQueryId: 'press-1',
      } satisfies QualityPress);
      return handle.result();
    });
    expect(result).toMatchObject({ outcome: 'delivered' });
    expect(calls.of('showQualityPicker')).toHaveLength(1);
    expect(calls.inputs<{ mode: string; maxHeight?: number }>('downloadMedia')[0]).toMatchObject({
      mode: 'video',
      maxHeight: 720,
    });
  });
});
