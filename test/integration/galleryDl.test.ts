/**
 * gallery-dl, run for real as the download activity runs it (galleryDl.ts: the venv's Python,
 * gallerydl_runner.py, the egress proxy as `--proxy`), against pictures made with ffmpeg and
 * served from loopback. The media host is reachable only by the name `media.test` (the operator's
 * allowlist); a canary server on loopback stands for the internal network and must never be hit.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEgressProxy, type EgressProxy } from '../../activities/adapters/egressProxy.js';
import { fetchGallery, type GalleryOptions } from '../../activities/adapters/galleryDl.js';
import { ffprobeFile } from '../../activities/adapters/mediaProbe.js';
import { FailureType } from '../../shared/failures.js';
import { resolveTools } from '../../src/tools.js';
import { createImageFixtures, ogImagePage, type ImageFixtures } from '../support/imageFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

const tools = resolveTools();
let proxy: EgressProxy;
let media: MediaServer;
let images: ImageFixtures;
let canary: http.Server;
let canaryPort: number;
let canaryHits = 0;
let root: string;

const fakeDns: Record<string, string[]> = {
  'media.test': ['127.0.0.1'],
  // A public-looking name whose DNS answer points inside.
  'innocent.example': ['127.0.0.1'],
};

beforeAll(async () => {
  images = await createImageFixtures();
  media = await startMediaServer(images.dir);
  canary = http.createServer((_request, response) => {
    canaryHits += 1;
    response.writeHead(200, { 'content-type': 'image/jpeg' }).end('internal secret');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryPort = (canary.address() as AddressInfo).port;
  proxy = await startEgressProxy({
    allowedHosts: ['media.test'],
    resolve: async (host) => {
      const answer = fakeDns[host];
      if (answer) return answer;
      throw Object.assign(new Error(`no such host ${host}`), { code: 'ENOTFOUND' });
    },
  });
  root = await mkdtemp(path.join(os.tmpdir(), 'gallery-dl-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([proxy?.close(), media?.close(), new Promise((resolve) => canary?.close(resolve))]);
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  media.reset();
  canaryHits = 0;
});

/** `name` on the media host, by its allowed name (through the proxy). */
function mediaUrl(name: string): string {
  return `http://media.test:${new URL(media.baseUrl).port}/${name}`;
}

async function run(url: string, options: Partial<GalleryOptions> = {}) {
  const dir = await mkdtemp(path.join(root, 'req-'));
  const outcome = await fetchGallery({
    python: tools.python,
    ffprobe: tools.ffprobe,
    url,
    dir,
    mode: 'video',
    maxUploadBytes: 50 * 1024 * 1024,
    albumCap: 20,
    proxy: proxy.url,
    ...options,
  });
  return { outcome, dir, names: (await readdir(dir)).filter((name) => !name.startsWith('.')).sort() };
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

describe('gallery-dl through the egress proxy', () => {
  it('a direct .png: one photo, the very bytes served, written only in the request dir', async () => {
    const { outcome, dir, names } = await run(mediaUrl('photo.png'));
    expect(outcome).toMatchObject({ kind: 'media', playlist: false, availableItems: 1 });
    if (outcome.kind !== 'media') return;
    expect(outcome.items).toHaveLength(1);
    const [item] = outcome.items;
    expect(item).toMatchObject({ kind: 'photo', width: 640, height: 480, fileName: '1.png' });
    expect(path.dirname(item!.filePath)).toBe(dir);
    expect(await sha256(item!.filePath)).toBe(await sha256(images.png));
    expect(names).toEqual([path.basename(item!.filePath)]);
    expect(media.requestsFor('photo.png')).toBe(1);
  });

  it('a page with 12 og:image: the 12 pictures in page order, each once', async () => {
    const names = images.gallery.map((file) => path.basename(file));
    media.page('post-12.html', ogImagePage('Twelve pictures', names.map(mediaUrl)));
    const { outcome } = await run(mediaUrl('post-12.html'));
    expect(outcome).toMatchObject({ kind: 'media', playlist: true, availableItems: 12 });
    if (outcome.kind !== 'media') return;
    expect(outcome.items.map((item) => item.kind)).toEqual(Array(12).fill('photo'));
    const hashes = await Promise.all(outcome.items.map((item) => sha256(item.filePath)));
    expect(hashes).toEqual(await Promise.all(images.gallery.map(sha256)));
    for (const name of names) expect(media.requestsFor(name)).toBe(1);
  });

  it("a page's icon is left out of its pictures; a direct link to a small picture is not", async () => {
    media.page(
      'with-icon.html',
      `<html><head><meta property="og:image" content="${mediaUrl('gallery-01.jpg')}"></head>` +
        `<body><img src="${mediaUrl('icon-16.png')}"><img src="${mediaUrl('gallery-02.jpg')}"></body></html>`,
    );
    const page = await run(mediaUrl('with-icon.html'));
    expect(page.outcome).toMatchObject({ kind: 'media' });
    if (page.outcome.kind !== 'media') return;
    const hashes = await Promise.all(page.outcome.items.map((item) => sha256(item.filePath)));
    expect(hashes.sort()).toEqual((await Promise.all([images.gallery[0]!, images.gallery[1]!].map(sha256))).sort());
    expect(page.names).toHaveLength(2);

    const icon = await run(mediaUrl('icon-16.png'));
    expect(icon.outcome).toMatchObject({ kind: 'media', items: [{ kind: 'photo', width: 16 }] });
  });

  it('the album cap: the first 10 of 12, and the 12 counted', async () => {
    const names = images.gallery.map((file) => path.basename(file));
    media.page('post-capped.html', ogImagePage('Twelve pictures', names.map(mediaUrl)));
    const { outcome } = await run(mediaUrl('post-capped.html'), { albumCap: 10 });
    expect(outcome).toMatchObject({ kind: 'media', playlist: true, availableItems: 12 });
    if (outcome.kind !== 'media') return;
    expect(outcome.items).toHaveLength(10);
    expect(media.requestsFor(names[10]!)).toBe(0);
    expect(media.requestsFor(names[11]!)).toBe(0);
  });

  it('a direct .jpg and .webp: photos', async () => {
    const jpg = await run(mediaUrl('gallery-03.jpg'));
    expect(jpg.outcome).toMatchObject({
      kind: 'media',
      items: [{ kind: 'photo', width: 320, height: 240, fileName: '1.jpg' }],
    });
    const webp = await run(mediaUrl('photo.webp'));
    expect(webp.outcome).toMatchObject({
      kind: 'media',
      items: [{ kind: 'photo', width: 640, height: 480, fileName: '1.webp' }],
    });
  });

  it('a gif: an animation', async () => {
    const { outcome } = await run(mediaUrl('loop.gif'));
    expect(outcome).toMatchObject({ kind: 'media', playlist: false });
    if (outcome.kind !== 'media') return;
    expect(outcome.items[0]).toMatchObject({ kind: 'animation', width: 64, height: 48, fileName: '1.gif' });
    expect((await ffprobeFile(tools.ffprobe, outcome.items[0]!.filePath)).videoCodec).toBe('gif');
  });

  it('a photo over 10 MB goes as a document; over the upload limit it is not downloaded', async () => {
    const big = await run(mediaUrl('big-photo-noise.png'));
    expect(big.outcome).toMatchObject({ kind: 'media' });
    if (big.outcome.kind === 'media') expect(big.outcome.items[0]!.kind).toBe('document');

    const tooLarge = await run(mediaUrl('big-photo-noise.png'), { maxUploadBytes: 1024 * 1024 });
    expect(tooLarge.outcome).toMatchObject({ kind: 'too-large', limitBytes: 1024 * 1024 });
    if (tooLarge.outcome.kind === 'too-large') expect(tooLarge.outcome.sizeBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(tooLarge.names).toEqual([]);
  });

  it('document mode: the pictures as documents', async () => {
    const { outcome } = await run(mediaUrl('photo.png'), { mode: 'document' });
    expect(outcome).toMatchObject({ kind: 'media', items: [{ kind: 'document' }] });
  });

  it('hostile: a page whose image is on an internal address is refused by the proxy, the address never reached', async () => {
    media.page(
      'hostile.html',
      ogImagePage('Hostile', [
        `http://127.0.0.1:${canaryPort}/secret.jpg`,
        `http://innocent.example:${canaryPort}/rebound.jpg`,
      ]),
    );
    const refusalsBefore = proxy.refusals.length;
    const { outcome, names } = await run(mediaUrl('hostile.html'));
    expect(outcome).toMatchObject({ kind: 'failed', type: FailureType.BlockedAddress });
    expect(canaryHits).toBe(0);
    expect(names).toEqual([]);
    const refused = proxy.refusals.slice(refusalsBefore).map((refusal) => refusal.host);
    expect(refused).toEqual(expect.arrayContaining(['127.0.0.1', 'innocent.example']));
  });

  it('hostile: the allowed pictures of a page come, its internal one does not', async () => {
    media.page(
      'half-hostile.html',
      ogImagePage('Half', [mediaUrl('gallery-01.jpg'), `http://127.0.0.1:${canaryPort}/secret.jpg`]),
    );
    const { outcome } = await run(mediaUrl('half-hostile.html'));
    expect(outcome).toMatchObject({ kind: 'media' });
    if (outcome.kind === 'media') expect(outcome.items).toHaveLength(1);
    expect(canaryHits).toBe(0);
  });

  it('a link named like a picture that serves something else: UnreadablePictures, and the file removed', async () => {
    // Served as image/png, but text: gallery-dl downloads it (an HTML answer it would refuse itself).
    await writeFile(path.join(images.dir, 'not-really.png'), 'not a picture at all\n'.repeat(100));
    const { outcome, names } = await run(mediaUrl('not-really.png'));
    expect(outcome).toMatchObject({ kind: 'failed', type: FailureType.UnreadablePictures });
    expect(names).toEqual([]);
  });

  it('a page with no pictures: NoMediaFound', async () => {
    media.page('empty.html', '<html><head><title>Nothing</title></head><body>text only</body></html>');
    const { outcome } = await run(mediaUrl('empty.html'));
    expect(outcome).toMatchObject({ kind: 'failed', type: FailureType.NoMediaFound });
  });

  it('cancelled: gallery-dl is killed and no picture is left', async () => {
    media.throttle('big-photo-noise.png', 200_000);
    const controller = new AbortController();
    const dir = await mkdtemp(path.join(root, 'req-'));
    const running = fetchGallery({
      python: tools.python,
      ffprobe: tools.ffprobe,
      url: mediaUrl('big-photo-noise.png'),
      dir,
      mode: 'video',
      maxUploadBytes: 50 * 1024 * 1024,
      albumCap: 10,
      proxy: proxy.url,
      signal: controller.signal,
    });
    // Wait until the picture is being served, then cancel.
    const started = Date.now();
    while (media.requestsFor('big-photo-noise.png') === 0 && Date.now() - started < 20_000)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new Error('cancelled by the test');
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    // The killed process's partial picture is gone, and nothing appears later.
    expect((await readdir(dir)).filter((name) => name.startsWith('item-'))).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await readdir(dir)).filter((name) => name.startsWith('item-'))).toEqual([]);
  }, 60_000);
});
