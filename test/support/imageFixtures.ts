import os from 'node:os';
import path from 'node:path';
import { fixtureMaker } from './mediaFixtures.js';

export interface ImageFixtures {
  dir: string;
  /** 640×480 PNG (a test pattern): sent with sendPhoto. */
  png: string;
  /** 320×240 JPEGs `gallery-01.jpg` … `gallery-12.jpg`, each a different colour: a 12-image post. */
  gallery: string[];
  /** 64×48, 5 frames: sent with sendAnimation. */
  gif: string;
  /** 2000×1900 PNG of noise, over Telegram's 10 MB photo limit: sent as a document. */
  bigPng: string;
  /** 16×16 PNG: a page's icon, left out of its pictures. */
  icon: string;
  /** photo.png as WebP: a photo too. */
  webp: string;
}

const COLOURS = [
  'red',
  'green',
  'blue',
  'yellow',
  'cyan',
  'magenta',
  'white',
  'orange',
  'purple',
  'pink',
  'brown',
  'gray',
];

/**
 * The pictures the photo tests serve, made with the real ffmpeg in the folder the test stack's
 * media server serves (`createMediaFixtures`), once per machine.
 */
export async function createImageFixtures(): Promise<ImageFixtures> {
  const dir = path.join(os.tmpdir(), 'media-bot-fixtures-v1');
  const make = await fixtureMaker(dir);
  const png = await make('photo.png', [
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=640x480:rate=1',
    '-frames:v',
    '1',
    '-f',
    'image2',
    '-c:v',
    'png',
  ]);
  const gallery: string[] = [];
  for (const [index, colour] of COLOURS.entries()) {
    const name = `gallery-${String(index + 1).padStart(2, '0')}.jpg`;
    gallery.push(
      await make(name, [
        '-f',
        'lavfi',
        '-i',
        `color=c=${colour}:size=320x240`,
        '-frames:v',
        '1',
        '-f',
        'image2',
        '-c:v',
        'mjpeg',
      ]),
    );
  }
  const gif = await make('loop.gif', ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5:duration=1', '-f', 'gif']);
  // Random bytes do not compress: about 11.4 MB.
  const bigPng = await make('big-photo-noise.png', [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    '2000x1900',
    '-i',
    '/dev/urandom',
    '-frames:v',
    '1',
    '-f',
    'image2',
    '-c:v',
    'png',
  ]);
  const icon = await make('icon-16.png', [
    '-f',
    'lavfi',
    '-i',
    'color=c=black:size=16x16',
    '-frames:v',
    '1',
    '-f',
    'image2',
    '-c:v',
    'png',
  ]);
  const webp = await make('photo.webp', ['-i', png, '-frames:v', '1', '-f', 'webp', '-c:v', 'libwebp']);
  return { dir, png, gallery, gif, bigPng, icon, webp };
}

/** A page whose only media are `og:image` tags for `urls`, like a photo post's page. */
export function ogImagePage(title: string, urls: readonly string[]): string {
  const tags = urls.map((url) => `<meta property="og:image" content="${url}">`).join('\n');
  return `<!doctype html><html><head><title>${title}</title>\n<meta property="og:title" content="${title}">\n${tags}\n</head><body><p>${title}</p></body></html>`;
}
