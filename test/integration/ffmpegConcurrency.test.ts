/**
 * FFMPEG_CONCURRENCY against the real ffmpeg: conversions started together share the process's
 * slots, observed through the real processes (their recorded start and end, and /proc).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import {
  extractAudio,
  makeThumbnail,
  remuxToMp4,
  transcodeToMp4,
  type FfmpegContext,
} from '../../activities/adapters/ffmpeg.js';
import { Semaphore } from '../../activities/adapters/semaphore.js';
import { resolveTools } from '../../src/tools.js';
import { createFfmpegSpy, neverOverlapped, sampleFfmpegProcesses, type FfmpegSpy } from '../support/ffmpegSpy.js';

let dir: string;
let spy: FfmpegSpy;
/** MPEG-4 Part 2 + AAC in Matroska: needs a transcode to H.264. */
let mpeg4: string;
/** H.264 + AAC in Matroska: needs a remux. */
let h264: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ffmpeg-concurrency-'));
  spy = await createFfmpegSpy(dir);
  const { ffmpeg } = resolveTools();
  const source = [
    '-f',
    'lavfi',
    '-i',
    'testsrc=duration=6:size=640x360:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=6',
    '-shortest',
  ];
  mpeg4 = path.join(dir, 'source-mpeg4.mkv');
  h264 = path.join(dir, 'source-h264.mkv');
  await execa(ffmpeg, ['-loglevel', 'error', '-y', ...source, '-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'aac', mpeg4]);
  await execa(ffmpeg, [
    '-loglevel',
    'error',
    '-y',
    ...source,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    h264,
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context(slots: Semaphore, extra: Partial<FfmpegContext> = {}): FfmpegContext {
  return { ffmpeg: spy.ffmpeg, slots, ...extra };
}

const out = (name: string) => path.join(dir, name);

describe('conversions with FFMPEG_CONCURRENCY=1', () => {
  it('never run two ffmpeg processes at once, and all of them finish', async () => {
    // Tried: a transcode, a second transcode, a remux and an audio extraction started in the same
    // tick on one slot, watched through the processes' own start/end times and through /proc.
    const slots = new Semaphore(1);
    const waits: string[] = [];
    const ctx = (name: string) => context(slots, { onSlotWait: (waiting) => waits.push(`${name}:${waiting}`) });
    const before = (await spy.runs()).length;
    const sampler = sampleFfmpegProcesses(dir);
    const steps = await Promise.all([
      transcodeToMp4(ctx('a'), mpeg4, out('a.telegram.mp4'), { maxUploadBytes: 50_000_000, durationSeconds: 6 }),
      transcodeToMp4(ctx('b'), mpeg4, out('b.telegram.mp4'), { maxUploadBytes: 50_000_000, durationSeconds: 6 }),
      remuxToMp4(ctx('c'), h264, out('c.telegram.mp4'), 'aac'),
      extractAudio(ctx('d'), mpeg4, out('d.audio.m4a'), {
        target: { ext: 'm4a', reencode: false },
        maxUploadBytes: 50_000_000,
      }),
    ]);
    const most = await sampler.stop();

    expect(steps.map((step) => step.ok)).toEqual([true, true, true, true]);
    const runs = (await spy.runs()).slice(before);
    expect(runs).toHaveLength(4);
    expect(runs.every((run) => run.endedNs !== undefined)).toBe(true);
    expect(neverOverlapped(runs)).toBe(true);
    expect(most).toBeLessThanOrEqual(1);
    // The first got the slot at once; each of the others waited, then was let in.
    expect(waits.sort()).toEqual(['b:false', 'b:true', 'c:false', 'c:true', 'd:false', 'd:true']);
    expect(slots.running).toBe(0);
  });

  it('lets a cancelled conversion leave the queue without ever starting ffmpeg', async () => {
    // Tried: a transcode queued behind another one is cancelled while it waits (the activity was
    // cancelled); the running one is not disturbed.
    const slots = new Semaphore(1);
    const before = (await spy.runs()).length;
    const cancel = new AbortController();
    let queued!: () => void;
    const isQueued = new Promise<void>((resolve) => (queued = resolve));
    const running = transcodeToMp4(context(slots), mpeg4, out('running.telegram.mp4'), { maxUploadBytes: 50_000_000 });
    const waiting = transcodeToMp4(
      context(slots, { signal: cancel.signal, onSlotWait: (isWaiting) => isWaiting && queued() }),
      mpeg4,
      out('cancelled.telegram.mp4'),
      { maxUploadBytes: 50_000_000 },
    );
    await isQueued;
    cancel.abort(new Error('the request was cancelled'));
    await expect(waiting).rejects.toThrow('the request was cancelled');
    await expect(running).resolves.toMatchObject({ ok: true });

    const runs = (await spy.runs()).slice(before);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.args.join(' ')).toContain('running.telegram.mp4');
    expect(existsSync(out('cancelled.telegram.mp4'))).toBe(false);
    expect([slots.running, slots.waiting]).toEqual([0, 0]);
  });

  it('does not hold thumbnails (one frame) behind a running conversion', async () => {
    // Tried: the only slot held (as by a long transcode) while a thumbnail is made: it is made.
    const slots = new Semaphore(1);
    const release = await slots.acquire();
    try {
      const thumbnail = await makeThumbnail(context(slots), h264, out('thumb.jpg'));
      expect(thumbnail?.sizeBytes).toBeGreaterThan(0);
    } finally {
      release();
    }
  });
});
