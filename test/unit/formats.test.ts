import { safeFileName } from '../../activities/adapters/fetchMedia.js';
import { audioTarget, videoBitrateBudget } from '../../activities/adapters/ffmpeg.js';
import {
  AUDIO_SOURCE_FACTOR,
  audioCodecClass,
  estimateFormatBytes,
  planFormats,
  videoCodecClass,
  type FormatPlanOptions,
} from '../../activities/adapters/formats.js';
import {
  escapeOutputTemplate,
  parseMediaInfo,
  parseProbeOutput,
  type MediaFormat,
} from '../../activities/adapters/ytDlpInfo.js';
import { chooseJsRuntime, OLDEST_NODE_FOR_YT_DLP, resolveTools } from '../../src/tools.js';

const MB = 1_000_000;

/** Formats in yt-dlp's order (worst first), as a probe's info lists them. */
function formats(...list: Array<Omit<MediaFormat, 'order'>>): MediaFormat[] {
  return list.map((format, order) => ({ ...format, order }));
}

/** A YouTube-like list: H.264 and VP9 video-only formats, AAC and Opus audio, one muxed 360p. */
const youtube = formats(
  { id: '139', ext: 'm4a', vcodec: 'none', acodec: 'mp4a.40.5', abr: 48, filesize: 1 * MB },
  { id: '249', ext: 'webm', vcodec: 'none', acodec: 'opus', abr: 50, filesize: 1 * MB },
  { id: '18', ext: 'mp4', vcodec: 'avc1.42001e', acodec: 'mp4a.40.2', height: 360, filesize: 12 * MB },
  { id: '140', ext: 'm4a', vcodec: 'none', acodec: 'mp4a.40.2', abr: 129, filesize: 3 * MB },
  { id: '251', ext: 'webm', vcodec: 'none', acodec: 'opus', abr: 140, filesize: 3.2 * MB },
  { id: '134', ext: 'mp4', vcodec: 'avc1.4d401e', acodec: 'none', height: 360, filesize: 8 * MB },
  { id: '243', ext: 'webm', vcodec: 'vp9', acodec: 'none', height: 360, filesize: 7 * MB },
  { id: '135', ext: 'mp4', vcodec: 'avc1.4d401f', acodec: 'none', height: 480, filesize: 15 * MB },
  { id: '244', ext: 'webm', vcodec: 'vp9', acodec: 'none', height: 480, filesize: 12 * MB },
  { id: '136', ext: 'mp4', vcodec: 'avc1.4d401f', acodec: 'none', height: 720, filesize: 30 * MB },
  { id: '247', ext: 'webm', vcodec: 'vp9', acodec: 'none', height: 720, filesize: 25 * MB },
  { id: '137', ext: 'mp4', vcodec: 'avc1.640028', acodec: 'none', height: 1080, filesize: 60 * MB },
  { id: '248', ext: 'webm', vcodec: 'vp9', acodec: 'none', height: 1080, filesize: 45 * MB },
  { id: 'sb0', ext: 'mhtml', vcodec: 'none', acodec: 'none', protocol: 'mhtml' },
);

const video = (overrides: Partial<FormatPlanOptions> = {}): FormatPlanOptions => ({
  mode: 'video',
  maxUploadBytes: 50 * MB,
  ...overrides,
});

describe('planFormats in video mode', () => {
  it('picks the best H.264 that fits with AAC audio, before any larger-resolution VP9', () => {
    const plan = planFormats(youtube, video());
    expect(plan.candidates.map((c) => c.selector)).toEqual([
      '136+140',
      '135+140',
      '134+140',
      '18',
      '248+251',
      '247+251',
    ]);
    expect(plan.candidates[0]).toMatchObject({
      height: 720,
      estimatedBytes: 33 * MB,
      certainty: 'exact',
      telegramReady: true,
      mergeOutputFormat: 'mp4',
      guardBytes: 50 * MB,
    });
    expect(plan.candidates[4]).toMatchObject({ telegramReady: false, mergeOutputFormat: 'mp4/mkv' });
    // 1080p H.264 with audio (63 MB) was left out for its size.
    expect(plan.smallestRejectedBytes).toBe(61 * MB);
  });

  it('keeps to the chat quality cap and tries formats above it last, lowest first', () => {
    const plan = planFormats(youtube, video({ maxHeight: 480, maxCandidates: 20 }));
    expect(plan.candidates.map((c) => c.selector)).toEqual([
      '135+140',
      '134+140',
      '18',
      '244+251',
      '243+251',
      '136+140',
      '247+251',
      '248+251',
    ]);
  });

  it('falls back to a lower quality when only that fits', () => {
    const plan = planFormats(youtube, video({ maxUploadBytes: 10 * MB }));
    // 360p H.264 fits with the smaller AAC stream (8 + 1 MB), VP9 with the larger one (7 + 3 MB).
    expect(plan.candidates.map((c) => c.selector)).toEqual(['134+139', '243+140']);
    expect(plan.smallestRejectedBytes).toBe(12 * MB);
  });

  it('answers with nothing to try and the smallest size when every format is too large', () => {
    const plan = planFormats(youtube, video({ maxUploadBytes: 2 * MB }));
    expect(plan.candidates).toEqual([]);
    expect(plan.smallestRejectedBytes).toBe(8 * MB);
  });

  it('tries web page sources of unknown size from the highest resolution down, each guarded by the limit', () => {
    // What the generic extractor makes of <source res="…" label="…">: no size, no video codec.
    const page = formats(
      { id: '180p', ext: 'mp4', height: 180, url: 'http://example.test/small.mp4' },
      { id: '360p', ext: 'mp4', height: 360, url: 'http://example.test/big.mp4' },
    );
    const plan = planFormats(page, video({ maxUploadBytes: 500_000 }));
    expect(plan.candidates.map((c) => [c.selector, c.certainty, c.guardBytes, c.telegramReady])).toEqual([
      ['360p', 'unknown', 500_000, true],
      ['180p', 'unknown', 500_000, true],
    ]);
    expect(plan.smallestRejectedBytes).toBeUndefined();
  });

  it('prefers an mp4 source to a WebM one when neither codec is known', () => {
    const page = formats({ id: '0', ext: 'webm', acodec: 'opus' }, { id: '1', ext: 'mp4', acodec: 'mp4a.40.2' });
    expect(planFormats(page, video()).candidates.map((c) => [c.selector, c.telegramReady])).toEqual([
      ['1', true],
      ['0', false],
    ]);
  });

  it('gives approximate sizes a margin and estimates from bitrate and duration', () => {
    const list = formats(
      { id: 'a', ext: 'mp4', vcodec: 'avc1', acodec: 'mp4a.40.2', height: 720, filesizeApprox: 1.2 * MB },
      { id: 'b', ext: 'mp4', vcodec: 'avc1', acodec: 'mp4a.40.2', height: 480, filesizeApprox: 1.05 * MB },
      { id: 'c', ext: 'mp4', vcodec: 'avc1', acodec: 'mp4a.40.2', height: 360, tbr: 800 },
    );
    const plan = planFormats(list, video({ maxUploadBytes: MB, durationSeconds: 10 }));
    expect(plan.candidates.map((c) => [c.selector, c.estimatedBytes, c.certainty])).toEqual([
      ['b', 1.05 * MB, 'approximate'],
      ['c', 800 * 125 * 10, 'approximate'],
    ]);
    expect(plan.smallestRejectedBytes).toBe(1.2 * MB);
  });

  it('leaves out a pair whose one known part is already too large', () => {
    const list = formats(
      { id: 'v', ext: 'mp4', vcodec: 'avc1', acodec: 'none', height: 720, filesize: 3 * MB },
      { id: 'a', ext: 'm4a', vcodec: 'none', acodec: 'mp4a.40.2' },
    );
    const plan = planFormats(list, video({ maxUploadBytes: 2 * MB }));
    expect(plan.candidates).toEqual([]);
    expect(plan.smallestRejectedBytes).toBe(3 * MB);
  });

  it('skips DRM formats and storyboards, and downloads silent video alone', () => {
    const list = formats(
      { id: 'drm', ext: 'mp4', vcodec: 'avc1', acodec: 'mp4a.40.2', height: 1080, hasDrm: true },
      { id: 'sb', ext: 'mhtml', vcodec: 'none', acodec: 'none', protocol: 'mhtml' },
      { id: 'gif', ext: 'mp4', vcodec: 'avc1', acodec: 'none', height: 240 },
    );
    const plan = planFormats(list, video());
    expect(plan.usableFormats).toBe(1);
    expect(plan.candidates.map((c) => c.selector)).toEqual(['gif']);
  });

  it('takes an audio-only link as it is', () => {
    const plan = planFormats(formats({ id: 'mpeg', ext: 'mp3', vcodec: 'none', acodec: 'mp3' }), video());
    expect(plan.candidates).toEqual([
      expect.objectContaining({ selector: 'mpeg', audioOnly: true, guardBytes: 50 * MB }),
    ]);
  });

  it('stops at maxCandidates attempts', () => {
    expect(planFormats(youtube, video({ maxCandidates: 2 })).candidates).toHaveLength(2);
  });
});

describe('planFormats in audio and document mode', () => {
  it('takes AAC audio first (copied into an m4a), then the others, best bitrate first', () => {
    const plan = planFormats(youtube, { mode: 'audio', maxUploadBytes: 50 * MB });
    expect(plan.candidates.map((c) => c.selector).slice(0, 4)).toEqual(['140', '139', '251', '249']);
    expect(plan.candidates[0]).toMatchObject({ audioOnly: true, guardBytes: 50 * MB });
  });

  it('extracts the audio of the smallest video when there is no audio-only format, allowing a larger download', () => {
    const page = formats({ id: '180p', ext: 'mp4', height: 180 }, { id: '360p', ext: 'mp4', height: 360 });
    const plan = planFormats(page, { mode: 'audio', maxUploadBytes: MB });
    expect(plan.candidates.map((c) => [c.selector, c.audioOnly, c.guardBytes])).toEqual([
      ['180p', false, AUDIO_SOURCE_FACTOR * MB],
      ['360p', false, AUDIO_SOURCE_FACTOR * MB],
    ]);
  });

  it('sends the best quality that fits as a document, whatever the codec', () => {
    const plan = planFormats(youtube, { mode: 'document', maxUploadBytes: 50 * MB });
    expect(plan.candidates.map((c) => c.selector).slice(0, 3)).toEqual(['248+251', '247+251', '136+140']);
  });
});

describe('format helpers', () => {
  it('classifies codecs, with unknown video in audio containers as none', () => {
    expect(videoCodecClass({ vcodec: 'avc1.64001f' })).toBe('h264');
    expect(videoCodecClass({ vcodec: 'vp09.00.10.08' })).toBe('other');
    expect(videoCodecClass({ vcodec: undefined, ext: 'mp4' })).toBe('unknown');
    expect(videoCodecClass({ vcodec: undefined, ext: 'm4a' })).toBe('none');
    expect(audioCodecClass({ acodec: 'mp4a.40.2' })).toBe('aac');
    expect(audioCodecClass({ acodec: 'mp3' })).toBe('mp3');
    expect(audioCodecClass({ acodec: 'opus' })).toBe('other');
    expect(audioCodecClass({ acodec: 'none' })).toBe('none');
  });

  it('estimates sizes: exact, approximate, from bitrate, or unknown', () => {
    const base = { id: 'x', order: 0 };
    expect(estimateFormatBytes({ ...base, filesize: 10, filesizeApprox: 20 })).toEqual({
      bytes: 10,
      certainty: 'exact',
    });
    expect(estimateFormatBytes({ ...base, filesizeApprox: 20.4 })).toEqual({ bytes: 20, certainty: 'approximate' });
    expect(estimateFormatBytes({ ...base, vbr: 100, abr: 28 }, 2)).toEqual({ bytes: 32_000, certainty: 'approximate' });
    expect(estimateFormatBytes({ ...base, tbr: 100 })).toEqual({ certainty: 'unknown' });
  });

  it('caps the transcode bitrate so the result fits, leaving room for audio', () => {
    expect(videoBitrateBudget(50 * MB, 100)).toBe(Math.floor((50 * MB * 8 * 0.92) / 100 / 1000 - 128));
    expect(videoBitrateBudget(50 * MB, undefined)).toBeUndefined();
  });

  it('copies AAC into m4a and MP3 into mp3, and re-encodes anything else to AAC', () => {
    expect(audioTarget('aac')).toEqual({ ext: 'm4a', reencode: false });
    expect(audioTarget('mp3')).toEqual({ ext: 'mp3', reencode: false });
    expect(audioTarget('opus')).toEqual({ ext: 'm4a', reencode: true });
  });

  it('makes file names from titles without separators or control characters', () => {
    expect(safeFileName('a/b\\c: "d"\n', 'mp4')).toBe('a b c d.mp4');
    expect(safeFileName(undefined, 'm4a')).toBe('media.m4a');
    expect(safeFileName('   ', '')).toBe('media.bin');
  });
});

describe('yt-dlp output templates', () => {
  it('escapes % in paths used as output templates', () => {
    expect(escapeOutputTemplate('/data/100%/item-1')).toBe('/data/100%%/item-1');
  });
});

describe('the JavaScript runtime for yt-dlp', () => {
  const node = (version: string) => ({ execPath: '/usr/local/bin/node', version });

  it('prefers Deno whenever it was found, whatever the Node', () => {
    expect(chooseJsRuntime('/opt/bot/.tools/bin/deno', node('20.19.0'))).toEqual({
      name: 'deno',
      path: '/opt/bot/.tools/bin/deno',
    });
    expect(chooseJsRuntime('/usr/bin/deno', node('24.1.0'))).toEqual({ name: 'deno', path: '/usr/bin/deno' });
  });

  it('falls back to the Node running the worker from 22 on, the oldest that yt-dlp accepts', () => {
    expect(OLDEST_NODE_FOR_YT_DLP).toBe(22);
    expect(chooseJsRuntime(undefined, node('22.0.0'))).toEqual({ name: 'node', path: '/usr/local/bin/node' });
    expect(chooseJsRuntime(undefined, node('v23.4.1'))).toEqual({ name: 'node', path: '/usr/local/bin/node' });
  });

  it('chooses nothing with no Deno and a Node older than 22 (yt-dlp would mark it unsupported)', () => {
    expect(chooseJsRuntime(undefined, node('20.20.2'))).toBeUndefined();
    expect(chooseJsRuntime(undefined, node('21.7.3'))).toBeUndefined();
    expect(chooseJsRuntime('', node('20.20.2'))).toBeUndefined();
  });

  it('resolves an explicit DENO_PATH as Deno, and gives yt-dlp the chosen runtime through resolveTools', () => {
    const resolved = resolveTools({ deno: '/custom/deno' }, node('20.20.2'));
    expect(resolved.deno).toBe('/custom/deno');
    expect(resolved.jsRuntime).toEqual({ name: 'deno', path: '/custom/deno' });
  });
});

describe("yt-dlp's info", () => {
  it('reads one video: formats in order, codecs normalised, title, performer, duration, thumbnail', () => {
    const probe = parseProbeOutput({
      id: 'abc',
      title: 'A song',
      artists: ['Someone'],
      uploader: 'A channel',
      duration: 212.5,
      thumbnail: 'https://i.example.test/abc.jpg',
      webpage_url: 'https://example.test/watch?v=abc',
      formats: [
        { format_id: '140', ext: 'm4a', vcodec: 'none', acodec: 'mp4a.40.2', abr: 129.5, filesize: 3_000_000 },
        {
          format_id: '18',
          ext: 'mp4',
          vcodec: 'avc1.42001E',
          acodec: 'mp4a.40.2',
          height: 360,
          filesize_approx: 9_000_000,
          tbr: null,
        },
      ],
    });
    expect(probe.kind).toBe('single');
    if (probe.kind !== 'single') return;
    expect(probe.info).toMatchObject({
      id: 'abc',
      title: 'A song',
      performer: 'Someone',
      durationSeconds: 212.5,
      thumbnailUrl: 'https://i.example.test/abc.jpg',
    });
    expect(probe.info.formats).toEqual([
      expect.objectContaining({
        id: '140',
        vcodec: 'none',
        acodec: 'mp4a.40.2',
        abr: 129.5,
        filesize: 3_000_000,
        order: 0,
      }),
      expect.objectContaining({
        id: '18',
        vcodec: 'avc1.42001e',
        height: 360,
        filesizeApprox: 9_000_000,
        tbr: undefined,
        order: 1,
      }),
    ]);
  });

  it('reads a gallery page: extracted entries in page order and the total the page offered', () => {
    // Shape of a probe's info (what `yt-dlp -J --flat-playlist -I 1:11` printed) on a page with 12 <video> elements.
    const entries = Array.from({ length: 11 }, (_, i) => ({
      id: `gallery-${i + 1}`,
      title: `Gallery (${i + 1})`,
      playlist_index: i + 1,
      webpage_url: 'http://127.0.0.1/gallery.html',
      formats: [{ format_id: '0', ext: 'mp4', vcodec: null, url: `http://127.0.0.1/v${i + 1}.mp4` }],
    }));
    const probe = parseProbeOutput({ _type: 'playlist', id: 'gallery', title: 'Gallery', playlist_count: 12, entries });
    expect(probe.kind).toBe('playlist');
    if (probe.kind !== 'playlist') return;
    expect(probe.availableItems).toBe(12);
    expect(probe.entries).toHaveLength(11);
    // position: where the engine finds the entry's info again among the probe's entries.
    expect(probe.entries[2]).toMatchObject({ kind: 'resolved', index: 3, position: 2, info: { title: 'Gallery (3)' } });
    expect(probe.entries[2]?.kind === 'resolved' && probe.entries[2].info.formats[0]?.vcodec).toBeUndefined();
  });

  it('reads a flat playlist of links, counting entries when the site gives no total', () => {
    const probe = parseProbeOutput({
      _type: 'playlist',
      entries: [
        { _type: 'url', url: 'https://example.test/watch?v=1', title: 'One' },
        { _type: 'url', url: 'https://example.test/watch?v=2' },
        { _type: 'playlist', entries: [] },
      ],
    });
    expect(probe).toEqual({
      kind: 'playlist',
      title: undefined,
      availableItems: 2,
      entries: [
        { kind: 'reference', index: 1, url: 'https://example.test/watch?v=1', title: 'One' },
        { kind: 'reference', index: 2, url: 'https://example.test/watch?v=2', title: undefined },
      ],
    });
  });

  it('treats an info dict without a formats list as its own single format', () => {
    expect(parseMediaInfo({ url: 'https://example.test/a.mp4', ext: 'mp4', format_id: 'mp4' }).formats).toEqual([
      expect.objectContaining({ id: 'mp4', ext: 'mp4', url: 'https://example.test/a.mp4' }),
    ]);
  });
});
