/**
 * What a request tells about itself while it runs and after it ended (the `status` query, the
 * Web UI's current details, the RequestOutcome attribute), the album cap note on galleries served
 * without a download, and a /cancel during the upload. On the real stack: the Temporal dev
 * server, the real workers and webhook, yt-dlp downloading from loopback servers, the Bot API
 * emulator.
 */
import { stat } from 'node:fs/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workflowMetadataQuery } from '@temporalio/workflow';
import type { Update } from 'grammy/types';
import { createStoreActivities, createTelegramActivities } from '../../activities/index.js';
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { WorkflowStarter } from '../../src/temporal/starter.js';
import { mediaRequestWorkflowId, userQuotaWorkflowId } from '../../shared/workflowIds.js';
import { botIdOf } from '../../src/worker/workers.js';
import type { QuotaState } from '../../shared/quotaWindow.js';
import { activityNames } from '../support/histories.js';
import { downloadProgressSignal, statusQuery, type RequestStatus } from '../../shared/contracts/mediaRequest.js';
import { RequestOutcomeAttribute } from '../../shared/searchAttributes.js';
import { createFetchFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { startSlowServer } from '../support/slowServer.js';
import { CHAT_ID, startTestStack, workflowBundle, type TestStack, requestIdOf as idOf } from '../support/stack.js';
import { eventually } from './support/operations.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

function handleOf(update: Update): WorkflowHandle {
  return stack.client.workflow.getHandle(idOf(update));
}

/** The Web UI's "current details" of a run: what setCurrentDetails last set. */
async function currentDetails(handle: WorkflowHandle): Promise<string> {
  return (await handle.query(workflowMetadataQuery)).currentDetails ?? '';
}

async function outcomeAttribute(handle: WorkflowHandle): Promise<string | undefined> {
  const description = await handle.describe();
  return description.typedSearchAttributes.getAll().find((pair) => pair.key.name === RequestOutcomeAttribute.name)
    ?.value as string | undefined;
}

describe('the status of a running download', () => {
  it('shows phase, bytes and the attempt in the status query and the current details, and clears them when the run moves on', async () => {
    // Tried: a download the media host throttles so that the clip takes ~15 s, queried until the
    // download's progress signal has arrived, then cancelled.
    const size = (await stat(stack.fixtures.video)).size;
    const slow = await startSlowServer(stack.fixtures.video, Math.ceil(size / 15));
    try {
      const update = stack.linkUpdate(slow.url('status.mp4'));
      await stack.post(update);
      const handle = handleOf(update);
      const running = await eventually(
        async () => {
          const status = await handle.query(statusQuery).catch(() => undefined);
          return status?.progress?.downloadedBytes ? status : undefined;
        },
        30_000,
        'a status with downloaded bytes',
      );
      expect(running).toMatchObject<Partial<RequestStatus>>({
        phase: 'downloading',
        link: 1,
        links: 1,
        downloadRounds: 1,
        attempt: 1,
      });
      expect(running.progress).toMatchObject({ phase: 'downloading', downloadedBytes: expect.any(Number) });
      expect(running.progress!.downloadedBytes).toBeGreaterThan(0);
      expect(running.progress!.downloadedBytes).toBeLessThan(size);
      if (running.progress!.totalBytes !== undefined) expect(running.progress!.percent).toBeLessThan(100);

      // The Web UI shows the same progress: a second line with the bytes downloaded so far.
      const details = await currentDetails(handle);
      expect(details).toMatch(/^\*\*downloading\*\*\n\ndownloading \d+(\.\d)? (bytes|KB)/);

      await handle.cancel();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      const ended = await handle.query(statusQuery);
      expect(ended).toMatchObject({ phase: 'cancelled' });
      expect(ended.progress).toBeUndefined();
      expect(ended.attempt).toBeUndefined();
      expect(await currentDetails(handle)).toBe('**cancelled**');
    } finally {
      await slow.close();
    }
  });
});

describe('a progress report that comes after its download ended', () => {
  it('is ignored: the uploading run shows no download progress', async () => {
    // Tried: a late report signalled by the test itself while the upload is held 3 s (a report
    // the download sent just before it returned can reach the workflow after the result).
    stack.emulator.delayNext('sendVideo', 3_000);
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'));
    await stack.post(update);
    const handle = handleOf(update);
    await eventually(
      async () => ((await handle.query(statusQuery).catch(() => undefined))?.phase === 'uploading' ? true : undefined),
      30_000,
      'the upload',
    );

    await handle.signal(downloadProgressSignal, {
      phase: 'downloading',
      downloadedBytes: 1_000,
      totalBytes: 2_000,
      attempt: 1,
    });
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ phase: 'uploading', downloadRounds: 1 });
    expect(status.progress).toBeUndefined();
    expect(status.attempt).toBeUndefined();
    expect(await currentDetails(handle)).toBe('**uploading**');
    await expect(handle.result()).resolves.toMatchObject({ outcome: 'delivered' });
  });
});

describe('the status of a failed run', () => {
  it('has the last error when the request fails before any link (the bot is blocked at the acknowledgement)', async () => {
    // Tried: a chat that blocked the bot, so the "⏳" acknowledgement fails with ChatUnavailable.
    const chatId = 9_301;
    stack.emulator.blockChat(chatId);
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId });
    await stack.post(update);
    const handle = handleOf(update);
    const error = await handle.result().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ phase: 'failed', lastError: expect.stringMatching(/^ChatUnavailable: .*403/) });
    expect(await currentDetails(handle)).toContain('last error: ChatUnavailable');
    expect(stack.media.requestsFor('clip.mp4')).toBe(0);
  });

  it('has the last error when a link fails', async () => {
    // Tried: a link the media host answers 404.
    stack.media.always('status-missing.mp4', 404);
    const update = stack.linkUpdate(stack.mediaUrl('status-missing.mp4'));
    await stack.post(update);
    const handle = handleOf(update);
    await handle.result().catch(() => undefined);
    expect(await handle.query(statusQuery)).toMatchObject({
      phase: 'failed',
      lastError: expect.stringMatching(/^ContentUnavailable: /),
    });
  });
});

describe('a run cancelled before its quota slot was granted', () => {
  it('ends with RequestOutcome=cancelled and gives the slot back', async () => {
    // Tried: a run started on a task queue nobody polls yet and cancelled there, so its first
    // workflow task finds it cancelled while it asks for the slot; then a worker picks it up,
    // with the activities a telegram worker runs locally (the state store, the Bot API).
    const taskQueue = 'request-status-unpolled';
    const workflowId = `request-status-cancelled-at-quota-${Date.now()}`;
    const user = 9_302;
    const handle = await stack.client.workflow.start('MediaRequestWorkflow', {
      taskQueue,
      workflowId,
      args: [
        {
          chatId: user,
          userId: user,
          messageId: 1,
          links: [stack.mediaUrl('clip.mp4')],
          maxUploadBytes: 50 * 1024 * 1024,
          albumCap: 10,
          quota: stack.config.quota,
          policies: stack.config.policies,
        },
      ],
    });
    await handle.cancel();
    const store = await openStateStore({ dataDir: stack.dataDir });
    try {
      const activities = {
        ...createStoreActivities({ store, client: stack.client, botId: botIdOf(stack.config.telegram.token) }),
        ...createTelegramActivities({ api: createBotApi(stack.config.telegram.token, stack.config.telegram.apiRoot) }),
      };
      const worker = await Worker.create({
        connection: stack.env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities,
      });
      await worker.runUntil(handle.result().catch((reason: unknown) => reason));

      const error = await handle.result().catch((reason: unknown) => reason);
      expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
      expect(await outcomeAttribute(handle)).toBe('cancelled');
      const ran = activityNames((await handle.fetchHistory()).events!);
      // Nothing but asking for the slot and giving it back ran.
      expect(ran.at(-1)).toBe('releaseQuotaSlot');
      expect(ran.filter((name) => name !== 'admitRequest' && name !== 'releaseQuotaSlot')).toEqual([]);
      expect(stack.media.requestsFor('clip.mp4')).toBe(0);
      const quota = await store.read<QuotaState>('user_quota', userQuotaWorkflowId({ userId: user }));
      expect(quota?.running ?? []).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('the album cap note', () => {
  let pages: MediaServer;
  let nextMessage = 70_000;

  beforeAll(async () => {
    pages = await startMediaServer((await createFetchFixtures()).dir);
    const videos = Array.from({ length: 12 }, (_, i) => `<video src="tiny.mp4?n=${i + 1}" controls></video>`).join(
      '\n',
    );
    pages.page('gallery.html', `<!doctype html><html><head><title>Gallery</title></head><body>${videos}</body></html>`);
  });

  afterAll(async () => {
    await pages?.close();
  });

  /** Starts a request the way the webhook does, album cap 10. */
  async function request(link: string, chatId = CHAT_ID): Promise<{ workflowId: string; messageId: number }> {
    const messageId = nextMessage++;
    await new WorkflowStarter(stack.client).startMediaRequest({
      chatId,
      messageId,
      links: [link],
      maxUploadBytes: 50 * 1024 * 1024,
      albumCap: 10,
      policies: stack.config.policies,
    });
    return { workflowId: mediaRequestWorkflowId({ chatId, messageId }), messageId };
  }

  function capNotesReplyingTo(messageId: number): unknown[] {
    return stack.emulator
      .callsTo('sendMessage')
      .filter(
        (call) =>
          call.params.text === 'ℹ️ This gallery has 12 items; I sent the first 10.' &&
          (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id === messageId,
      );
  }

  it('is sent for a gallery served from the media cache, as for the download', async () => {
    // Tried: the same 12-video gallery twice; the second is sent by file_id without a download.
    const link = `${pages.url('gallery.html')}?cap=cached`;
    const first = await request(link);
    await expect(stack.client.workflow.getHandle(first.workflowId).result()).resolves.toMatchObject({
      links: [{ outcome: 'delivered', items: 10 }],
    });
    expect(capNotesReplyingTo(first.messageId)).toHaveLength(1);

    const second = await request(link);
    await expect(stack.client.workflow.getHandle(second.workflowId).result()).resolves.toMatchObject({
      outcome: 'cached',
      links: [{ outcome: 'cached', items: 10 }],
    });
    expect(capNotesReplyingTo(second.messageId)).toHaveLength(1);
    const history = await stack.client.workflow.getHandle(second.workflowId).fetchHistory();
    expect(
      history.events!.some(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'downloadMedia',
      ),
    ).toBe(false);
  });

  it('is sent to both chats when one waited for the other’s download', async () => {
    // Tried: two chats asking for the same gallery at once: one downloads, the other waits for it.
    const link = `${pages.url('gallery.html')}?cap=together`;
    const [a, b] = await Promise.all([request(link, 7_301), request(link, 7_302)]);
    const results = await Promise.all(
      [a!, b!].map(({ workflowId }) => stack.client.workflow.getHandle(workflowId).result()),
    );
    expect(results.map((result) => result.outcome).sort()).toEqual(['cached', 'delivered']);
    expect(capNotesReplyingTo(a!.messageId)).toHaveLength(1);
    expect(capNotesReplyingTo(b!.messageId)).toHaveLength(1);
  });
});

describe('a /cancel during the upload', () => {
  it('never says "Cancelled" and then delivers: Telegram already had the whole file, so the run ends delivered', async () => {
    // Tried: the emulator holds sendVideo 4 s after reading the whole upload (as a Bot API server
    // busy with a big file); /cancel arrives meanwhile. The "Uploading…" status has no Cancel button.
    const chatId = 9_303;
    stack.emulator.delayNext('sendVideo', 4_000);
    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId });
    await stack.post(update);
    await eventually(
      async () => stack.emulator.calls.find((call) => call.method === 'sendVideo' && call.files.length > 0),
      30_000,
      'the upload to be read whole',
    );

    await stack.post(stack.linkUpdate('', { chatId, text: '/cancel' }));
    await stack.emulator.waitFor(
      (call) => call.method === 'sendMessage' && call.params.text === '🚫 Cancelling…',
      20_000,
    );
    const result = await handleOf(update).result();
    expect(result).toMatchObject({ outcome: 'delivered' });

    const videos = stack.emulator.callsTo('sendVideo').filter((call) => !call.failed);
    expect(videos).toHaveLength(1);
    const cancelledShown = stack.emulator
      .callsTo('editMessageText')
      .filter((call) => call.params.text === '🚫 Cancelled.');
    expect(cancelledShown).toHaveLength(0);
    // Delivered like any other request: the status message is gone, the cache knows the media.
    const texts = stack.emulator.messagesIn(chatId).map((message) => ('text' in message ? message.text : undefined));
    expect(texts).not.toContain('📤 Uploading…');
    const uploading = stack.emulator.callsTo('editMessageText').find((call) => call.params.text === '📤 Uploading…');
    expect(uploading).toBeDefined();
    expect(uploading!.params.reply_markup).toBeUndefined();
    expect(await outcomeAttribute(handleOf(update))).toBe('delivered');
  });
});
