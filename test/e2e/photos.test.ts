/**
 * Photo posts end to end: a link through the webhook, the real workers, yt-dlp (which finds no
 * video), gallery-dl through the egress proxy, and the Bot API emulator. Pictures made with ffmpeg,
 * served from loopback: a direct .png goes with sendPhoto, a page of 12 og:image as albums of 10
 * and 2, a gif with sendAnimation, a photo over 10 MB as a document; the same link again is sent
 * by file_id without a second download.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecordedCall } from '../support/botApiEmulator.js';
import { createImageFixtures, ogImagePage, type ImageFixtures } from '../support/imageFixtures.js';
import { requestIdOf as idOf, startTestStack, type TestStack } from '../support/stack.js';
import { probeUploaded } from './support/probeUploaded.js';

let stack: TestStack;
let images: ImageFixtures;

beforeAll(async () => {
  // In the fixtures folder the media server serves.
  images = await createImageFixtures();
  stack = await startTestStack({ MAX_ALBUM_ITEMS: '20' });
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.emulator.reset();
  stack.media.reset();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const fileSha = async (file: string) => sha256(await readFile(file));

function inChat(method: string, chatId: number): RecordedCall[] {
  return stack.emulator.callsTo(method).filter((call) => call.params.chat_id === chatId);
}

/** The uploaded bytes of a call's one file (a photo has no thumbnail). */
function uploaded(call: RecordedCall): Buffer {
  expect(call.files).toHaveLength(1);
  return call.files[0]!.bytes!;
}

async function deliver(url: string, chatId: number): Promise<unknown> {
  const update = stack.linkUpdate(url, { chatId });
  expect((await stack.post(update)).statusCode).toBe(200);
  return stack.client.workflow.getHandle(idOf(update)).result();
}

describe('photo posts', () => {
  it('a direct .png → sendPhoto with the very picture; the same link again → one download, then a re-send by file_id', async () => {
    const chatId = 95_001;
    const link = stack.mediaUrl('photo.png');
    await expect(deliver(link, chatId)).resolves.toMatchObject({ outcome: 'delivered' });

    const [sent, ...more] = inChat('sendPhoto', chatId);
    expect(more).toHaveLength(0);
    const bytes = uploaded(sent!);
    expect(sha256(bytes)).toBe(await fileSha(images.png));
    expect(await probeUploaded(bytes, stack.dataDir)).toMatchObject({ video: 'png' });
    for (const method of ['sendVideo', 'sendDocument', 'sendAudio', 'sendMediaGroup'])
      expect(inChat(method, chatId)).toHaveLength(0);
    const sizes = (sent!.response as { result: { photo: Array<{ file_id: string; width: number }> } }).result.photo;
    expect(sizes.at(-1)!.width).toBe(640);
    expect(stack.media.requestsFor('photo.png')).toBe(1);

    const again = 95_002;
    await expect(deliver(link, again)).resolves.toMatchObject({ outcome: 'cached' });
    const [resent, ...others] = inChat('sendPhoto', again);
    expect(others).toHaveLength(0);
    // By file_id: the largest size, no upload, and no second download.
    expect(resent!.params.photo).toBe(sizes.at(-1)!.file_id);
    expect(resent!.files).toHaveLength(0);
    expect(stack.media.requestsFor('photo.png')).toBe(1);
  });

  it('a page with 12 og:image → albums of 10 and 2, photos in page order', async () => {
    const chatId = 95_003;
    const names = images.gallery.map((file) => path.basename(file));
    const base = new URL(stack.media.url('x')).origin;
    stack.media.page(
      'post-12.html',
      ogImagePage(
        'Twelve pictures',
        names.map((name) => `${base}/${name}`),
      ),
    );
    const link = stack.mediaUrl('post-12.html');
    await expect(deliver(link, chatId)).resolves.toMatchObject({ outcome: 'delivered' });

    const albums = inChat('sendMediaGroup', chatId);
    expect(albums.map((call) => (call.params.media as unknown[]).length)).toEqual([10, 2]);
    const types = albums.flatMap((call) => (call.params.media as Array<{ type: string }>).map((item) => item.type));
    expect(types).toEqual(Array(12).fill('photo'));
    // The uploads of each album in its media order: the 12 pictures as served, in the page's order.
    const hashes = albums.flatMap((call) =>
      (call.params.media as Array<{ media: string }>).map((item) => {
        const file = call.files.find((upload) => `attach://${upload.field}` === item.media);
        return sha256(file!.bytes!);
      }),
    );
    expect(hashes).toEqual(await Promise.all(images.gallery.map(fileSha)));
    const messages = albums.flatMap(
      (call) =>
        (call.response as { result: Array<{ photo?: Array<{ file_id: string }>; media_group_id?: string }> }).result,
    );
    expect(messages.every((message) => Array.isArray(message.photo))).toBe(true);
    expect(new Set(messages.map((message) => message.media_group_id)).size).toBe(2);
    expect(inChat('sendPhoto', chatId)).toHaveLength(0);

    // The same post again: the same two albums, by the file_ids of the largest sizes, nothing downloaded.
    const again = 95_009;
    await expect(deliver(link, again)).resolves.toMatchObject({ outcome: 'cached' });
    const resent = inChat('sendMediaGroup', again);
    expect(resent.map((call) => call.files.length)).toEqual([0, 0]);
    expect(
      resent.flatMap((call) => (call.params.media as Array<{ type: string; media: string }>).map((item) => item.type)),
    ).toEqual(Array(12).fill('photo'));
    expect(resent.flatMap((call) => (call.params.media as Array<{ media: string }>).map((item) => item.media))).toEqual(
      messages.map((message) => message.photo!.at(-1)!.file_id),
    );
    for (const name of names) expect(stack.media.requestsFor(name)).toBe(1);
  });

  it('a mixed post (pictures and a video yt-dlp finds no player for) → one album of photos and the video', async () => {
    const chatId = 95_007;
    const base = new URL(stack.media.url('x')).origin;
    stack.media.page(
      'mixed.html',
      `<!doctype html><html><head><title>Mixed</title>
<meta property="og:image" content="${base}/gallery-01.jpg"><meta property="og:image" content="${base}/gallery-02.jpg">
</head><body><p>A post</p><a href="${base}/clip.mp4">the clip</a></body></html>`,
    );
    await expect(deliver(stack.mediaUrl('mixed.html'), chatId)).resolves.toMatchObject({ outcome: 'delivered' });
    const [album, ...more] = inChat('sendMediaGroup', chatId);
    expect(more).toHaveLength(0);
    const media = album!.params.media as Array<{ type: string; media: string }>;
    expect(media.map((item) => item.type)).toEqual(['photo', 'photo', 'video']);
    const bytesOf = (item: { media: string }) =>
      album!.files.find((upload) => `attach://${upload.field}` === item.media)!.bytes!;
    expect(sha256(bytesOf(media[0]!))).toBe(await fileSha(images.gallery[0]!));
    expect(sha256(bytesOf(media[1]!))).toBe(await fileSha(images.gallery[1]!));
    expect(await probeUploaded(bytesOf(media[2]!), stack.dataDir)).toMatchObject({ video: 'h264', audio: 'aac' });
  });

  it('a slideshow (pictures and a sound track) → the pictures as an album, then the sound alone', async () => {
    const chatId = 95_008;
    const base = new URL(stack.media.url('x')).origin;
    stack.media.page(
      'slideshow.html',
      `<!doctype html><html><head><title>Slides</title>
<meta property="og:image" content="${base}/gallery-04.jpg"><meta property="og:image" content="${base}/gallery-05.jpg">
<meta property="og:image" content="${base}/gallery-06.jpg"><meta property="og:audio" content="${base}/tone.mp3">
</head><body><p>A slideshow</p></body></html>`,
    );
    await expect(deliver(stack.mediaUrl('slideshow.html'), chatId)).resolves.toMatchObject({ outcome: 'delivered' });
    const sends = stack.emulator.calls
      .filter(
        (call) => call.params.chat_id === chatId && call.method.startsWith('send') && call.method !== 'sendMessage',
      )
      .map((call) => call.method);
    expect(sends).toEqual(['sendMediaGroup', 'sendAudio']);
    const [album] = inChat('sendMediaGroup', chatId);
    expect((album!.params.media as Array<{ type: string }>).map((item) => item.type)).toEqual([
      'photo',
      'photo',
      'photo',
    ]);
    const [sound] = inChat('sendAudio', chatId);
    const audio = sound!.files.find((file) => file.fileName !== 'thumbnail.jpg')!;
    expect(await probeUploaded(audio.bytes!, stack.dataDir)).toMatchObject({ audio: 'mp3' });
  });

  it('a gif → sendAnimation', async () => {
    const chatId = 95_004;
    await expect(deliver(stack.mediaUrl('loop.gif'), chatId)).resolves.toMatchObject({ outcome: 'delivered' });
    const [sent, ...more] = inChat('sendAnimation', chatId);
    expect(more).toHaveLength(0);
    expect(sha256(uploaded(sent!))).toBe(await fileSha(images.gif));
    expect(sent!.params).toMatchObject({ width: 64, height: 48 });
    expect(inChat('sendPhoto', chatId)).toHaveLength(0);
    expect(inChat('sendDocument', chatId)).toHaveLength(0);
  });

  it('a picture at a link without a picture extension: yt-dlp downloads it, and it goes as a photo, not a one-frame video', async () => {
    const chatId = 95_006;
    stack.media.redirect('picture-of-the-day', stack.media.url('photo.png'));
    await expect(deliver(stack.mediaUrl('picture-of-the-day'), chatId)).resolves.toMatchObject({
      outcome: 'delivered',
    });
    const [sent] = inChat('sendPhoto', chatId);
    expect(sha256(uploaded(sent!))).toBe(await fileSha(images.png));
    expect(inChat('sendVideo', chatId)).toHaveLength(0);
  });

  it('a photo over 10 MB → sendDocument (Telegram would refuse it as a photo)', async () => {
    const chatId = 95_005;
    await expect(deliver(stack.mediaUrl('big-photo-noise.png'), chatId)).resolves.toMatchObject({
      outcome: 'delivered',
    });
    expect(inChat('sendPhoto', chatId)).toHaveLength(0);
    const [sent] = inChat('sendDocument', chatId);
    expect(sha256(uploaded(sent!))).toBe(await fileSha(images.bigPng));
  });
});
