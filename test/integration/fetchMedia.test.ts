/**
 * The download engine against the real yt-dlp, ffmpeg and ffprobe, downloading media generated
 * with ffmpeg from a loopback server (pages are generated here and served by it).
 */
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import {
  fetchMedia,
  type FetchMediaOptions,
  type FetchMediaOutcome,
  type FetchProgress,
} from '../../activities/adapters/fetchMedia.js';
import { WarmEngine } from '../../activities/adapters/warmEngine.js';
import { resolveTools } from '../../src/tools.js';
import { FailureType } from '../../shared/failures.js';
import { createFetchFixtures, type FetchFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

const paths = resolveTools();
const engine = new WarmEngine({ python: paths.python, ffmpeg: paths.ffmpeg, jsRuntime: paths.jsRuntime });
const tools = { engine, ffmpeg: paths.ffmpeg, ffprobe: paths.ffprobe };
let fixtures: FetchFixtures;
let server: MediaServer;
const dirs: string[] = [];

beforeAll(async () => {
  fixtures = await createFetchFixtures();
  server = await startMediaServer(fixtures.dir);
});

afterAll(async () => {
  await engine.close();
  await server.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

beforeEach(() => server.reset());

async function requestDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fetch-media-test-'));
  await chmod(dir, 0o700);
  dirs.push(dir);
  return dir;
}

async function fetchInto(
  url: string,
  overrides: Partial<FetchMediaOptions> = {},
): Promise<{ outcome: FetchMediaOutcome; dir: string }> {
  const dir = overrides.dir ?? (await requestDir());
  const outcome = await fetchMedia({
    tools,
    url,
    dir,
    mode: 'video',
    maxUploadBytes: 5_000_000,
    albumCap: 10,
    ...overrides,
  });
  return { outcome, dir };
}

function media(outcome: FetchMediaOutcome) {
  if (outcome.kind !== 'media') throw new Error(`expected media, got ${JSON.stringify(outcome).slice(0, 2000)}`);
  return outcome;
}

interface Probe {
  format: { format_name: string; duration?: string };
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>;
}

async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await execa(tools.ffprobe, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    file,
  ]);
  return JSON.parse(stdout) as Probe;
}

/**
 * The engine's job children alive now, as `pid comm` lines: a download runs in a child forked
 * from the engine (`ps -o comm` = ytdlp-job), whose command line is the engine's, not the dir.
 */
function jobChildrenNow(): string[] {
  const result = execaSync('ps', ['--ppid', String(engine.info!.pid), '-o', 'pid=,comm='], { reject: false });
  return String(result.stdout)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith(' ytdlp-job'));
}

/** Processes whose command line names `dir` (ffmpeg always does: it writes into it). */
async function processesUsing(dir: string): Promise<string[]> {
  const result = await execa('pgrep', ['-a', '-f', dir], { reject: false });
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

function processesUsingNow(dir: string): string[] {
  const result = execaSync('pgrep', ['-a', '-f', dir], { reject: false });
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

async function expectTelegramThumbnail(file: string | undefined): Promise<void> {
  expect(file).toBeDefined();
  const bytes = await readFile(file!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  expect(bytes.length).toBeLessThanOrEqual(200 * 1024);
  const probe = await ffprobe(file!);
  const picture = probe.streams[0]!;
  expect(picture.codec_name).toBe('mjpeg');
  expect(Math.max(picture.width ?? 0, picture.height ?? 0)).toBeLessThanOrEqual(320);
  expect(Math.max(picture.width ?? 0, picture.height ?? 0)).toBeGreaterThan(0);
}

const twoSizesPage = `<!doctype html><html><head><title>Two sizes</title></head><body>
<video controls poster="poster.jpg">
  <source src="big.mp4" type="video/mp4" res="360" label="360p" size="360">
  <source src="small.mp4" type="video/mp4" res="180" label="180p" size="180">
</video></body></html>`;

describe('fetchMedia', () => {
  it('downloads the small source of a page when the large one is over the limit', async () => {
    server.page('two-sizes.html', twoSizesPage);
    const { outcome } = await fetchInto(server.url('two-sizes.html'), { maxUploadBytes: 500_000 });
    const result = media(outcome);
    expect(result.playlist).toBe(false);
    expect(result.availableItems).toBe(1);
    expect(result.items).toHaveLength(1);
    const item = result.items[0]!;
    expect(item).toMatchObject({
      kind: 'video',
      mimeType: 'video/mp4',
      width: 320,
      height: 180,
      durationSeconds: 4,
      sizeBytes: (await stat(fixtures.small)).size,
    });
    expect(item.conversion).toBeUndefined();
    expect(item.fileName).toMatch(/^Two sizes.*\.mp4$/);
    // The large source was tried first and refused by --max-filesize, not downloaded.
    expect(server.requestsFor('big.mp4')).toBeGreaterThanOrEqual(1);
    await expectTelegramThumbnail(item.thumbnailPath);
  });

  it('answers too-large with the smallest size it saw when no source fits', async () => {
    server.page('two-sizes.html', twoSizesPage);
    const { outcome, dir } = await fetchInto(server.url('two-sizes.html'), { maxUploadBytes: 100_000 });
    expect(outcome).toEqual({ kind: 'too-large', sizeBytes: (await stat(fixtures.small)).size, limitBytes: 100_000 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('transcodes a VP9 WebM into an mp4 with H.264 and AAC that Telegram streams', async () => {
    const { outcome } = await fetchInto(server.url('clip.webm'));
    const item = media(outcome).items[0]!;
    expect(item).toMatchObject({
      kind: 'video',
      conversion: 'transcoded',
      mimeType: 'video/mp4',
      width: 320,
      height: 240,
      durationSeconds: 3,
    });
    const probe = await ffprobe(item.filePath);
    expect(probe.format.format_name).toContain('mp4');
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(item.filePath.endsWith('.mp4')).toBe(true);
    await expectTelegramThumbnail(item.thumbnailPath);
  });

  it('remuxes H.264 from Matroska into mp4 without re-encoding it', async () => {
    const { outcome, dir } = await fetchInto(server.url('clip-h264.mkv'));
    const item = media(outcome).items[0]!;
    expect(item).toMatchObject({ kind: 'video', conversion: 'remuxed', width: 320, height: 240 });
    const probe = await ffprobe(item.filePath);
    expect(probe.format.format_name).toContain('mp4');
    expect(probe.streams.find((s) => s.codec_type === 'video')?.codec_name).toBe('h264');
    // The original is gone: only the converted video and its thumbnail are left.
    expect((await readdir(dir)).sort()).toEqual(
      [path.basename(item.filePath), path.basename(item.thumbnailPath!)].sort(),
    );
  });

  it('sends a WebM as a document when it is longer than what it may transcode', async () => {
    const { outcome } = await fetchInto(server.url('clip.webm'), { maxTranscodeSeconds: 1 });
    const item = media(outcome).items[0]!;
    expect(item).toMatchObject({ kind: 'document', mimeType: 'video/webm', width: 320, height: 240 });
    expect(item.conversion).toBeUndefined();
    await expectTelegramThumbnail(item.thumbnailPath);
  });

  it('extracts the audio of a video in audio mode, with title, duration and the page poster as cover', async () => {
    server.page(
      'song.html',
      '<!doctype html><html><head><title>Evening Song</title></head><body><video poster="poster.jpg" src="small.mp4" controls></video></body></html>',
    );
    const { outcome } = await fetchInto(server.url('song.html'), { mode: 'audio' });
    const item = media(outcome).items[0]!;
    expect(item).toMatchObject({ kind: 'audio', mimeType: 'audio/mp4', durationSeconds: 4, conversion: 'remuxed' });
    expect(item.title).toMatch(/^Evening Song/);
    expect(item.fileName).toMatch(/^Evening Song.*\.m4a$/);
    const probe = await ffprobe(item.filePath);
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['audio:aac']);
    expect(server.requestsFor('poster.jpg')).toBe(1);
    await expectTelegramThumbnail(item.thumbnailPath);
    // 640x360 poster → 320x180 cover.
    const cover = (await ffprobe(item.thumbnailPath!)).streams[0]!;
    expect([cover.width, cover.height]).toEqual([320, 180]);
  });

  it('downloads the first 10 videos of a 12-video gallery in page order and says 12 were offered', async () => {
    const videos = Array.from(
      { length: 12 },
      (_, i) => `<figure><video src="tiny.mp4?n=${i + 1}" controls></video></figure>`,
    ).join('\n');
    server.page(
      'gallery.html',
      `<!doctype html><html><head><title>Gallery</title></head><body>${videos}</body></html>`,
    );
    const progress: FetchProgress[] = [];
    const { outcome } = await fetchInto(server.url('gallery.html'), {
      albumCap: 10,
      onProgress: (p) => progress.push(p),
    });
    const result = media(outcome);
    expect(result.playlist).toBe(true);
    expect(result.availableItems).toBe(12);
    expect(result.skipped).toEqual([]);
    expect(result.items.map((item) => item.title)).toEqual(Array.from({ length: 10 }, (_, i) => `Gallery (${i + 1})`));
    expect(server.requestsFor('tiny.mp4')).toBe(10);
    for (const item of result.items) {
      expect(item).toMatchObject({ kind: 'video', width: 160, height: 120, durationSeconds: 1 });
      await expectTelegramThumbnail(item.thumbnailPath);
    }
    expect(new Set(result.items.map((item) => item.filePath)).size).toBe(10);
    expect(progress.some((p) => p.phase === 'downloading' && p.item === 10 && p.items === 10)).toBe(true);
  });

  it('skips gallery items that fail or that the egress check refuses, and says which', async () => {
    const sources = ['tiny.mp4?n=1', 'missing.mp4', 'http://10.255.255.1/private.mp4', 'tiny.mp4?n=4'];
    server.page(
      'mixed-gallery.html',
      `<!doctype html><html><head><title>Mixed</title></head><body>${sources.map((src) => `<video src="${src}"></video>`).join('')}</body></html>`,
    );
    const checked: string[] = [];
    const { outcome } = await fetchInto(server.url('mixed-gallery.html'), {
      isAllowedUrl: (url) => {
        checked.push(url);
        return new URL(url).hostname === '127.0.0.1';
      },
    });
    const result = media(outcome);
    expect(result.items.map((item) => item.title)).toEqual(['Mixed (1)', 'Mixed (4)']);
    expect(result.availableItems).toBe(4);
    expect(result.skipped).toEqual([
      { item: 2, reason: 'failed' },
      { item: 3, reason: 'blocked' },
    ]);
    expect(checked).toContain('http://10.255.255.1/private.mp4');
  });

  it('sends the best source that fits as a document in document mode', async () => {
    server.page('two-sizes.html', twoSizesPage);
    const { outcome } = await fetchInto(server.url('two-sizes.html'), { mode: 'document' });
    const item = media(outcome).items[0]!;
    expect(item).toMatchObject({
      kind: 'document',
      height: 360,
      sizeBytes: (await stat(fixtures.big)).size,
      mimeType: 'video/mp4',
    });
    expect(item.conversion).toBeUndefined();
  });

  it('answers a gone link with a typed failure: ContentUnavailable, and the HTTP error as the reason', async () => {
    const { outcome, dir } = await fetchInto(server.url('gone.mp4'));
    expect(outcome).toMatchObject({ kind: 'failed', type: FailureType.ContentUnavailable });
    if (outcome.kind !== 'failed') return;
    expect(outcome.reason).toContain('HTTP Error 404');
    expect(await readdir(dir)).toEqual([]);
  });

  it('gives yt-dlp a private copy of the cookies file and leaves the original untouched', async () => {
    const secrets = await requestDir();
    const original = path.join(secrets, 'cookies.txt');
    await writeFile(original, '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tsecret-value\n', {
      mode: 0o600,
    });
    const before = await stat(original);
    const dir = await requestDir();
    let copyMode: number | undefined;
    const { outcome } = await fetchInto(server.url('small.mp4'), {
      dir,
      cookiesFile: original,
      onProgress: () => {
        void stat(path.join(dir, 'cookies.txt')).then(
          (s) => (copyMode ??= s.mode & 0o777),
          () => undefined,
        );
      },
    });
    media(outcome);
    expect(server.headersFor('small.mp4')?.cookie).toBe('session=secret-value');
    const after = await stat(original);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await readFile(original, 'utf8')).toBe(
      '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tsecret-value\n',
    );
    expect(copyMode).toBe(0o600);
    // The copy (yt-dlp rewrote it) and the info JSONs (which carry cookies) are gone.
    expect((await readdir(dir)).filter((name) => name.includes('cookies') || name.endsWith('.json'))).toEqual([]);
  });

  it('reports progress with downloaded bytes, total and speed while a slow file downloads', async () => {
    server.throttle('slow.mp4', 600_000);
    const progress: FetchProgress[] = [];
    const { outcome } = await fetchInto(server.url('slow.mp4'), { onProgress: (p) => progress.push(p) });
    const size = (await stat(fixtures.slow)).size;
    expect(media(outcome).items[0]!.sizeBytes).toBe(size);
    expect(progress[0]).toEqual({ phase: 'probing' });
    const downloading = progress.filter((p) => p.phase === 'downloading' && (p.downloadedBytes ?? 0) > 0);
    expect(downloading.length).toBeGreaterThanOrEqual(2);
    expect(downloading.some((p) => p.downloadedBytes! < size)).toBe(true);
    expect(downloading.at(-1)).toMatchObject({ downloadedBytes: size, totalBytes: size, item: 1, items: 1 });
    expect(downloading.some((p) => (p.speedBytesPerSecond ?? 0) > 0)).toBe(true);
    const bytes = downloading.map((p) => p.downloadedBytes!);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
  });

  it("kills the engine's job child when cancelled mid-download, rejects with the reason and leaves no process or partial file", async () => {
    server.throttle('slow.mp4', 40_000);
    const dir = await requestDir();
    const controller = new AbortController();
    let running: string[] = [];
    const fetching = fetchInto(server.url('slow.mp4'), {
      dir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'downloading' && (p.downloadedBytes ?? 0) > 0 && !controller.signal.aborted) {
          // The job's child is alive while its progress is read: look at it, then cancel.
          running = jobChildrenNow();
          controller.abort(new Error('cancelled by the test'));
        }
      },
    });
    await expect(fetching).rejects.toThrow('cancelled by the test');
    const aborted = Date.now();
    expect(running).toHaveLength(1);
    // The cancel is one SIGKILL to the child's process group: gone well within a second.
    let left = jobChildrenNow();
    while (left.length > 0 && Date.now() - aborted < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      left = jobChildrenNow();
    }
    expect(left).toEqual([]);
    expect(await processesUsing(dir)).toEqual([]);
    // Nothing half-downloaded stays behind (yt-dlp's .part, a .ytdl, an unfinished item-1.mp4).
    expect(await readdir(dir)).toEqual([]);
  });

  it('kills ffmpeg when cancelled mid-conversion and leaves no process behind', async () => {
    const dir = await requestDir();
    const controller = new AbortController();
    let running: string[] = [];
    const fetching = fetchInto(server.url('long.webm'), {
      dir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'converting' && p.downloadedBytes !== undefined && !controller.signal.aborted) {
          running = processesUsingNow(dir);
          controller.abort(new Error('cancelled while converting'));
        }
      },
    });
    await expect(fetching).rejects.toThrow('cancelled while converting');
    expect(running.some((line) => line.includes('ffmpeg'))).toBe(true);
    expect(await processesUsing(dir)).toEqual([]);
  });
});
