import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { resolveTools } from '../../src/tools.js';

/** The folder the stack's media server serves (test/support/mediaFixtures.ts): the entries are served beside the other fixtures. */
const FIXTURES_DIR = path.join(os.tmpdir(), 'media-bot-fixtures-v1');

/** `entry-<n>.mp4`, n from 1 to `count`: tiny H.264 + AAC clips of n + 1 seconds each, told apart by their duration. */
export async function createPlaylistEntries(count: number): Promise<string[]> {
  await mkdir(FIXTURES_DIR, { recursive: true });
  const { ffmpeg } = resolveTools();
  const files: string[] = [];
  for (let n = 1; n <= count; n++) {
    const file = path.join(FIXTURES_DIR, `entry-${n}.mp4`);
    files.push(file);
    if (existsSync(file)) continue;
    const seconds = n + 1;
    const partial = `${file}.part.mp4`;
    await execa(ffmpeg, [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=duration=${seconds}:size=128x96:rate=10`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=${200 + 40 * n}:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-b:v',
      '60k',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '32k',
      '-shortest',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      partial,
    ]);
    await rename(partial, file);
  }
  return files;
}

/** A page whose `count` `<video>` elements the generic extractor lists as a playlist; `tag` keeps its links apart from other runs' (the media cache keys on them). */
export function playlistPage(count: number, tag: string): string {
  const videos = Array.from(
    { length: count },
    (_, i) => `<video src="entry-${i + 1}.mp4?${tag}" controls></video>`,
  ).join('\n');
  return `<!doctype html><html><head><title>Playlist ${tag}</title></head><body>${videos}</body></html>`;
}
