import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { mediaRequestWorkflowId } from '../../src/temporal/workflowIds.js';
import { sha256 } from '../support/mediaFixtures.js';
import { CHAT_ID, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

function idOf(update: Update): string {
  return mediaRequestWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });
}

/** A message with several links, each marked as a url entity, as Telegram delivers it. */
function linksUpdate(links: string[], chatId = CHAT_ID): Update {
  const text = links.join(' and ');
  const update = stack.linkUpdate(links[0]!, { text, chatId });
  update.message!.entities = links.map((link) => ({ type: 'url' as const, offset: text.indexOf(link), length: link.length }));
  return update;
}

/** The media files a call uploaded (thumbnails aside). */
function uploadedMedia(call: { files: { fileName: string }[] }): { fileName: string }[] {
  return call.files.filter((file) => file.fileName !== 'thumbnail.jpg');
}

/** How many times a run scheduled this activity, from its history. */
async function scheduled(workflowId: string, activityType: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
}

describe('a message with several links', () => {
  it('handles each link in order, with its own outcome', async () => {
    stack.media.always('missing.mp4', 404);
    const links = [stack.mediaUrl('clip.mp4'), stack.mediaUrl('missing.mp4'), stack.mediaUrl('tone.mp3')];
    const update = linksUpdate(links);
    expect((await stack.post(update)).statusCode).toBe(200);

    const error = await stack.client.workflow.getHandle(idOf(update)).result().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('ContentUnavailable');
    expect((failure.details?.[0] as { links: unknown[] }).links).toEqual([
      { link: links[0], outcome: 'delivered', items: 1 },
      { link: links[1], outcome: 'failed', failureType: 'ContentUnavailable' },
      { link: links[2], outcome: 'delivered', items: 1 },
    ]);

    const order = stack.emulator.calls
      .filter((call) => !call.failed && (['sendVideo', 'sendAudio'].includes(call.method) || (call.method === 'sendMessage' && String(call.params.text).startsWith('❌'))))
      .map((call) => call.method);
    expect(order).toEqual(['sendVideo', 'sendMessage', 'sendAudio']);
    expect(stack.emulator.callsTo('sendMessage').find((call) => String(call.params.text).startsWith('❌'))?.params.text).toContain(links[1]);
  });
});

describe('the file_id cache', () => {
  it('sends the same link again by file_id, without a request to the media host', async () => {
    const link = `${stack.media.url('clip.mp4')}?cache=repeat`;
    const first = stack.linkUpdate(link);
    await stack.post(first);
    await expect(stack.client.workflow.getHandle(idOf(first)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    const uploaded = stack.emulator.callsTo('sendVideo')[0]!;
    const fileId = (uploaded.response as { result: { video: { file_id: string } } }).result.video.file_id;
    const requestsAfterFirst = stack.media.requestsFor('clip.mp4');

    const second = stack.linkUpdate(`${link}#same-media`);
    await stack.post(second);
    await expect(stack.client.workflow.getHandle(idOf(second)).result()).resolves.toMatchObject({ outcome: 'cached' });
    expect(stack.media.requestsFor('clip.mp4')).toBe(requestsAfterFirst);
    expect(await scheduled(idOf(second), 'downloadMedia')).toBe(0);
    const resent = stack.emulator.callsTo('sendVideo')[1]!;
    expect(resent.params.video).toBe(fileId);
    expect(resent.files).toHaveLength(0);
  });

  it('evicts a file_id Telegram rejects and downloads the media again', async () => {
    const link = `${stack.media.url('clip.mp4')}?cache=stale`;
    const first = stack.linkUpdate(link);
    await stack.post(first);
    await stack.client.workflow.getHandle(idOf(first)).result();

    stack.emulator.failNext('sendVideo', { error_code: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' });
    const second = stack.linkUpdate(link);
    await stack.post(second);
    await expect(stack.client.workflow.getHandle(idOf(second)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    const attempts = stack.emulator.callsTo('sendVideo').slice(1);
    expect(attempts.map((call) => ({ failed: call.failed, uploaded: uploadedMedia(call).length }))).toEqual([
      { failed: true, uploaded: 0 },
      { failed: false, uploaded: 1 },
    ]);
    expect(attempts[1]!.files[0]!.sha256).toBe(await sha256(stack.fixtures.video));
    expect(await scheduled(idOf(second), 'downloadMedia')).toBe(1);
  });

  it('downloads once when two chats ask for the same link at the same time, and delivers to both', async () => {
    const link = `${stack.media.url('clip.mp4')}?cache=together`;
    const updates = [linksUpdate([link], 7_001), linksUpdate([link], 7_002)];
    const responses = await Promise.all(updates.map((update) => stack.post(update)));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200]);
    const results = await Promise.all(updates.map((update) => stack.client.workflow.getHandle(idOf(update)).result()));
    expect(results.map((result) => result.outcome).sort()).toEqual(['cached', 'delivered']);

    const downloads = await Promise.all(updates.map((update) => scheduled(idOf(update), 'downloadMedia')));
    expect(downloads.reduce((sum, count) => sum + count, 0)).toBe(1);
    const delivered = stack.emulator.callsTo('sendVideo').filter((call) => !call.failed);
    expect(delivered.map((call) => call.params.chat_id).sort()).toEqual([7_001, 7_002]);
    expect(delivered.filter((call) => uploadedMedia(call).length === 1)).toHaveLength(1);
  });
});

/**
 * A media host that serves one file slowly (bytes per second), so a download is still running
 * while the test acts on it. Its own tiny server: throttling is this test's concern only.
 */
async function startSlowServer(file: string, bytesPerSecond: number): Promise<{ url: (name: string) => string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(file);
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
    if (request.method === 'HEAD') return void response.end();
    let offset = 0;
    const chunk = Math.max(1, Math.floor(bytesPerSecond / 10));
    const timer = setInterval(() => {
      if (response.destroyed) return clearInterval(timer);
      response.write(bytes.subarray(offset, offset + chunk));
      offset += chunk;
      if (offset >= bytes.length) {
        clearInterval(timer);
        response.end();
      }
    }, 100);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function processesMentioning(text: string): Promise<number> {
  const { execa } = await import('execa');
  const { stdout } = await execa('pgrep', ['-f', text], { reject: false });
  return stdout.split('\n').filter(Boolean).length;
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function statusMessageOf(update: Update): number {
  const ack = stack.emulator.callsTo('sendMessage').find((call) => (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id === update.message!.message_id);
  return (ack!.response as { result: { message_id: number } }).result.message_id;
}

function buttonPress(data: string, chatId: number, fromId: number, messageId: number, chatType: 'private' | 'group' = 'private'): Update {
  return {
    update_id: Math.floor(Math.random() * 1e9),
    callback_query: {
      id: `press-${Math.random().toString(36).slice(2)}`,
      from: { id: fromId, is_bot: false, first_name: 'Someone' },
      chat_instance: '1',
      data,
      message: { message_id: messageId, date: 0, chat: chatType === 'private' ? { id: chatId, type: 'private', first_name: 'A' } : { id: chatId, type: 'group', title: 'G' } },
    },
  } as Update;
}

describe('progress', () => {
  it('edits the status message with the download progress, at most once every 3 seconds', async () => {
    const slow = await startSlowServer(stack.fixtures.video, 4_000);
    try {
      const update = stack.linkUpdate(slow.url('progress.mp4'));
      await stack.post(update);
      await stack.client.workflow.getHandle(idOf(update)).result();
      const status = statusMessageOf(update);
      const edits = stack.emulator.callsTo('editMessageText').filter((call) => call.params.message_id === status && String(call.params.text).startsWith('⏳ Downloading'));
      expect(edits.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(3_000);
      expect(edits.some((call) => /\d+%/.test(String(call.params.text)))).toBe(true);
      // Every progress edit keeps the Cancel button.
      for (const edit of edits) expect(JSON.stringify(edit.params.reply_markup)).toContain(`cancel:${update.message!.message_id}`);
      expect(stack.emulator.callsTo('editMessageText').some((call) => call.params.text === '📤 Uploading…')).toBe(true);
      expect(stack.emulator.callsTo('editMessageText').filter((call) => call.failed && (call.response as { error_code?: number }).error_code === 429)).toHaveLength(0);
    } finally {
      await slow.close();
    }
  });
});

describe('cancel', () => {
  let slow: Awaited<ReturnType<typeof startSlowServer>>;
  beforeAll(async () => {
    slow = await startSlowServer(stack.fixtures.video, 2_000);
  });
  afterAll(async () => {
    await slow.close();
  });

  /** Starts a slow download and waits until yt-dlp is running for it. */
  async function startSlowRequest(name: string, chatId = CHAT_ID, chatType: 'private' | 'group' = 'private'): Promise<Update> {
    const update = stack.linkUpdate(slow.url(name), { chatId });
    if (chatType === 'group') {
      update.message!.chat = { id: chatId, type: 'group', title: 'G' } as never;
      update.message!.from = { id: 501, is_bot: false, first_name: 'Requester' };
    }
    await stack.post(update);
    await eventually(async () => (await processesMentioning(name)) > 0, 20_000, 'yt-dlp to start');
    return update;
  }

  async function expectCancelled(update: Update, name: string): Promise<void> {
    const error = await stack.client.workflow.getHandle(idOf(update)).result().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    // The activity confirmed the cancel only after yt-dlp was killed and its dir removed.
    expect(await processesMentioning(name)).toBe(0);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(`${stack.dataDir}/downloads`).catch(() => [])).toEqual([]);
    expect(stack.emulator.calls.filter((call) => ['sendVideo', 'sendDocument', 'sendAudio', 'sendMediaGroup'].includes(call.method))).toHaveLength(0);
    const status = statusMessageOf(update);
    expect(stack.emulator.messagesIn(update.message!.chat.id).find((message) => message.message_id === status)).toMatchObject({ text: '🚫 Cancelled.' });
  }

  it('stops the download when the requester presses the Cancel button: yt-dlp killed, files gone, nothing sent', async () => {
    const update = await startSlowRequest('cancel-button.mp4');
    const started = Date.now();
    await stack.post(buttonPress(`cancel:${update.message!.message_id}`, CHAT_ID, CHAT_ID, statusMessageOf(update)));
    await expectCancelled(update, 'cancel-button.mp4');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stack.emulator.callsTo('answerCallbackQuery')[0]?.params.text).toBe('🚫 Cancelling…');
  });

  it('stops the chat’s running request on /cancel', async () => {
    const update = await startSlowRequest('cancel-command.mp4');
    const cancel = stack.linkUpdate('', { text: '/cancel' });
    await stack.post(cancel);
    await expectCancelled(update, 'cancel-command.mp4');
    expect(stack.emulator.callsTo('sendMessage').some((call) => call.params.text === '🚫 Cancelling…')).toBe(true);
  });

  it('refuses a cancel from someone who is neither the requester nor an admin, and delivers', async () => {
    const group = -100_777;
    const update = await startSlowRequest('cancel-refused.mp4', group, 'group');
    stack.emulator.setMemberStatus(group, 999, 'member');
    await stack.post(buttonPress(`cancel:${update.message!.message_id}`, group, 999, statusMessageOf(update), 'group'));
    await stack.emulator.waitFor('answerCallbackQuery', 20_000);
    expect(stack.emulator.callsTo('answerCallbackQuery')[0]?.params.text).toContain('Only the person who sent the link');
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    expect(stack.emulator.callsTo('sendVideo').filter((call) => !call.failed)).toHaveLength(1);
  });
});
