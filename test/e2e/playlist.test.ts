/**
 * /playlist end to end: a page with 12 `<video>` elements (12 ffmpeg clips of 2 to 13 s, served
 * from loopback) goes through the webhook, the real workers, yt-dlp's listing and downloads to the
 * Bot API emulator; `2-4` brings exactly entries 2, 3 and 4, in order (told apart by the duration
 * ffprobe reads in the uploaded bytes), with "item i of n" in the status edits; the Cancel button
 * after the second entry leaves the third unsent.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Update } from 'grammy/types';
import { playlistWorkflowId } from '../../shared/workflowIds.js';
import { playlistStatusQuery, type PlaylistResult } from '../../shared/contracts/playlist.js';
import { createPlaylistEntries, playlistPage } from '../support/playlistFixtures.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { probeUploaded } from './support/probeUploaded.js';

let stack: TestStack;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let scratch: string;
const COOKIES = '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tplaylist-cookie\n';

beforeAll(async () => {
  await createPlaylistEntries(12);
  // YTDLP_COOKIES set: the listing sends them too (from a private copy, as downloads do).
  scratch = await mkdtemp(path.join(os.tmpdir(), 'media-bot-playlist-'));
  await writeFile(path.join(scratch, 'cookies.txt'), COOKIES, { mode: 0o600 });
  stack = await startTestStack({ YTDLP_COOKIES: path.join(scratch, 'cookies.txt') });
});

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

let nextMessage = 70_000;

/** `/playlist <link> [range]` from a private chat, as Telegram delivers it. */
function playlistCommand(link: string, chatId: number, range?: string): Update {
  const text = `/playlist ${link}${range ? ` ${range}` : ''}`;
  return {
    update_id: nextMessage,
    message: {
      message_id: nextMessage++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Tester' },
      from: { id: chatId, is_bot: false, first_name: 'Tester' },
      text,
      entities: [
        { type: 'bot_command', offset: 0, length: 9 },
        { type: 'url', offset: 10, length: link.length },
      ],
    },
  } as Update;
}

const idOf = (update: Update) =>
  playlistWorkflowId({ chatId: update.message!.chat.id, messageId: update.message!.message_id });

/** The texts of the bot's edits of its status message in `chatId`, in order. */
function statusEdits(chatId: number): string[] {
  return stack.emulator
    .callsTo('editMessageText')
    .filter((call) => call.params.chat_id === chatId)
    .map((call) => String(call.params.text));
}

async function uploadedSeconds(chatId: number): Promise<number[]> {
  const seconds: number[] = [];
  for (const upload of stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chatId)) {
    const video = upload.files.find((file) => file.fileName !== 'thumbnail.jpg');
    seconds.push(Math.round((await probeUploaded(video!.bytes!, stack.dataDir)).seconds));
  }
  return seconds;
}

describe('/playlist', () => {
  it('2-4 of a 12-entry page: exactly entries 2, 3 and 4, in order, with "item i of 3" in the status; again elsewhere: by file_id from the cache', async () => {
    const chatId = 97_001;
    stack.media.page('playlist-range.html', playlistPage(12, 'range'));
    const update = playlistCommand(stack.media.url('playlist-range.html'), chatId, '2-4');
    expect((await stack.post(update)).statusCode).toBe(200);

    const result = (await stack.client.workflow.getHandle(idOf(update)).result()) as PlaylistResult;
    expect(result.entries.map((entry) => [entry.index, entry.outcome])).toEqual([
      [2, 'delivered'],
      [3, 'delivered'],
      [4, 'delivered'],
    ]);
    // Entry n lasts n + 1 seconds.
    expect(await uploadedSeconds(chatId)).toEqual([3, 4, 5]);
    const captions = stack.emulator
      .callsTo('sendVideo')
      .filter((call) => call.params.chat_id === chatId)
      .map((call) => String(call.params.caption));
    expect(captions.map((caption) => /entry-(\d+)\.mp4/.exec(caption)?.[1])).toEqual(['2', '3', '4']);

    // The listing read the page with the cookies, from a copy it removed; the operator's file is as it was.
    expect(stack.media.headersFor('playlist-range.html')?.cookie).toContain('session=playlist-cookie');
    expect(await readFile(path.join(scratch, 'cookies.txt'), 'utf8')).toBe(COOKIES);
    const left = await readdir(path.join(stack.dataDir, 'downloads'), { recursive: true }).catch(() => []);
    expect(left.filter((name) => String(name).endsWith('cookies.txt'))).toEqual([]);

    const edits = statusEdits(chatId);
    for (const item of [1, 2, 3]) expect(edits).toContain(`⏳ Playlist: item ${item} of 3…`);
    expect(edits.at(-1)).toBe('✅ All 3 playlist items sent.');
    // The same entries again, elsewhere: from the media cache, by file_id, in order.
    const fileIds = stack.emulator
      .callsTo('sendVideo')
      .filter((call) => call.params.chat_id === chatId)
      .map((call) => (call.response as { result: { video: { file_id: string } } }).result.video.file_id);
    const again = playlistCommand(stack.media.url('playlist-range.html'), 97_003, '2-4');
    await stack.post(again);
    const cached = (await stack.client.workflow.getHandle(idOf(again)).result()) as PlaylistResult;
    expect(cached.entries.map((entry) => entry.outcome)).toEqual(['cached', 'cached', 'cached']);
    expect(
      stack.emulator
        .callsTo('sendVideo')
        .filter((call) => call.params.chat_id === 97_003)
        .map((call) => call.params.video),
    ).toEqual(fileIds);

    // The entries shared the playlist's one status message.
    const statusMessages = stack.emulator.callsTo('sendMessage').filter((call) => call.params.chat_id === chatId);
    expect(statusMessages).toHaveLength(1);
    expect(JSON.stringify(statusMessages[0]!.params.reply_markup)).toContain(`cancel:${update.message!.message_id}`);
  });

  it('the Cancel button after the second entry: no third entry is sent, and the status says so (and `ops status` where it stood)', async () => {
    const chatId = 97_002;
    stack.media.page('playlist-cancel.html', playlistPage(12, 'cancel'));
    // The third entry crawls: a cancel that came late would find it still downloading, never sent.
    stack.media.throttle('entry-3.mp4', 2_000);
    const update = playlistCommand(stack.media.url('playlist-cancel.html'), chatId);
    await stack.post(update);

    const deadline = Date.now() + 90_000;
    while (stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chatId).length < 2) {
      if (Date.now() > deadline) throw new Error('the second entry was not sent');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The third entry is on its way (crawling): the status query and `ops status` say which.
    const handle = stack.client.workflow.getHandle(idOf(update));
    for (;;) {
      const now = await handle.query(playlistStatusQuery);
      if (now.entry === 3 && now.phase === 'delivering') break;
      if (Date.now() > deadline) throw new Error(`the third entry did not start: ${JSON.stringify(now)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await handle.query(playlistStatusQuery)).toMatchObject({ entries: 12, index: 3, delivered: 2, failed: 0 });
    const ops = await execa(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', 'status'], {
      cwd: ROOT,
      env: {
        TEMPORAL_ADDRESS: stack.env.address,
        TEMPORAL_NAMESPACE: 'default',
        LOG_LEVEL: 'silent',
        TELEGRAM_BOT_TOKEN: '',
      },
    });
    expect(ops.stdout).toContain('Running playlists');
    expect(ops.stdout).toMatch(new RegExp(`${idOf(update)} .* delivering +3 of 12 \\(entry 3\\) +2 +0`));

    const status = stack.emulator.callsTo('sendMessage').find((call) => call.params.chat_id === chatId)!;
    const statusMessageId = (status.response as { result: { message_id: number } }).result.message_id;
    await stack.post({
      update_id: nextMessage++,
      callback_query: {
        id: `press-${nextMessage}`,
        from: { id: chatId, is_bot: false, first_name: 'Tester' },
        chat_instance: '1',
        data: `cancel:${update.message!.message_id}`,
        message: { message_id: statusMessageId, date: 0, chat: { id: chatId, type: 'private', first_name: 'T' } },
      },
    });

    const ended = await stack.client.workflow
      .getHandle(idOf(update))
      .result()
      .then(
        () => 'completed',
        (error: unknown) => (error as { cause?: { name?: string } }).cause?.name,
      );
    expect(ended).toBe('CancelledFailure');
    expect(await uploadedSeconds(chatId)).toEqual([2, 3]);
    const edits = statusEdits(chatId);
    expect(edits).toContain('⏳ Playlist: item 2 of 12…');
    expect(edits.at(-1)).toBe('🚫 Cancelled: 2 of 12 playlist items sent.');
    // Nothing more arrives once the run has ended.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(stack.emulator.callsTo('sendVideo').filter((call) => call.params.chat_id === chatId)).toHaveLength(2);
  });
});
