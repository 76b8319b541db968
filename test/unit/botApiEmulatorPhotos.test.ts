import { Api, InputFile } from 'grammy';
import type { Message } from 'grammy/types';
import {
  imageDimensions,
  PHOTO_LIMIT_BYTES,
  startBotApiEmulator,
  type BotApiEmulator,
} from '../support/botApiEmulator.js';
import { grammyError } from '../support/grammyError.js';

const CHAT = 4343;

let emulator: BotApiEmulator;
let api: Api;

/** The start of a PNG (signature and IHDR) of `width`×`height`, padded to `size` bytes. */
function png(width: number, height: number, size = 256): Buffer {
  const bytes = Buffer.alloc(Math.max(size, 33));
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  for (let i = 33; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  return bytes;
}

/** A JPEG start: SOI, an APP0 segment, then SOF0 with `width`×`height`. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(64)]);
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => emulator.reset());

describe('Bot API emulator: photos and animations', () => {
  it('reads the size of a PNG, a JPEG and nothing else', () => {
    expect(imageDimensions(png(1600, 1200))).toEqual({ width: 1600, height: 1200 });
    expect(imageDimensions(jpeg(640, 480))).toEqual({ width: 640, height: 480 });
    expect(imageDimensions(Buffer.from('GIF89a....'))).toBeUndefined();
  });

  it('keeps a photo in several sizes, each with a file_id that sendPhoto takes again', async () => {
    const sent = await api.sendPhoto(CHAT, new InputFile(png(1600, 1200), 'a.png'), { caption: 'a post' });
    const sizes = sent.photo!;
    expect(sizes.map((size) => [size.width, size.height])).toEqual([
      [90, 68],
      [320, 240],
      [800, 600],
      [1280, 960],
      [1600, 1200],
    ]);
    expect(new Set(sizes.map((size) => size.file_id)).size).toBe(5);
    expect(new Set(sizes.map((size) => size.file_unique_id)).size).toBe(5);
    expect(sent.caption).toBe('a post');
    // The largest is the uploaded file; the smaller ones are smaller.
    expect(sizes.at(-1)!.file_size).toBe(256);
    expect(sizes[0]!.file_size).toBeLessThan(256);

    const again = await api.sendPhoto(CHAT, sizes.at(-1)!.file_id);
    expect(again.photo!.map((size) => size.file_id)).toEqual(sizes.map((size) => size.file_id));
    const bySmallest = await api.sendPhoto(CHAT, sizes[0]!.file_id);
    expect(bySmallest.photo).toHaveLength(5);
    expect(emulator.callsTo('sendPhoto')).toHaveLength(3);
  });

  it('makes no bigger size than the picture: a small photo has only its own', async () => {
    const sent = await api.sendPhoto(CHAT, new InputFile(png(64, 48), 'small.png'));
    expect(sent.photo!.map((size) => [size.width, size.height])).toEqual([[64, 48]]);
  });

  it('refuses a photo over 10 MB with a 400, as Telegram does, and takes one of exactly 10 MB', async () => {
    const error = await grammyError(
      api.sendPhoto(CHAT, new InputFile(png(800, 600, PHOTO_LIMIT_BYTES + 1), 'big.png')),
    );
    expect(error.error_code).toBe(400);
    expect(error.description).toBe('Bad Request: PHOTO_SAVE_FILE_INVALID');
    expect(emulator.messagesIn(CHAT)).toHaveLength(0);

    const fits = await api.sendPhoto(CHAT, new InputFile(png(800, 600, PHOTO_LIMIT_BYTES), 'fits.png'));
    expect(fits.photo!.at(-1)!.file_size).toBe(PHOTO_LIMIT_BYTES);
    // The same bytes go as a document whatever their size (up to the upload limit).
    const document = await api.sendDocument(CHAT, new InputFile(png(800, 600, PHOTO_LIMIT_BYTES + 1), 'big.png'));
    expect(document.document!.file_size).toBe(PHOTO_LIMIT_BYTES + 1);
  });

  it('sends an animation with its document twin, and again by file_id', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(500, 1)]);
    const sent = await api.sendAnimation(CHAT, new InputFile(gif, 'loop.gif'), { width: 64, height: 48, duration: 1 });
    expect(sent.animation).toMatchObject({ width: 64, height: 48, duration: 1, file_name: 'loop.gif', file_size: 506 });
    expect(sent.document?.file_id).toBe(sent.animation!.file_id);
    expect(sent.animation!.file_id.startsWith('CgAC')).toBe(true);
    const again = await api.sendAnimation(CHAT, sent.animation!.file_id);
    expect(again.animation!.file_unique_id).toBe(sent.animation!.file_unique_id);
  });

  it('puts photos and videos in one album, and refuses an animation or an oversized photo in one', async () => {
    const messages: Message[] = await api.sendMediaGroup(CHAT, [
      { type: 'photo', media: new InputFile(png(1000, 1000), '1.png'), caption: 'post' },
      { type: 'video', media: new InputFile(Buffer.alloc(300, 2), 'clip.mp4') },
      { type: 'photo', media: new InputFile(jpeg(640, 480), '2.jpg') },
    ]);
    expect(messages).toHaveLength(3);
    expect(new Set(messages.map((message) => message.media_group_id)).size).toBe(1);
    expect(messages[0]!.photo!.at(-1)).toMatchObject({ width: 1000, height: 1000 });
    expect(messages[2]!.photo!.at(-1)).toMatchObject({ width: 640, height: 480 });
    expect(messages[1]!.video).toBeDefined();

    const gif = await api.sendAnimation(CHAT, new InputFile(Buffer.alloc(100, 3), 'a.gif'));
    const withAnimation = await grammyError(
      api.sendMediaGroup(CHAT, [
        { type: 'photo', media: messages[0]!.photo!.at(-1)!.file_id },
        // grammY has no InputMedia for it either: sent as a raw object, as a client could.
        { type: 'animation', media: gif.animation!.file_id } as never,
      ]),
    );
    expect(withAnimation.description).toBe("Bad Request: can't parse InputMedia: media type is invalid");

    const oversized = await grammyError(
      api.sendMediaGroup(CHAT, [
        { type: 'photo', media: new InputFile(png(800, 600), 'ok.png') },
        { type: 'photo', media: new InputFile(png(800, 600, PHOTO_LIMIT_BYTES + 1), 'big.png') },
      ]),
    );
    expect(oversized.description).toBe('Bad Request: PHOTO_SAVE_FILE_INVALID');
    // A refused album sends nothing.
    expect(emulator.messagesIn(CHAT)).toHaveLength(4);
  });
});
