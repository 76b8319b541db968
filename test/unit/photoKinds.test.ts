import type { Message } from 'grammy/types';
import { classifyFailure, galleryDlArgs } from '../../activities/adapters/galleryDl.js';
import { fileKindOf, PHOTO_LIMIT_BYTES } from '../../activities/adapters/pictureKind.js';
import { albumGroups, sentFilesOf } from '../../activities/adapters/telegram.js';
import type { FileKind } from '../../shared/activityTypes.js';
import { FailureType } from '../../shared/failures.js';

function items(kinds: string): Array<{ name: string; kind: FileKind }> {
  const byInitial: Record<string, FileKind> = { v: 'video', d: 'document', a: 'audio', p: 'photo', g: 'animation' };
  return [...kinds].map((initial, index) => ({ name: `${initial}${index}`, kind: byInitial[initial]! }));
}

const names = (groups: Array<Array<{ name: string }>>) => groups.map((group) => group.map((item) => item.name));

describe('albums of photos', () => {
  it('puts photos and videos in one album, 10 at most: 12 photos are 10 and 2', () => {
    expect(albumGroups(items('p'.repeat(12))).map((group) => group.length)).toEqual([10, 2]);
    expect(names(albumGroups(items('pvpv')))).toEqual([['p0', 'v1', 'p2', 'v3']]);
  });

  it('a slideshow: the pictures as an album, then the sound alone', () => {
    expect(names(albumGroups(items('pppa')))).toEqual([['p0', 'p1', 'p2'], ['a3']]);
  });

  it('sends every animation alone: sendMediaGroup has no place for one', () => {
    expect(names(albumGroups(items('pgpgg')))).toEqual([['p0'], ['g1'], ['p2'], ['g3'], ['g4']]);
  });
});

describe('sentFilesOf', () => {
  it('records the largest size of a photo', () => {
    const message = {
      message_id: 1,
      photo: [
        { file_id: 'small', file_unique_id: 's', width: 90, height: 60 },
        { file_id: 'large', file_unique_id: 'l', width: 1280, height: 853 },
      ],
    } as unknown as Message;
    expect(sentFilesOf(message)).toEqual([{ fileId: 'large', fileUniqueId: 'l', kind: 'photo' }]);
  });

  it('records an animation as one, though its message has a document too', () => {
    const ids = { file_id: 'gif', file_unique_id: 'g' };
    const message = { message_id: 2, animation: ids, document: ids } as unknown as Message;
    expect(sentFilesOf(message)).toEqual([{ fileId: 'gif', fileUniqueId: 'g', kind: 'animation' }]);
  });
});

describe('fileKindOf', () => {
  const picture = (videoCodec: string, width = 640, height = 480) => ({
    kind: 'document' as const,
    videoCodec,
    width,
    height,
  });

  it('JPEG, PNG and WebP are photos; a GIF is an animation', () => {
    expect(fileKindOf(picture('mjpeg'), 1000, 'video')).toBe('photo');
    expect(fileKindOf(picture('png'), 1000, 'audio')).toBe('photo');
    expect(fileKindOf(picture('webp'), 1000, 'video')).toBe('photo');
    expect(fileKindOf(picture('gif'), 1000, 'video')).toBe('animation');
  });

  it('a picture Telegram would refuse as a photo is a document: over 10 MB, too large or too narrow', () => {
    expect(fileKindOf(picture('png'), PHOTO_LIMIT_BYTES, 'video')).toBe('photo');
    expect(fileKindOf(picture('png'), PHOTO_LIMIT_BYTES + 1, 'video')).toBe('document');
    expect(fileKindOf(picture('png', 6000, 4001), 1000, 'video')).toBe('document');
    expect(fileKindOf(picture('png', 2100, 100), 1000, 'video')).toBe('document');
  });

  it('document mode sends everything as documents; what ffprobe cannot read is left out', () => {
    expect(fileKindOf(picture('gif'), 1000, 'document')).toBe('document');
    expect(fileKindOf({ kind: 'document' }, 1000, 'video')).toBeUndefined();
    expect(fileKindOf({ kind: 'document', formatName: 'tty', videoCodec: 'ansi' }, 1000, 'video')).toBeUndefined();
    expect(fileKindOf(picture('png', 0, 0), 1000, 'video')).toBeUndefined();
    expect(fileKindOf({ kind: 'document', formatName: 'matroska,webm', videoCodec: 'vp9' }, 1000, 'video')).toBe(
      'document',
    );
    expect(fileKindOf({ kind: 'video', videoCodec: 'h264' }, 1000, 'video')).toBe('video');
    expect(fileKindOf({ kind: 'audio', audioCodec: 'mp3' }, 1000, 'video')).toBe('audio');
  });
});

describe('gallery-dl', () => {
  it('is given the proxy, the request dir, the cap and the size limit, and the link after `--`', () => {
    const args = galleryDlArgs({
      url: 'https://example.com/-D/evil',
      dir: '/data/downloads/req-1',
      maxUploadBytes: 50_000_000,
      albumCap: 10,
      proxy: 'http://127.0.0.1:3128',
    });
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(args).toContain('--config-ignore');
    expect(after('--proxy')).toBe('http://127.0.0.1:3128');
    expect(after('-D')).toBe('/data/downloads/req-1');
    expect(after('--range')).toBe('1-10');
    expect(after('--filesize-max')).toBe('50000000');
    expect(args.slice(-2)).toEqual(['--', 'https://example.com/-D/evil']);
    expect(args).not.toContain('--cookies');
  });

  it('reads the cookies from the request dir’s copy when there are any', () => {
    const args = galleryDlArgs({
      url: 'https://example.com/post',
      dir: '/data/downloads/req-1',
      maxUploadBytes: 1,
      albumCap: 1,
      cookies: '/data/downloads/req-1/gallery-cookies.txt',
    });
    expect(args[args.indexOf('--cookies') + 1]).toBe('/data/downloads/req-1/gallery-cookies.txt');
    expect(args.indexOf('--cookies')).toBeLessThan(args.indexOf('--'));
  });

  it('types what it says when it wrote nothing', () => {
    expect(
      classifyFailure("[generic][error] HttpError: '403 Blocked By Egress Policy' for 'http://10.0.0.1/a.jpg'"),
    ).toMatchObject({
      type: FailureType.BlockedAddress,
    });
    expect(classifyFailure("[generic][error] HttpError: '404 Not Found' for 'http://x/a'")).toMatchObject({
      type: FailureType.ContentUnavailable,
    });
    expect(classifyFailure('[gallery-dl][error] Unsupported URL')).toMatchObject({ type: FailureType.UnsupportedUrl });
    expect(classifyFailure('')).toMatchObject({ type: FailureType.NoMediaFound });
  });
});
