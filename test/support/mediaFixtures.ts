import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { resolveTools } from '../../src/tools.js';

export interface MediaFixtures {
  dir: string;
  /** 3 s of 320x240 H.264 + AAC in mp4: Telegram streams it, so it is sent as a video. */
  video: string;
  /** 3 s of MP3: sent as audio. */
  audio: string;
  /** 2 s of VP9 + Opus in Matroska: Telegram plays it badly, so it is sent as a document. */
  matroska: string;
  /** Random bytes served as application/octet-stream: not media at all. */
  notMedia: string;
  /** A web page with no media on it. */
  page: string;
}

/**
 * Generates the media the tests serve, with the real ffmpeg, once per machine (the folder is
 * reused while its files exist).
 */
export async function createMediaFixtures(): Promise<MediaFixtures> {
  const dir = path.join(os.tmpdir(), 'media-bot-fixtures-v1');
  await mkdir(dir, { recursive: true });
  const { ffmpeg } = resolveTools();
  const make = async (name: string, args: string[]) => {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      const partial = `${file}.part${path.extname(name)}`;
      await execa(ffmpeg, ['-loglevel', 'error', '-y', ...args, partial]);
      await execa('mv', [partial, file]);
    }
    return file;
  };
  const lavfiVideo = ['-f', 'lavfi', '-i', 'testsrc=duration=3:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3'];
  const video = await make('clip.mp4', [...lavfiVideo, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', '-f', 'mp4']);
  const audio = await make('tone.mp3', ['-f', 'lavfi', '-i', 'sine=frequency=660:duration=3', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3']);
  const matroska = await make('clip.mkv', [
    '-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=15', '-f', 'lavfi', '-i', 'sine=duration=2',
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '100k', '-c:a', 'libopus', '-shortest', '-f', 'matroska',
  ]);
  const notMedia = path.join(dir, 'data.bin');
  if (!existsSync(notMedia)) await writeFile(notMedia, createHash('sha512').update('not media').digest().toString('hex').repeat(64));
  const page = path.join(dir, 'page.html');
  if (!existsSync(page)) await writeFile(page, '<!doctype html><html><head><title>No media here</title></head><body><p>Just text.</p></body></html>');
  return { dir, video, audio, matroska, notMedia, page };
}

export async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
