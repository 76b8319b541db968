/**
 * The download engine splitting a video over the limit, against the real yt-dlp, ffmpeg and
 * ffprobe: a page with a 360p and a 180p source, both over a 1 MB limit, is split at 180p (fewest
 * parts); with splitting not asked for, or more parts needed than allowed, it is too large as before.
 */
import { chmod, copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { fetchMedia, type FetchMediaOptions } from '../../activities/adapters/fetchMedia.js';
import { WarmEngine } from '../../activities/adapters/warmEngine.js';
import { resolveTools } from '../../src/tools.js';
import { createSplitSource } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

const MB = 1024 * 1024;
const paths = resolveTools();
const engine = new WarmEngine({ python: paths.python, ffmpeg: paths.ffmpeg, jsRuntime: paths.jsRuntime });
const tools = { engine, ffmpeg: paths.ffmpeg, ffprobe: paths.ffprobe };
let root: string;
let server: MediaServer;
const dirs: string[] = [];

const page = `<!doctype html><html><head><title>Long talk</title></head><body>
<video controls>
  <source src="high.mp4" type="video/mp4" res="360" label="360p" size="360">
  <source src="low.mp4" type="video/mp4" res="180" label="180p" size="180">
</video></body></html>`;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fetch-in-parts-'));
  dirs.push(root);
  await copyFile(await createSplitSource(), path.join(root, 'high.mp4'));
  // 10 s at 320x180, about 1.6 MB, a keyframe every second: over 1 MB, in 2 parts.
  await execa(paths.ffmpeg, [
    ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=10:size=320x180:rate=25'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=10', '-vf', 'noise=alls=30:allf=t'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-b:v', '1200k', '-maxrate', '1200k'],
    ...['-bufsize', '1200k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart'],
    ...['-f', 'mp4', path.join(root, 'low.mp4')],
  ]);
  server = await startMediaServer(root);
  server.page('talk.html', page);
});

afterAll(async () => {
  await engine.close();
  await server.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fetchInto(overrides: Partial<FetchMediaOptions>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fetch-in-parts-request-'));
  await chmod(dir, 0o700);
  dirs.push(dir);
  const outcome = await fetchMedia({
    tools,
    url: server.url('talk.html'),
    dir,
    mode: 'video',
    maxUploadBytes: MB,
    albumCap: 10,
    ...overrides,
  });
  return { outcome, dir };
}

it('splits the lowest quality into parts within the limit, in order', async () => {
  const { outcome } = await fetchInto({ split: { maxParts: 10 } });
  if (outcome.kind !== 'media') throw new Error(`not media: ${JSON.stringify(outcome)}`);
  expect(outcome.parts).toBe(true);
  expect(outcome.items.length).toBe(2);
  for (const [index, item] of outcome.items.entries()) {
    expect(item).toMatchObject({ kind: 'video', height: 180 });
    expect(item.fileName).toMatch(new RegExp(`^Long talk.*\\(${index + 1} of 2\\)\\.mp4$`));
    expect((await stat(item.filePath)).size).toBeLessThanOrEqual(MB);
  }
  const seconds = outcome.items.reduce((sum, item) => sum + (item.durationSeconds ?? 0), 0);
  expect(Math.abs(seconds - 10)).toBeLessThanOrEqual(1);
});

it('is too large, as before, without splitting or with more parts needed than allowed, and leaves nothing', async () => {
  for (const split of [undefined, { maxParts: 1 }]) {
    const { outcome, dir } = await fetchInto(split ? { split } : {});
    expect(outcome).toMatchObject({ kind: 'too-large', limitBytes: MB });
    expect(await readdir(dir)).toEqual([]);
  }
});
