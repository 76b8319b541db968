import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { sha256 } from '../support/mediaFixtures.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  // A host that does not pick up its upload within 2 s counts as gone.
  stack = await startTestStack({ HOST_QUEUE_TIMEOUT_SECONDS: '2' }, { downloadWorkers: false });
});

afterAll(async () => {
  await stack?.stop();
});

/** Resolves once the workflow has scheduled an activity of this type (read from its history). */
async function waitForScheduled(workflowId: string, activityType: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const history = await stack.client.workflow
      .getHandle(workflowId)
      .fetchHistory()
      .catch(() => undefined);
    const scheduled = history?.events?.some(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
    );
    if (scheduled) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${activityType} was not scheduled within ${timeoutMs} ms`);
}

describe('a download host that disappears before the upload', () => {
  it('is noticed by the schedule-to-start timeout, and the media is downloaded again on another host and delivered once', async () => {
    // Host A downloads, but nothing polls its host queue: its process "died" after the download.
    const hostA = await stack.startDownloadWorkers({ runHostQueue: false });
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    expect((await stack.post(update)).statusCode).toBe(200);
    const workflowId = mediaRequestWorkflowId({
      chatId: update.message!.chat.id,
      messageId: update.message!.message_id,
    });
    await waitForScheduled(workflowId, 'sendMedia');
    await hostA.stop();

    const hostB = await stack.startDownloadWorkers();
    const result = await stack.client.workflow.getHandle(workflowId).result();
    expect(result).toMatchObject({ outcome: 'delivered' });

    const videos = stack.emulator.callsTo('sendVideo');
    expect(videos).toHaveLength(1);
    expect(videos[0]!.files[0]!.sha256).toBe(await sha256(stack.fixtures.video));
    const downloads = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events!.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadMedia',
    );
    expect(downloads).toHaveLength(2);
    const sends = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events!.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendMedia',
    );
    expect(sends.map((event) => event.activityTaskScheduledEventAttributes!.taskQueue!.name)).toEqual([
      hostA.hostQueue,
      hostB.hostQueue,
    ]);
    // Host B cleaned up its own copy; host A's stays for its sweep when a worker starts there again.
    expect(await readdir(path.join(stack.dataDir, 'downloads'))).toHaveLength(1);
  });
});
