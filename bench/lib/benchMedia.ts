/**
 * The media the benches serve, generated once per machine with the real ffmpeg (reused while the
 * files exist): the tests' small clip, and for the memory bench a large H.264 mp4 (720p noise,
 * lossless, so it cannot compress: ~110 MB per 2 s segment, concatenated without re-encoding
 * to the size asked for; a few seconds of ffmpeg and disk).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { resolveTools } from '../../src/tools.js';
import { createMediaFixtures } from '../../test/support/mediaFixtures.js';

export const BENCH_MEDIA_DIR = path.join(os.tmpdir(), 'media-bot-bench-media-v1');

/** The folder to serve: clip.mp4 (the tests' 45 kB clip) and whatever else was generated. */
export async function benchMediaDir(): Promise<string> {
  await mkdir(BENCH_MEDIA_DIR, { recursive: true });
  const clip = path.join(BENCH_MEDIA_DIR, 'clip.mp4');
  if (!existsSync(clip)) await copyFile((await createMediaFixtures()).video, clip);
  return BENCH_MEDIA_DIR;
}

/** `big-<MB>.mp4` of at least `megabytes` × 10^6 bytes in the bench media folder; returns its name and size. */
export async function bigMp4(megabytes: number): Promise<{ name: string; sizeBytes: number }> {
  const dir = await benchMediaDir();
  const name = `big-${megabytes}.mp4`;
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    const { ffmpeg } = resolveTools();
    const segment = path.join(dir, 'noise-segment.mp4');
    if (!existsSync(segment)) {
      await execa(ffmpeg, [
        '-loglevel',
        'error',
        '-y',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'yuv420p',
        '-s',
        '1280x720',
        '-r',
        '25',
        '-i',
        '/dev/urandom',
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-qp',
        '0',
        '-pix_fmt',
        'yuv420p',
        `${segment}.part.mp4`,
      ]);
      await rename(`${segment}.part.mp4`, segment);
    }
    const segmentBytes = (await stat(segment)).size;
    const copies = Math.ceil((megabytes * 1e6) / segmentBytes);
    const list = path.join(dir, 'concat.txt');
    await writeFile(list, `${Array.from({ length: copies }, () => `file '${segment}'`).join('\n')}\n`);
    await execa(ffmpeg, [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      list,
      '-c',
      'copy',
      `${file}.part.mp4`,
    ]);
    await rename(`${file}.part.mp4`, file);
    await rm(list, { force: true });
  }
  return { name, sizeBytes: (await stat(file)).size };
}
