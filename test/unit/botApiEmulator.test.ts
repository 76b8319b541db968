import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { InputMediaAudio, InputMediaDocument, InputMediaVideo, Message } from 'grammy/types';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { grammyError } from '../support/grammyError.js';

const CHAT = 4242;

let emulator: BotApiEmulator;
let api: Api;
let dir: string;

/** Writes `size` pseudo-random bytes to a temp file and returns its path and sha256. */
async function tempFile(name: string, size: number): Promise<{ file: string; sha256: string; bytes: Buffer }> {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
  dir = await mkdtemp(path.join(tmpdir(), 'bot-api-emulator-'));
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => emulator.reset());

describe('Telegram Bot API emulator', () => {
  it('answers getMe with the bot user behind the token', async () => {
    const me = await api.getMe();
    expect(me).toMatchObject({ id: 123456, is_bot: true, username: 'test_media_bot' });
  });

  it('sends, edits and deletes a text message like the real API', async () => {
    const sent = await api.sendMessage(CHAT, 'Downloading…');
    expect(sent).toMatchObject({
      message_id: 1000,
      chat: { id: CHAT, type: 'private' },
      text: 'Downloading…',
      from: { is_bot: true },
    });

    const edited = await api.editMessageText(CHAT, sent.message_id, 'Done');
    expect(edited).toMatchObject({ message_id: 1000, text: 'Done' });
    expect(emulator.messagesIn(CHAT).map((m) => m.text)).toEqual(['Done']);

    const same = await grammyError(api.editMessageText(CHAT, sent.message_id, 'Done'));
    expect(same.error_code).toBe(400);
    expect(same.description).toMatch(/^Bad Request: message is not modified/);

    await expect(api.deleteMessage(CHAT, sent.message_id)).resolves.toBe(true);
    expect(emulator.messagesIn(CHAT)).toEqual([]);

    const gone = await grammyError(api.editMessageText(CHAT, sent.message_id, 'again'));
    expect(gone.description).toBe('Bad Request: message to edit not found');
    const deletedTwice = await grammyError(api.deleteMessage(CHAT, sent.message_id));
    expect(deletedTwice.description).toBe('Bad Request: message to delete not found');

    expect(emulator.calls.map((c) => [c.method, c.failed])).toEqual([
      ['sendMessage', false],
      ['editMessageText', false],
      ['editMessageText', true],
      ['deleteMessage', false],
      ['editMessageText', true],
      ['deleteMessage', true],
    ]);
  });

  it('numbers messages per chat from 1000 and records the message replied to', async () => {
    const first = await api.sendMessage(CHAT, 'one');
    const other = await api.sendMessage(CHAT + 1, 'elsewhere');
    const reply = await api.sendMessage(CHAT, 'two', { reply_parameters: { message_id: first.message_id } });
    expect([first.message_id, other.message_id, reply.message_id]).toEqual([1000, 1000, 1001]);
    expect(reply.reply_to_message?.message_id).toBe(1000);
    expect(emulator.callsTo('sendMessage')[2]?.params.reply_parameters).toEqual({ message_id: 1000 });
  });

  it('renders HTML like Telegram and rejects tags Telegram does not support', async () => {
    const sent = await api.sendMessage(CHAT, '<b>Title</b> &amp; more', { parse_mode: 'HTML' });
    expect(sent.text).toBe('Title & more');
    const bad = await grammyError(api.sendMessage(CHAT, 'a <div>b</div>', { parse_mode: 'HTML' }));
    expect(bad.description).toMatch(/^Bad Request: can't parse entities: Unsupported start tag "div"/);
  });

  it('records a multipart sendVideo upload with the size and sha256 of the file', async () => {
    const { file, sha256, bytes } = await tempFile('clip.mp4', 300_000);
    const message = await api.sendVideo(CHAT, new InputFile(createReadStream(file), 'clip.mp4'), {
      caption: 'clip',
      width: 640,
      height: 360,
      duration: 12,
      reply_parameters: { message_id: 7 },
    });

    expect(message.video).toMatchObject({
      file_size: 300_000,
      file_name: 'clip.mp4',
      mime_type: 'video/mp4',
      width: 640,
      duration: 12,
    });
    expect(message.caption).toBe('clip');
    const call = emulator.callsTo('sendVideo')[0];
    expect(call?.files).toHaveLength(1);
    expect(call?.files[0]).toMatchObject({ fileName: 'clip.mp4', size: 300_000, sha256 });
    expect(call?.files[0]?.bytes?.equals(bytes)).toBe(true);
    // Multipart fields arrive as strings; numbers and nested JSON come back as values.
    expect(call?.params).toMatchObject({
      chat_id: CHAT,
      width: 640,
      caption: 'clip',
      reply_parameters: { message_id: 7 },
    });
  });

  it('accepts file names with spaces and non-ASCII letters, which grammy sends unquoted', async () => {
    const { file, sha256 } = await tempFile('named.mp4', 70_000);
    const name = 'Мой клип "final" (1).mp4';
    const message = await api.sendDocument(CHAT, new InputFile(createReadStream(file), name));
    expect(message.document).toMatchObject({ file_name: name, file_size: 70_000, mime_type: 'video/mp4' });
    expect(emulator.callsTo('sendDocument')[0]?.files[0]).toMatchObject({ fileName: name, sha256 });
  });

  it('serves an uploaded file back through getFile and the /file/ route', async () => {
    const { file, bytes } = await tempFile('song.mp3', 4096);
    const message = await api.sendAudio(CHAT, new InputFile(createReadStream(file), 'song.mp3'), { title: 'Song' });
    expect(message.audio).toMatchObject({ title: 'Song', mime_type: 'audio/mpeg', file_size: 4096 });

    const info = await api.getFile(message.audio!.file_id);
    const response = await fetch(`${emulator.apiRoot}/file/bot${emulator.token}/${info.file_path}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('re-sends media by a file_id it issued and rejects an unknown file_id with 400', async () => {
    const { file } = await tempFile('doc.mp4', 1024);
    const first = await api.sendVideo(CHAT, new InputFile(createReadStream(file), 'doc.mp4'));
    const fileId = first.video!.file_id;

    const again = await api.sendVideo(CHAT + 7, fileId);
    expect(again.video).toMatchObject({
      file_id: fileId,
      file_unique_id: first.video!.file_unique_id,
      file_size: 1024,
    });
    expect(emulator.callsTo('sendVideo')[1]?.files).toEqual([]);

    const unknown = await grammyError(api.sendVideo(CHAT, 'BAACAgIAAxkBAAnotissued'));
    expect(unknown.error_code).toBe(400);
    expect(unknown.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
  });

  it('sends a media group of uploads and file_ids as one album', async () => {
    const a = await tempFile('a.mp4', 2048);
    const b = await tempFile('b.jpg', 1024);
    const messages: Message[] = await api.sendMediaGroup(CHAT, [
      { type: 'video', media: new InputFile(createReadStream(a.file), 'a.mp4'), caption: 'first' },
      { type: 'photo', media: new InputFile(createReadStream(b.file), 'b.jpg') },
    ]);
    expect(messages.map((m) => m.message_id)).toEqual([1000, 1001]);
    expect(messages[0]?.media_group_id).toBeDefined();
    expect(messages[1]?.media_group_id).toBe(messages[0]?.media_group_id);
    expect(messages[0]?.caption).toBe('first');
    expect(emulator.callsTo('sendMediaGroup')[0]?.files.map((f) => f.size)).toEqual([2048, 1024]);

    const single = await grammyError(
      api.sendMediaGroup(CHAT, [{ type: 'photo', media: messages[1]!.photo![0]!.file_id }]),
    );
    expect(single.error_code).toBe(400);
  });

  it('refuses an album that mixes a document or an audio file with another kind, as Telegram does', async () => {
    const video = await tempFile('v.mp4', 1024);
    const doc = await tempFile('d.webm', 1024);
    const song = await tempFile('s.mp3', 1024);
    const upload = (type: 'video' | 'document' | 'audio', file: string) => ({
      type,
      media: new InputFile(createReadStream(file), path.basename(file)),
    });
    // grammY's types already forbid these mixes; the cast sends them anyway, as the untyped album code path could.
    const album = (...items: ReturnType<typeof upload>[]) => items as InputMediaVideo[];

    const videoAndDocument = await grammyError(
      api.sendMediaGroup(CHAT, album(upload('video', video.file), upload('document', doc.file))),
    );
    expect(videoAndDocument.error_code).toBe(400);
    expect(videoAndDocument.description).toBe("Bad Request: document can't be mixed with other media types");

    const videoAndAudio = await grammyError(
      api.sendMediaGroup(CHAT, album(upload('audio', song.file), upload('video', video.file))),
    );
    expect(videoAndAudio.description).toBe("Bad Request: audio can't be mixed with other media types");

    // Telegram names the audio file first when an album mixes audio and documents.
    const documentAndAudio = await grammyError(
      api.sendMediaGroup(CHAT, album(upload('document', doc.file), upload('audio', song.file))),
    );
    expect(documentAndAudio.description).toBe("Bad Request: audio can't be mixed with other media types");

    // A refused album sends nothing.
    expect(emulator.messagesIn(CHAT)).toEqual([]);

    // Documents with documents and audio with audio are albums Telegram takes.
    const documents = await api.sendMediaGroup(CHAT, [
      upload('document', doc.file),
      upload('document', doc.file),
    ] as InputMediaDocument[]);
    expect(documents.map((message) => ('document' in message ? message.document.file_name : undefined))).toEqual([
      'd.webm',
      'd.webm',
    ]);
    const audios = await api.sendMediaGroup(CHAT, [
      upload('audio', song.file),
      upload('audio', song.file),
    ] as InputMediaAudio[]);
    const audioGroupIds = audios.map((message: Message) => message.media_group_id);
    expect(audioGroupIds[0]).toEqual(expect.any(String));
    expect(audioGroupIds[1]).toBe(audioGroupIds[0]);
  });

  it('refuses an album of fewer than 2 or more than 10 items', async () => {
    const video = await tempFile('v.mp4', 1024);
    const first = await api.sendVideo(CHAT, new InputFile(createReadStream(video.file), 'v.mp4'));
    const item = { type: 'video' as const, media: first.video!.file_id };

    const one = await grammyError(api.sendMediaGroup(CHAT, [item]));
    expect(one).toMatchObject({ error_code: 400, description: 'Bad Request: too few messages to send as an album' });
    const eleven = await grammyError(api.sendMediaGroup(CHAT, Array(11).fill(item)));
    expect(eleven).toMatchObject({
      error_code: 400,
      description: 'Bad Request: too many messages to send as an album',
    });
    await expect(api.sendMediaGroup(CHAT, Array(10).fill(item))).resolves.toHaveLength(10);
  });

  it('answers 413 to an upload over the limit without keeping it', async () => {
    const small = await startBotApiEmulator({ uploadLimitBytes: 64 * 1024 });
    try {
      const smallApi = new Api(small.token, { apiRoot: small.apiRoot });
      const { file } = await tempFile('big.mp4', 200 * 1024);
      const error = await grammyError(smallApi.sendVideo(CHAT, new InputFile(createReadStream(file), 'big.mp4')));
      expect(error.error_code).toBe(413);
      expect(error.description).toBe('Request Entity Too Large');
      const call = small.callsTo('sendVideo')[0];
      expect(call).toMatchObject({ failed: true, status: 413 });
      expect(call?.files[0]).toMatchObject({ size: 200 * 1024, sha256: '' });
      expect(call?.files[0]?.bytes).toBeUndefined();
      expect(small.messagesIn(CHAT)).toEqual([]);
      // The connection is still usable after the refused upload.
      await expect(smallApi.sendMessage(CHAT, 'too big')).resolves.toMatchObject({ text: 'too big' });
    } finally {
      await small.close();
    }
  });

  it('surfaces an injected 429 with retry_after as a GrammyError, then recovers', async () => {
    emulator.failNext('sendMessage', {
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      parameters: { retry_after: 3 },
    });
    const error = await grammyError(api.sendMessage(CHAT, 'hi'));
    expect(error.error_code).toBe(429);
    expect(error.parameters.retry_after).toBe(3);
    expect(emulator.calls[0]).toMatchObject({
      method: 'sendMessage',
      failed: true,
      status: 429,
      params: { text: 'hi' },
    });
    await expect(api.sendMessage(CHAT, 'hi')).resolves.toMatchObject({ message_id: 1000 });
  });

  it('fails any method the given number of times with a wildcard fault', async () => {
    emulator.failNext('*', { error_code: 500, description: 'Internal Server Error' }, 2);
    await expect(api.getMe()).rejects.toBeInstanceOf(GrammyError);
    await expect(api.sendMessage(CHAT, 'x')).rejects.toBeInstanceOf(GrammyError);
    await expect(api.getMe()).resolves.toMatchObject({ is_bot: true });
  });

  it('answers a bare HTTP status without JSON so grammy raises an HttpError', async () => {
    emulator.failWithStatus('sendMessage', 502);
    await expect(api.sendMessage(CHAT, 'x')).rejects.toBeInstanceOf(HttpError);
    expect(emulator.calls[0]).toMatchObject({ failed: true, status: 502, response: '502 Bad Gateway' });
  });

  it('drops a call without an answer so grammy raises an HttpError around a fetch error', async () => {
    emulator.dropNext('sendMessage');
    const error = await api.sendMessage(CHAT, 'x').catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(HttpError);
    // What makes this fault worth injecting: the fetch error quotes the URL, token included.
    expect(String((error as HttpError).error)).toContain(`/bot${emulator.token}/sendMessage`);
    expect(emulator.calls[0]).toMatchObject({ method: 'sendMessage', failed: true, status: -1 });
    await expect(api.sendMessage(CHAT, 'y')).resolves.toMatchObject({ text: 'y' });
  });

  it('holds a delayed call long enough for a client timeout, and still performs it', async () => {
    emulator.delayNext('sendMessage', 1500);
    const impatient = new Api(emulator.token, { apiRoot: emulator.apiRoot, timeoutSeconds: 0.3 });
    await expect(impatient.sendMessage(CHAT, 'slow')).rejects.toBeInstanceOf(HttpError);
    const call = await emulator.waitFor('sendMessage', 3000);
    expect(call.failed).toBe(false);
    expect(emulator.messagesIn(CHAT).map((m) => m.text)).toEqual(['slow']);
  });

  it('answers 403 with the real description for a chat that blocked the bot', async () => {
    emulator.blockChat(CHAT);
    const error = await grammyError(api.sendMessage(CHAT, 'hello?'));
    expect(error.error_code).toBe(403);
    expect(error.description).toBe('Forbidden: bot was blocked by the user');
  });

  it('answers 400 chat not found for a forgotten chat', async () => {
    emulator.forgetChat(CHAT);
    const error = await grammyError(api.sendMessage(CHAT, 'hello?'));
    expect([error.error_code, error.description]).toEqual([400, 'Bad Request: chat not found']);
  });

  it('answers 401 Unauthorized to a wrong token', async () => {
    const stranger = new Api('999:wrong', { apiRoot: emulator.apiRoot });
    const error = await grammyError(stranger.getMe());
    expect([error.error_code, error.description]).toEqual([401, 'Unauthorized']);
  });

  it('answers 404 Not Found to an unknown method', async () => {
    const response = await fetch(`${emulator.apiRoot}/bot${emulator.token}/sendTelepathy`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('accepts urlencoded bodies and query strings as well as JSON', async () => {
    const response = await fetch(`${emulator.apiRoot}/bot${emulator.token}/sendMessage?chat_id=${CHAT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=42',
    });
    expect(await response.json()).toMatchObject({ ok: true, result: { text: '42', chat: { id: CHAT } } });
    expect(emulator.calls[0]?.params).toEqual({ chat_id: CHAT, text: '42' });
  });

  it('returns queued updates from getUpdates and drops those confirmed by offset', async () => {
    const first = emulator.queueUpdate({ message: userMessage(5, 'https://example.com/a') });
    const second = emulator.queueUpdate({ message: userMessage(6, 'https://example.com/b') });
    expect([first.update_id, second.update_id]).toEqual([1, 2]);

    expect((await api.getUpdates()).map((u) => u.update_id)).toEqual([1, 2]);
    expect((await api.getUpdates({ offset: 2 })).map((u) => u.update_id)).toEqual([2]);
    expect(await api.getUpdates({ offset: 3 })).toEqual([]);
  });

  it('holds a long poll until an update is queued', async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 30 });
    setTimeout(() => emulator.queueUpdate({ message: userMessage(9, 'late') }), 200);
    const updates = await poll;
    expect(updates.map((u) => u.message?.text)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('ends an empty long poll at the emulator cap', async () => {
    const started = Date.now();
    await expect(api.getUpdates({ timeout: 30 })).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('refuses getUpdates while a webhook is set', async () => {
    await api.setWebhook('https://bot.example/hook', { secret_token: 'abc' });
    expect((await api.getWebhookInfo()).url).toBe('https://bot.example/hook');
    const error = await grammyError(api.getUpdates());
    expect(error.error_code).toBe(409);
    await api.deleteWebhook();
    await expect(api.getUpdates()).resolves.toEqual([]);
  });

  it('lets waitFor resolve on a later call and explain a timeout', async () => {
    const waiting = emulator.waitFor((c) => c.method === 'sendMessage' && c.params.text === 'later', 2000);
    await api.sendMessage(CHAT, 'now');
    await api.sendMessage(CHAT, 'later');
    await expect(waiting).resolves.toMatchObject({ params: { text: 'later' } });
    await expect(emulator.waitFor('sendVideo', 50)).rejects.toThrow(/recorded calls: sendMessage, sendMessage/);
  });
});

function userMessage(messageId: number, text: string) {
  return {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: CHAT, type: 'private' as const, first_name: 'Test' },
    from: { id: CHAT, is_bot: false, first_name: 'Test' },
    text,
  };
}
