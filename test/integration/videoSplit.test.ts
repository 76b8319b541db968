/**
 * Splitting against the real ffmpeg: a 3 MB clip with the upload limit at 1 MB.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffprobeFile } from '../../activities/adapters/mediaProbe.js';
import { splitVideo } from '../../activities/adapters/videoSplit.js';
import { resolveTools } from '../../src/tools.js';
import { createSplitSource } from '../support/mediaFixtures.js';

const MB = 1024 * 1024;
let dir: string;
let source: string;

beforeAll(async () => {
  source = await createSplitSource();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'video-split-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context() {
  const { ffmpeg, ffprobe } = resolveTools();
  return { ffmpeg, ffprobe, nice: 10 };
}

it('cuts a 3 MB clip into 3–4 playable parts of at most 1 MB, in order, adding up to the whole', async () => {
  const input = path.join(dir, 'video.mp4');
  await copyFile(source, input);
  const outcome = await splitVideo(context(), input, { maxUploadBytes: MB, maxParts: 10 });
  if (outcome.kind !== 'split') throw new Error(`not split: ${JSON.stringify(outcome)}`);
  expect(outcome.parts.length).toBeGreaterThanOrEqual(3);
  expect(outcome.parts.length).toBeLessThanOrEqual(4);
  let total = 0;
  for (const part of outcome.parts) {
    expect(part.sizeBytes).toBeLessThanOrEqual(MB);
    const probed = await ffprobeFile(context().ffprobe, part.filePath);
    expect(probed).toMatchObject({ kind: 'video', videoCodec: 'h264', audioCodec: 'aac' });
    total += probed.durationSeconds ?? 0;
  }
  expect(Math.abs(total - 10)).toBeLessThanOrEqual(1);
  expect(outcome.parts.map((part) => part.filePath)).toEqual([...outcome.parts.map((part) => part.filePath)].sort());
});

it('cuts a part that comes out over the limit again, shorter', async () => {
  const input = path.join(dir, 'video.mp4');
  await copyFile(source, input);
  // At 900 kB the plan is 4 parts, and the first (0–3 s: keyframes fall each second) is 1 MB.
  const limit = 900 * 1024;
  const outcome = await splitVideo(context(), input, { maxUploadBytes: limit, maxParts: 10 });
  if (outcome.kind !== 'split') throw new Error(`not split: ${JSON.stringify(outcome)}`);
  expect(outcome.parts.map((part) => path.basename(part.filePath))).toContain('video.p000.p000.mp4');
  for (const part of outcome.parts) expect(part.sizeBytes).toBeLessThanOrEqual(limit);
  const durations = outcome.parts.map((part) => part.durationSeconds ?? 0);
  expect(Math.abs(durations.reduce((sum, seconds) => sum + seconds, 0) - 10)).toBeLessThanOrEqual(1);
});

it('refuses a video that needs more parts than allowed, and leaves no part behind', async () => {
  const input = path.join(dir, 'video.mp4');
  await copyFile(source, input);
  const outcome = await splitVideo(context(), input, { maxUploadBytes: MB, maxParts: 2 });
  expect(outcome).toMatchObject({ kind: 'tooMany' });
  expect(await readdir(dir)).toEqual(['video.mp4']);
});
