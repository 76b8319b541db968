import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Update } from 'grammy/types';
import { cancelWorkflowId, mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { createFetchFixtures, sha256, type FetchFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { WorkflowStarter } from '../../src/temporal/starter.js';
import { startSlowServer } from '../support/slowServer.js';
import { EMULATOR_BOT_USERNAME } from '../support/botApiEmulator.js';
import { probeUploaded } from './support/probeUploaded.js';
import { CHAT_ID, useTestStack, requestIdOf as idOf } from '../support/stack.js';
import { buttonPress } from '../support/buttonPress.js';
import {
  downloadEngines,
  downloadJobs,
  processesMentioning,
  requestDirsOf,
  waitFor,
  workflowExists,
} from './support/operations.js';

const stack = useTestStack();

/** A message with several links, each marked as a url entity, as Telegram delivers it. */
function linksUpdate(links: string[], chatId = CHAT_ID): Update {
  const text = links.join(' and ');
  const update = stack.linkUpdate(links[0]!, { text, chatId });
  update.message!.entities = links.map((link) => ({
    type: 'url' as const,
    offset: text.indexOf(link),
    length: link.length,
  }));
  return update;
}

/** The media files a call uploaded (thumbnails aside). */
function uploadedMedia(call: { files: { fileName: string }[] }): { fileName: string }[] {
  return call.files.filter((file) => file.fileName !== 'thumbnail.jpg');
}

/** How many times a run scheduled this activity, from its history. */
async function scheduled(workflowId: string, activityType: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.filter(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
  ).length;
}

describe('a message with several links', () => {
  it('handles each link in order, with its own outcome', async () => {
    stack.media.always('missing.mp4', 404);
    const links = [stack.mediaUrl('clip.mp4'), stack.mediaUrl('missing.mp4'), stack.mediaUrl('tone.mp3')];
    const update = linksUpdate(links);
    expect((await stack.post(update)).statusCode).toBe(200);

    const error = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('ContentUnavailable');
    expect((failure.details?.[0] as { links: unknown[] }).links).toEqual([
      { link: links[0], outcome: 'delivered', items: 1 },
      { link: links[1], outcome: 'failed', failureType: 'ContentUnavailable' },
      { link: links[2], outcome: 'delivered', items: 1 },
    ]);

    const order = stack.emulator.calls
      .filter(
        (call) =>
          !call.failed &&
          (['sendVideo', 'sendAudio'].includes(call.method) ||
            (call.method === 'sendMessage' && String(call.params.text).startsWith('❌'))),
      )
      .map((call) => call.method);
    expect(order).toEqual(['sendVideo', 'sendMessage', 'sendAudio']);
    expect(
      stack.emulator.callsTo('sendMessage').find((call) => String(call.params.text).startsWith('❌'))?.params.text,
    ).toContain(links[1]);
  });
});

describe('the file_id cache', () => {
  it('sends the same link again by file_id, without a request to the media host', async () => {
    const link = `${stack.media.url('clip.mp4')}?cache=repeat`;
    const first = stack.linkUpdate(link);
    await stack.post(first);
    await expect(stack.client.workflow.getHandle(idOf(first)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const uploaded = stack.emulator.callsTo('sendVideo')[0]!;
    const fileId = (uploaded.response as { result: { video: { file_id: string } } }).result.video.file_id;
    const requestsAfterFirst = stack.media.requestsFor('clip.mp4');

    // A start-time fragment is the same media (any other fragment is not: pages route by it).
    const second = stack.linkUpdate(`${link}#t=42`);
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

    stack.emulator.failNext('sendVideo', {
      error_code: 400,
      description: 'Bad Request: wrong file identifier/HTTP URL specified',
    });
    const second = stack.linkUpdate(link);
    await stack.post(second);
    await expect(stack.client.workflow.getHandle(idOf(second)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
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

function statusMessageOf(update: Update): number {
  const ack = stack.emulator
    .callsTo('sendMessage')
    .find(
      (call) =>
        (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id ===
        update.message!.message_id,
    );
  return (ack!.response as { result: { message_id: number } }).result.message_id;
}

describe('progress', () => {
  it('edits the status message with the download progress, at most once every 3 seconds', async () => {
    const slow = await startSlowServer(stack.fixtures.video, 4_000);
    try {
      const update = stack.linkUpdate(slow.url('progress.mp4'));
      await stack.post(update);
      await stack.client.workflow.getHandle(idOf(update)).result();
      const status = statusMessageOf(update);
      const edits = stack.emulator
        .callsTo('editMessageText')
        .filter((call) => call.params.message_id === status && String(call.params.text).startsWith('⏳ Downloading'));
      expect(edits.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < edits.length; i++) expect(edits[i]!.at - edits[i - 1]!.at).toBeGreaterThanOrEqual(3_000);
      expect(edits.some((call) => /\d+%/.test(String(call.params.text)))).toBe(true);
      // Every progress edit keeps the Cancel button.
      for (const edit of edits)
        expect(JSON.stringify(edit.params.reply_markup)).toContain(`cancel:${update.message!.message_id}`);
      expect(stack.emulator.callsTo('editMessageText').some((call) => call.params.text === '📤 Uploading…')).toBe(true);
      expect(
        stack.emulator
          .callsTo('editMessageText')
          .filter((call) => call.failed && (call.response as { error_code?: number }).error_code === 429),
      ).toHaveLength(0);
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

  /**
   * The running downloads of this stack's worker: the engine's job children (one per download,
   * from its probe to its end). Their command line is the engine's, so they are found by name.
   */
  const downloadJobsRunning = () => downloadJobs(stack.dataDir).length;
  /** Processes that name a request dir on their command line: ffmpeg works on files there. */
  const processesInRequestDirs = () => processesMentioning(`${stack.dataDir}/downloads/`).length;
  /** Whether a request dir has an item file: yt-dlp is past the probe and writing the download. */
  async function itemBeingWritten(): Promise<boolean> {
    const { readdir } = await import('node:fs/promises');
    for (const dir of await requestDirsOf(stack.dataDir)) {
      const names = await readdir(`${stack.dataDir}/downloads/${dir}`).catch(() => [] as string[]);
      if (names.some((name) => name.startsWith('item-'))) return true;
    }
    return false;
  }

  /** Starts a slow download and waits until yt-dlp is downloading it (past the probe). */
  async function startSlowRequest(
    name: string,
    chatId = CHAT_ID,
    chatType: 'private' | 'group' = 'private',
  ): Promise<Update> {
    const update = stack.linkUpdate(slow.url(name), { chatId });
    if (chatType === 'group') {
      update.message!.chat = { id: chatId, type: 'group', title: 'G' } as never;
      update.message!.from = { id: 501, is_bot: false, first_name: 'Requester' };
    }
    await stack.post(update);
    await waitFor(
      async () => downloadJobsRunning() > 0 && (await itemBeingWritten()),
      20_000,
      () => 'yt-dlp to download',
    );
    return update;
  }

  async function expectCancelled(update: Update, name: string): Promise<void> {
    const error = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    // The activity confirmed the cancel only after yt-dlp was killed and its dir removed: the
    // job's child is gone, and nothing works in a request dir; the engine itself stays warm.
    await waitFor(
      () => downloadJobsRunning() === 0 && processesInRequestDirs() === 0,
      2_000,
      () => 'the download processes to be gone',
    );
    expect(processesMentioning(name).length).toBe(0);
    expect(downloadEngines(stack.dataDir).length).toBeGreaterThan(0);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(`${stack.dataDir}/downloads`).catch(() => [])).toEqual([]);
    expect(
      stack.emulator.calls.filter((call) =>
        ['sendVideo', 'sendDocument', 'sendAudio', 'sendMediaGroup'].includes(call.method),
      ),
    ).toHaveLength(0);
    const status = statusMessageOf(update);
    expect(
      stack.emulator.messagesIn(update.message!.chat.id).find((message) => message.message_id === status),
    ).toMatchObject({ text: '🚫 Cancelled.' });
  }

  it('stops the download when the requester presses the Cancel button: yt-dlp killed, files gone, nothing sent', async () => {
    const update = await startSlowRequest('cancel-button.mp4');
    const started = Date.now();
    await stack.post(
      buttonPress({
        data: `cancel:${update.message!.message_id}`,
        chatId: CHAT_ID,
        messageId: statusMessageOf(update),
      }),
    );
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

  it('stops the request on /cancel@bot replying to its status message, after ignoring /cancel@OtherBot', async () => {
    const group = -100_778;
    const update = await startSlowRequest('cancel-reply.mp4', group, 'group');
    // What Telegram puts in reply_to_message: the status message as the emulator holds it, Cancel button included.
    const status = stack.emulator.messagesIn(group).find((message) => message.message_id === statusMessageOf(update));
    expect(status?.reply_markup).toBeDefined();
    const replyWith = (text: string): Update => {
      const reply = stack.linkUpdate('', { text, chatId: group });
      Object.assign(reply.message!, {
        chat: update.message!.chat,
        from: update.message!.from,
        entities: [{ type: 'bot_command', offset: 0, length: text.length }],
        reply_to_message: status,
      });
      return reply;
    };
    const foreign = replyWith('/cancel@OtherBot');
    expect((await stack.post(foreign)).statusCode).toBe(200);
    expect(
      await workflowExists(
        stack.client,
        cancelWorkflowId({ chatId: group, commandMessageId: foreign.message!.message_id }),
      ),
    ).toBe(false);
    await stack.post(replyWith(`/cancel@${EMULATOR_BOT_USERNAME}`));
    await expectCancelled(update, 'cancel-reply.mp4');
  });

  it('refuses a cancel from someone who is neither the requester nor an admin, and delivers', async () => {
    const group = -100_777;
    const update = await startSlowRequest('cancel-refused.mp4', group, 'group');
    stack.emulator.setMemberStatus(group, 999, 'member');
    await stack.post(
      buttonPress({
        data: `cancel:${update.message!.message_id}`,
        chatId: group,
        userId: 999,
        messageId: statusMessageOf(update),
      }),
    );
    await stack.emulator.waitFor('answerCallbackQuery', 20_000);
    expect(stack.emulator.callsTo('answerCallbackQuery')[0]?.params.text).toContain(
      'Only the person who sent the link',
    );
    expect(downloadJobsRunning()).toBeGreaterThan(0);
    await expect(stack.client.workflow.getHandle(idOf(update)).result()).resolves.toMatchObject({
      outcome: 'delivered',
    });
    expect(stack.emulator.callsTo('sendVideo').filter((call) => !call.failed)).toHaveLength(1);
  });

  it('refuses a stranger’s /cancel in reply to the request, then lets a chat admin cancel it', async () => {
    const group = -100_779;
    const [stranger, admin] = [998, 502];
    const update = await startSlowRequest('cancel-admin.mp4', group, 'group');
    stack.emulator.setMemberStatus(group, stranger, 'member');
    stack.emulator.setMemberStatus(group, admin, 'administrator');

    const strangersCancel = stack.linkUpdate('', { chatId: group, text: '/cancel' });
    strangersCancel.message!.chat = { id: group, type: 'group', title: 'G' } as never;
    strangersCancel.message!.from = { id: stranger, is_bot: false, first_name: 'Stranger' };
    (strangersCancel.message as { reply_to_message?: unknown }).reply_to_message = update.message;
    await stack.post(strangersCancel);
    const refusal = await stack.emulator.waitFor(
      (call) =>
        call.method === 'sendMessage' &&
        (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id ===
          strangersCancel.message!.message_id,
      20_000,
    );
    expect(refusal.params.text).toBe('Only the person who sent the link, or an admin, can cancel it.');
    // Still downloading: the refusal cancelled nothing.
    expect(downloadJobsRunning()).toBeGreaterThan(0);
    await expect(stack.client.workflow.getHandle(idOf(update)).describe()).resolves.toMatchObject({
      status: { name: 'RUNNING' },
    });

    await stack.post(
      buttonPress({
        data: `cancel:${update.message!.message_id}`,
        chatId: group,
        userId: admin,
        messageId: statusMessageOf(update),
      }),
    );
    await expectCancelled(update, 'cancel-admin.mp4');
    expect(stack.emulator.callsTo('answerCallbackQuery')[0]?.params.text).toBe('🚫 Cancelling…');
    expect(stack.emulator.callsTo('getChatMember').map((call) => call.params.user_id)).toEqual([stranger, admin]);
  });

  it('serves an admin posting anonymously (as the group): their /cancel stops a member’s request, their link is delivered', async () => {
    // Tried: messages from Telegram's GroupAnonymousBot with sender_chat = the group, as Telegram
    // sends an anonymous admin's messages; before, the bot ignored them as another bot's.
    const group = -100_780;
    const asAnonymousAdmin = (update: Update): Update => {
      update.message!.chat = { id: group, type: 'supergroup', title: 'G' } as never;
      update.message!.from = { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
      (update.message as { sender_chat?: unknown }).sender_chat = { id: group, type: 'supergroup', title: 'G' };
      return update;
    };
    const members = await startSlowRequest('cancel-anonymous.mp4', group, 'group');
    const cancel = asAnonymousAdmin(stack.linkUpdate('', { chatId: group, text: '/cancel' }));
    (cancel.message as { reply_to_message?: unknown }).reply_to_message = members.message;
    await stack.post(cancel);
    await expectCancelled(members, 'cancel-anonymous.mp4');
    // The group itself is an admin of the group: nothing to ask Telegram.
    expect(stack.emulator.callsTo('getChatMember')).toHaveLength(0);

    const link = asAnonymousAdmin(stack.linkUpdate(`${stack.media.url('clip.mp4')}?anonymous=1`, { chatId: group }));
    await stack.post(link);
    await expect(stack.client.workflow.getHandle(idOf(link)).result()).resolves.toMatchObject({ outcome: 'delivered' });
    expect(stack.emulator.callsTo('sendVideo').map((call) => call.params.chat_id)).toEqual([group]);
  });
});

describe('formats, conversion, audio and albums', () => {
  let fetchFixtures: FetchFixtures;
  let pages: MediaServer;
  const starter = () => new WorkflowStarter(stack.client);
  let nextMessage = 50_000;

  beforeAll(async () => {
    fetchFixtures = await createFetchFixtures();
    pages = await startMediaServer(fetchFixtures.dir);
    pages.page(
      'two-sizes.html',
      `<!doctype html><html><head><title>Two sizes</title></head><body><video controls poster="poster.jpg">
        <source src="big.mp4" type="video/mp4" res="360" label="360p"><source src="small.mp4" type="video/mp4" res="180" label="180p">
      </video></body></html>`,
    );
    const videos = Array.from({ length: 12 }, (_, i) => `<video src="tiny.mp4?n=${i + 1}" controls></video>`).join(
      '\n',
    );
    pages.page('gallery.html', `<!doctype html><html><head><title>Gallery</title></head><body>${videos}</body></html>`);
    pages.page(
      'mixed.html',
      `<!doctype html><html><head><title>Mixed</title></head><body><video src="tiny.mp4?mixed=1" controls></video>
        <video src="tiny.mp4?mixed=2" controls></video><audio src="${stack.media.url('tone.mp3')}?mixed=3" controls></audio></body></html>`,
    );
  });

  afterAll(async () => {
    await pages?.close();
  });

  /** Starts a request the way the webhook does, with a chosen upload limit. */
  async function request(link: string, maxUploadBytes = 50 * 1024 * 1024, mode?: 'audio'): Promise<string> {
    const messageId = nextMessage++;
    await starter().startMediaRequest({
      chatId: CHAT_ID,
      messageId,
      links: [link],
      mode,
      maxUploadBytes,
      albumCap: 10,
      policies: stack.config.policies,
    });
    return mediaRequestWorkflowId({ chatId: CHAT_ID, messageId });
  }

  it('sends the smaller format when the larger one is over the upload limit', async () => {
    const workflowId = await request(pages.url('two-sizes.html'), 500_000);
    await expect(stack.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({ outcome: 'delivered' });
    const [video] = stack.emulator.callsTo('sendVideo');
    expect(video?.params).toMatchObject({ width: 320, height: 180 });
    expect(video?.files[0]?.sha256).toBe(await sha256(fetchFixtures.small));
  });

  it('tells the size and the limit when no format fits', async () => {
    const workflowId = await request(pages.url('two-sizes.html'), 100_000);
    const error = await stack.client.workflow
      .getHandle(workflowId)
      .result()
      .catch((reason: unknown) => reason);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('FileTooLarge');
    const texts = stack.emulator.messagesIn(CHAT_ID).map((message) => ('text' in message ? String(message.text) : ''));
    expect(texts).toContainEqual(
      expect.stringMatching(/too large to send: 130\.\d KB, and Telegram bots can send at most 97\.7 KB/),
    );
    expect(
      stack.emulator.calls.filter((call) => call.method.startsWith('send') && call.method !== 'sendMessage'),
    ).toHaveLength(0);
  });

  it('converts a WebM/VP9 video into an mp4/H.264 that Telegram streams', async () => {
    const workflowId = await request(`${pages.url('clip.webm')}?e2e=1`);
    await stack.client.workflow.getHandle(workflowId).result();
    const [video] = stack.emulator.callsTo('sendVideo');
    expect(video?.params).toMatchObject({ supports_streaming: true, width: 320, height: 240, duration: 3 });
    expect(await probeUploaded(video!.files[0]!.bytes!, stack.dataDir)).toMatchObject({
      format: expect.stringContaining('mp4'),
      video: 'h264',
      audio: 'aac',
    });
  });

  it('answers /audio on a video with an audio file, its title and duration', async () => {
    const update = stack.linkUpdate(`${stack.media.url('clip.mp4')}?audio=1`, {
      text: `/audio ${stack.media.url('clip.mp4')}?audio=1`,
    });
    await stack.post(update);
    await stack.client.workflow.getHandle(idOf(update)).result();
    const [audio] = stack.emulator.callsTo('sendAudio');
    expect(audio?.params).toMatchObject({ duration: 3, title: expect.any(String) });
    expect(await probeUploaded(audio!.files[0]!.bytes!, stack.dataDir)).toEqual({
      format: expect.any(String),
      seconds: expect.any(Number),
      video: undefined,
      audio: expect.stringMatching(/aac|mp3/),
    });
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(0);
  });

  it('sends a 12-video gallery as one album of 10 and says the cap cut it short', async () => {
    const workflowId = await request(pages.url('gallery.html'));
    await expect(stack.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({
      links: [{ outcome: 'delivered', items: 10 }],
    });
    const groups = stack.emulator.callsTo('sendMediaGroup');
    expect(groups).toHaveLength(1);
    const media = groups[0]!.params.media as { type: string; caption?: string }[];
    expect(media).toHaveLength(10);
    expect(media.every((item) => item.type === 'video')).toBe(true);
    expect(media[0]!.caption).toContain('gallery.html');
    const texts = stack.emulator.callsTo('sendMessage').map((call) => String(call.params.text));
    expect(texts).toContainEqual('ℹ️ This gallery has 12 items; I sent the first 10.');
  });

  it('splits a gallery of two videos and a song the way Telegram accepts: the videos as an album, then the song alone', async () => {
    // Tried: a page with two <video>s and an <audio>. Telegram (and the emulator) refuse an album
    // that mixes audio with videos, so a single group of three would fail the whole link.
    const workflowId = await request(pages.url('mixed.html'));
    await expect(stack.client.workflow.getHandle(workflowId).result()).resolves.toMatchObject({
      links: [{ outcome: 'delivered', items: 3 }],
    });
    expect(stack.emulator.calls.filter((call) => call.failed).map((call) => call.method)).toEqual([]);
    const sent = stack.emulator.calls.filter((call) =>
      ['sendMediaGroup', 'sendAudio', 'sendVideo', 'sendDocument'].includes(call.method),
    );
    expect(sent.map((call) => call.method)).toEqual(['sendMediaGroup', 'sendAudio']);
    expect((sent[0]!.params.media as { type: string }[]).map((item) => item.type)).toEqual(['video', 'video']);
    expect(sent[1]!.files).toHaveLength(1);
  });
});

describe('the chat’s default mode', () => {
  it('sends audio for a plain link once the chat chose audio in /settings', async () => {
    const chatId = 8_800;
    const keyboard = { message_id: 1, date: 0, chat: { id: chatId, type: 'private' as const, first_name: 'A' } };
    stack.emulator.reset();
    await stack.post({
      update_id: 880_001,
      message: { ...keyboard, message_id: 2, from: { id: chatId, is_bot: false, first_name: 'A' }, text: '/settings' },
    });
    const shown = await stack.emulator.waitFor(
      (call) => call.method === 'sendMessage' && call.params.chat_id === chatId,
      20_000,
    );
    const keyboardId = (shown.response as { result: { message_id: number } }).result.message_id;
    await stack.post(buttonPress({ data: 'set:mode:audio', chatId, messageId: keyboardId }));
    await stack.emulator.waitFor('answerCallbackQuery', 20_000);

    const update = stack.linkUpdate(stack.mediaUrl('clip.mp4'), { chatId });
    await stack.post(update);
    await stack.client.workflow.getHandle(idOf(update)).result();
    expect(stack.emulator.callsTo('sendAudio').map((call) => call.params.chat_id)).toEqual([chatId]);
    expect(stack.emulator.callsTo('sendVideo')).toHaveLength(0);
  });
});
