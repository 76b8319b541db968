import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { resolveTools } from '../../src/tools.js';

export interface MediaFixtures {
  dir: string;
  /** 3 s of 320x240 H.264 + AAC in mp4: Telegram streams it, so it is sent as a video. */
  video: string;
  /** 10 s of 320x240 H.264 + AAC in mp4, a keyframe every second: clips are cut from it. */
  tenSeconds: string;
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
 * Makes a fixture file with the real ffmpeg unless it exists (written under another name first,
 * so an interrupted run never leaves a half-written fixture behind).
 */
export async function fixtureMaker(dir: string): Promise<(name: string, args: string[]) => Promise<string>> {
  await mkdir(dir, { recursive: true });
  const { ffmpeg } = resolveTools();
  return async (name, args) => {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      const partial = `${file}.part${path.extname(name)}`;
      await execa(ffmpeg, ['-loglevel', 'error', '-y', ...args, partial]);
      await execa('mv', [partial, file]);
    }
    return file;
  };
}

/**
 * Generates the media the tests serve, with the real ffmpeg, once per machine (the folder is
 * reused while its files exist).
 */
export async function createMediaFixtures(): Promise<MediaFixtures> {
  const dir = path.join(os.tmpdir(), 'media-bot-fixtures-v1');
  const make = await fixtureMaker(dir);
  const lavfiVideo = [
    '-f',
    'lavfi',
    '-i',
    'testsrc=duration=3:size=320x240:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=3',
  ];
  const video = await make('clip.mp4', [
    ...lavfiVideo,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ]);
  const tenSeconds = await make('clip-10s.mp4', [
    '-f',
    'lavfi',
    '-i',
    'testsrc=duration=10:size=320x240:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=10',
    '-c:v',
    'libx264',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ]);
  const audio = await make('tone.mp3', [
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=660:duration=3',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '64k',
    '-f',
    'mp3',
  ]);
  const matroska = await make('clip.mkv', [
    '-f',
    'lavfi',
    '-i',
    'testsrc=duration=2:size=160x120:rate=15',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=2',
    '-c:v',
    'libvpx-vp9',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '100k',
    '-c:a',
    'libopus',
    '-shortest',
    '-f',
    'matroska',
  ]);
  const notMedia = path.join(dir, 'data.bin');
  if (!existsSync(notMedia))
    await writeFile(notMedia, createHash('sha512').update('not media').digest().toString('hex').repeat(64));
  const page = path.join(dir, 'page.html');
  if (!existsSync(page))
    await writeFile(
      page,
      '<!doctype html><html><head><title>No media here</title></head><body><p>Just text.</p></body></html>',
    );
  return { dir, video, tenSeconds, audio, matroska, notMedia, page };
}

/** The heights of {@link createQualityLadder}'s renditions, best first. */
export const LADDER_HEIGHTS = [720, 480, 360, 240] as const;

/**
 * One 4 s source in four renditions (`ladder-<height>.mp4`, noise at a bitrate that grows with
 * the height, so each is larger than the next smaller one) and the page that offers them as
 * the `<source>` elements of one `<video>` (`ladder.html`): a multi-format page as the quality
 * picker probes it. Returns each rendition's size in bytes.
 */
export async function createQualityLadder(): Promise<Record<number, number>> {
  const dir = path.join(os.tmpdir(), 'media-bot-fixtures-v1');
  const make = await fixtureMaker(dir);
  const sizes: Record<number, number> = {};
  for (const height of LADDER_HEIGHTS) {
    const width = Math.round((height * 16) / 9 / 2) * 2;
    const kbps = `${height * 5}k`;
    const file = await make(`ladder-${height}.mp4`, [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=duration=4:size=${width}x${height}:rate=25,noise=alls=30:allf=t`,
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-b:v',
      kbps,
      '-maxrate',
      kbps,
      '-bufsize',
      kbps,
      '-g',
      '25',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-shortest',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
    ]);
    sizes[height] = (await stat(file)).size;
  }
  const sources = LADDER_HEIGHTS.map(
    (height) => `<source src="ladder-${height}.mp4" type="video/mp4" res="${height}" label="${height}p">`,
  ).join('\n');
  await writeFile(
    path.join(dir, 'ladder.html'),
    `<!doctype html><html><head><title>A quality ladder</title></head><body>\n<video controls>\n${sources}\n</video></body></html>\n`,
  );
  return sizes;
}

/**
 * About 3 MB of 640x360 H.264 + AAC in mp4, 10 s with a keyframe every second, at a steady
 * bitrate (noise does not compress): with the upload limit at 1 MB it is split into 3–4 parts.
 * Made apart from the other fixtures since only the split tests need it.
 */
export async function createSplitSource(): Promise<string> {
  const make = await fixtureMaker(path.join(os.tmpdir(), 'media-bot-fixtures-v1'));
  return make('clip-3mb.mp4', [
    '-f',
    'lavfi',
    '-i',
    'testsrc=duration=10:size=640x360:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=10',
    '-vf',
    'noise=alls=30:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '25',
    '-b:v',
    '2300k',
    '-maxrate',
    '2300k',
    '-bufsize',
    '2300k',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
  ]);
}

export async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

export interface FetchFixtures {
  dir: string;
  /** 4 s of 640x360 H.264 + AAC at ~2 Mbit/s (about 0.9 MB): the "large" format. */
  big: string;
  /** The same 4 s at 320x180, ~200 kbit/s (about 0.14 MB): the "small" format. */
  small: string;
  /** 3 s of 320x240 VP9 + Opus in WebM: converted to H.264 for Telegram. */
  webm: string;
  /** 3 s of 320x240 H.264 + AAC in Matroska: remuxed into mp4 without re-encoding. */
  mkv: string;
  /** 20 s of 640x360 VP9 + Opus in WebM: a transcode that takes a while (to cancel it). */
  longWebm: string;
  /** 1 s of 160x120 H.264 + AAC: a gallery item. */
  tiny: string;
  /** A copy of `big` to serve throttled. */
  slow: string;
  /** A 640x360 JPEG: a page's poster (the source thumbnail). */
  poster: string;
}

/**
 * The media of the download engine's tests (test/integration/fetchMedia.test.ts), generated with
 * the real ffmpeg once per machine. Pages are generated by the tests (`MediaServer.page`).
 */
export async function createFetchFixtures(): Promise<FetchFixtures> {
  const dir = path.join(os.tmpdir(), 'media-bot-fetch-fixtures-v1');
  const make = await fixtureMaker(dir);
  const source = (seconds: number, size: string, rate = 25) => [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=duration=${seconds}:size=${size}:rate=${rate}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:duration=${seconds}`,
  ];
  const h264 = (bitrate: string) => [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-b:v',
    bitrate,
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-shortest',
  ];
  const vp9 = [
    '-c:v',
    'libvpx-vp9',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '300k',
    '-c:a',
    'libopus',
    '-b:a',
    '48k',
    '-shortest',
  ];
  const [big, small, webm, mkv, longWebm, tiny, poster] = await Promise.all([
    make('big.mp4', [...source(4, '640x360'), ...h264('2M'), '-movflags', '+faststart', '-f', 'mp4']),
    make('small.mp4', [...source(4, '320x180'), ...h264('200k'), '-movflags', '+faststart', '-f', 'mp4']),
    make('clip.webm', [...source(3, '320x240'), ...vp9, '-f', 'webm']),
    make('clip-h264.mkv', [...source(3, '320x240'), ...h264('300k'), '-f', 'matroska']),
    make('long.webm', [...source(20, '640x360'), ...vp9, '-f', 'webm']),
    make('tiny.mp4', [...source(1, '160x120', 15), ...h264('100k'), '-movflags', '+faststart', '-f', 'mp4']),
    make('poster.jpg', [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360',
      '-frames:v',
      '1',
      '-update',
      '1',
      '-f',
      'image2',
    ]),
  ]);
  const slow = path.join(dir, 'slow.mp4');
  if (!existsSync(slow)) await writeFile(slow, await readFile(big));
  return { dir, big, small, webm, mkv, longWebm, tiny, slow, poster };
}

export interface EngineFixtures {
  dir: string;
  /** Distinct 2 s 160x120 H.264 + AAC mp4 clips, `clip-<n>.mp4` from 1: a tone of its own each, so no two have the same bytes. */
  clips: string[];
  /** A live HLS stream (fMP4 segments, no end): yt-dlp hands it to ffmpeg, which waits for more. */
  live: string;
}

/**
 * The media of the warm engine's tests (test/integration/warmEngine.test.ts,
 * test/e2e/warmEngine.test.ts), generated with the real ffmpeg once per machine: `clipCount`
 * clips to download side by side and tell apart by their bytes (clip n is the same whatever
 * the count), and a live stream that keeps a download's ffmpeg running until it is stopped.
 */
export async function createEngineFixtures(clipCount: number): Promise<EngineFixtures> {
  const dir = path.join(os.tmpdir(), 'media-bot-engine-fixtures-v1');
  const make = await fixtureMaker(dir);
  const clips: string[] = [];
  for (let n = 1; n <= clipCount; n++) {
    clips.push(
      await make(`clip-${n}.mp4`, [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=duration=2:size=160x120:rate=15',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${200 + n * 110}:duration=2`,
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-shortest',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
      ]),
    );
  }
  const live = path.join(dir, 'live.m3u8');
  if (!existsSync(live)) {
    // fMP4 segments: this machine's static ffmpeg cannot read MPEG-TS ones back.
    const event = path.join(dir, 'event.m3u8');
    const { ffmpeg } = resolveTools();
    await execa(ffmpeg, [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=duration=6:size=160x120:rate=15',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '15',
      '-f',
      'hls',
      '-hls_segment_type',
      'fmp4',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'event',
      event,
    ]);
    // No end and no type: yt-dlp takes it for a live stream and downloads it with ffmpeg.
    const playlist = (await readFile(event, 'utf8')).replace(/^#EXT-X-(?:ENDLIST|PLAYLIST-TYPE:.*)\n/gm, '');
    await writeFile(`${live}.part`, playlist);
    await rename(`${live}.part`, live);
  }
  return { dir, clips, live };
}
