/**
 * A request's files live in DATA_DIR/downloads/<random uuid>, created 0700,
 * and nothing that names a path (a forged or corrupted activity input, a stray symlink) makes
 * the bot delete or upload anything outside those dirs. Real filesystem, real Bot API client
 * against the emulator; test/e2e/hostileLinks.test.ts watches the same dirs during a download.
 *
 * When written, this found that sendMedia checked the media file's path but not the thumbnail's
 * (fixed in activities/hostActivities.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createRequestDir,
  downloadsRoot,
  ownersRoot,
  removeRequestDir,
  sweepStaleRequestDirs,
} from '../../activities/adapters/requestDirs.js';
import { createBotApi } from '../../activities/adapters/telegram.js';
import { createHostActivities } from '../../activities/hostActivities.js';
import type { DownloadedFile, SentMedia } from '../../shared/activityTypes.js';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { waitFor } from '../e2e/support/operations.js';
import { PROJECT_ROOT } from '../faults/support/processes.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let scratch: string;
let dataDir: string;
/** Stands for everything outside DATA_DIR: it must survive every test. */
let victim: string;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'media-bot-dirs-'));
  dataDir = path.join(scratch, 'data');
  victim = path.join(scratch, 'victim');
  await mkdir(dataDir, { mode: 0o700 });
  await mkdir(victim);
  await writeFile(path.join(victim, 'precious.txt'), 'keep me');
});

afterEach(async () => {
  expect(existsSync(path.join(victim, 'precious.txt'))).toBe(true);
  await rm(scratch, { recursive: true, force: true });
});

describe('createRequestDir', () => {
  it('creates DATA_DIR/downloads/<random uuid>, mode 0700, even under a umask that would allow more', async () => {
    // Tried: umask 000 (what a careless service manager may set); mkdir's mode must carry the 0700.
    const previous = process.umask(0o000);
    let dirs: string[];
    try {
      dirs = await Promise.all(Array.from({ length: 20 }, () => createRequestDir(dataDir)));
    } finally {
      process.umask(previous);
    }
    const root = downloadsRoot(dataDir);
    expect(root).toBe(path.join(dataDir, 'downloads'));
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    for (const dir of dirs) {
      expect(path.dirname(dir)).toBe(root);
      expect(path.basename(dir)).toMatch(UUID_V4);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
    }
    expect(new Set(dirs.map((dir) => path.basename(dir))).size).toBe(20);
    expect((await readdir(root)).sort()).toEqual(dirs.map((dir) => path.basename(dir)).sort());
  });
});

describe('removeRequestDir', () => {
  // Tried: every way a path could name something else than one request dir: climbing out with
  // "..", the root itself, a dir inside a request dir, a name that is not a uuid, DATA_DIR, and
  // a relative path (resolved against the working directory, not DATA_DIR).
  it.each([
    ['"../" out of the downloads root', (root: string) => path.join(root, '..', '..', 'victim')],
    ['"../" behind a request dir', (root: string) => `${root}/0b8f3a1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/../../../victim`],
    ['the downloads root itself', (root: string) => root],
    ['DATA_DIR', (root: string) => path.dirname(root)],
    ['a dir inside a request dir', (root: string) => path.join(root, '0b8f3a1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'sub')],
    ['a name that is not a uuid', (root: string) => path.join(root, 'victim')],
    ['a relative path', () => 'downloads/0b8f3a1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
  ])('refuses %s and deletes nothing', async (_what, pathFor) => {
    const real = await createRequestDir(dataDir);
    await expect(removeRequestDir(dataDir, pathFor(downloadsRoot(dataDir)))).rejects.toThrow(/refusing to remove/);
    expect(existsSync(real)).toBe(true);
  });

  it('removes one request dir, its files and its owner record, and says whether there was one', async () => {
    const dir = await createRequestDir(dataDir);
    await writeFile(path.join(dir, 'item-1.mp4'), 'bytes');
    expect(await readdir(ownersRoot(dataDir))).toEqual([path.basename(dir)]);
    await expect(removeRequestDir(dataDir, dir)).resolves.toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(await readdir(ownersRoot(dataDir))).toEqual([]);
    await expect(removeRequestDir(dataDir, dir)).resolves.toBe(false);
  });
});

describe('sweepStaleRequestDirs', () => {
  it('removes old request dirs only, and never follows a symlink out of the downloads root', async () => {
    // Tried: an old dir, a young dir, and an old symlink in the root pointing at a dir outside.
    const old = await createRequestDir(dataDir);
    const young = await createRequestDir(dataDir);
    const link = path.join(downloadsRoot(dataDir), '1b8f3a1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
    await symlink(victim, link);
    const longAgo = new Date(Date.now() - 3 * 60 * 60 * 1000);
    await utimes(old, longAgo, longAgo);
    await utimes(victim, longAgo, longAgo);
    // Made by this process, which is alive: only an old dir without an owner record is swept by age.
    await rm(path.join(ownersRoot(dataDir), path.basename(old)));
    const removed = await sweepStaleRequestDirs(dataDir, 60 * 60 * 1000);
    expect(removed).toEqual([old]);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(link)).toBe(true);
  });

  it('removes the dirs of a process that died a moment ago, keeps those of a live process sharing DATA_DIR, and their owner records go with them', async () => {
    // Tried: two other real processes making a dir each (createRequestDir), one exits (a crash of
    // `npm start` a second ago), one keeps running (an `npm run worker` beside it); both dirs are
    // seconds old, far younger than the age threshold.
    const dead = await requestDirFromAnotherProcess('exit');
    const live = await requestDirFromAnotherProcess('stay');
    try {
      await dead.exited;
      expect((await readdir(ownersRoot(dataDir))).sort()).toEqual(
        [path.basename(dead.dir), path.basename(live.dir)].sort(),
      );
      const removed = await sweepStaleRequestDirs(dataDir, 60 * 60 * 1000);
      expect(removed).toEqual([dead.dir]);
      expect(existsSync(live.dir)).toBe(true);
      expect(await readdir(ownersRoot(dataDir))).toEqual([path.basename(live.dir)]);
    } finally {
      live.process.kill('SIGKILL');
      await live.exited;
    }
    // Once that one is gone too, its dir goes on the next sweep.
    expect(await sweepStaleRequestDirs(dataDir, 60 * 60 * 1000)).toEqual([live.dir]);
    expect(await readdir(downloadsRoot(dataDir))).toEqual([]);
    expect(await readdir(ownersRoot(dataDir))).toEqual([]);
  });
});

async function requestDirFromAnotherProcess(
  then: 'exit' | 'stay',
): Promise<{ dir: string; process: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/integration/support/requestDirOwner.ts', dataDir, then],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitFor(
    () => output.includes('\n'),
    30_000,
    () => `the owner process printed ${JSON.stringify(output)}`,
  );
  return { dir: output.trim(), process: child, exited };
}

describe('host activities given paths outside the request dirs', () => {
  let emulator: BotApiEmulator;
  beforeAll(async () => {
    emulator = await startBotApiEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => emulator.reset());

  function activities() {
    return createHostActivities({ api: createBotApi(emulator.token, emulator.apiRoot), dataDir });
  }

  function file(overrides: Partial<DownloadedFile>): DownloadedFile {
    return { path: '', fileName: 'media.bin', sizeBytes: 7, kind: 'document', ...overrides };
  }

  it('cleanup refuses a dir that climbs out with "../"', async () => {
    await createRequestDir(dataDir);
    await expect(
      new MockActivityEnvironment().run(activities().cleanup, {
        dir: path.join(downloadsRoot(dataDir), '..', '..', 'victim'),
      }),
    ).rejects.toThrow(/refusing to remove/);
  });

  // Tried: the media file outside, and (with the media file in a real request dir) the thumbnail
  // outside: each would upload a file of the host to the chat. Refused before any Bot API call.
  it.each([
    ['the file', () => file({ path: path.join(victim, 'precious.txt') }), undefined],
    [
      'the file, via "../"',
      (dir: string) => file({ path: path.join(dir, '..', '..', '..', 'victim', 'precious.txt') }),
      undefined,
    ],
    [
      'the thumbnail',
      (dir: string) => file({ path: path.join(dir, 'item-1.bin'), thumbnailPath: path.join(victim, 'precious.txt') }),
      'item-1.bin',
    ],
    [
      'the thumbnail, via "../"',
      (dir: string) =>
        file({
          path: path.join(dir, 'item-1.bin'),
          thumbnailPath: path.join(dir, '..', '..', '..', 'victim', 'precious.txt'),
        }),
      'item-1.bin',
    ],
  ])('sendMedia refuses %s outside a request dir and sends nothing', async (_what, make, inDir) => {
    const dir = await createRequestDir(dataDir);
    if (inDir) await writeFile(path.join(dir, inDir), 'content');
    const error = await new MockActivityEnvironment()
      .run(activities().sendMedia, { chatId: 4242, replyToMessageId: 1, files: [make(dir)], album: false })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('NoMediaFound');
    expect(emulator.calls).toEqual([]);
  });

  it('sendMedia sends a file and thumbnail that are in a request dir (the control)', async () => {
    const dir = await createRequestDir(dataDir);
    await writeFile(path.join(dir, 'item-1.bin'), 'content');
    await writeFile(path.join(dir, 'item-1.cover.jpg'), 'jpeg');
    const sent: SentMedia = await new MockActivityEnvironment().run(activities().sendMedia, {
      chatId: 4242,
      replyToMessageId: 1,
      files: [file({ path: path.join(dir, 'item-1.bin'), thumbnailPath: path.join(dir, 'item-1.cover.jpg') })],
      album: false,
    });
    expect(sent.messageIds).toHaveLength(1);
    expect(emulator.callsTo('sendDocument')[0]?.files.map((part) => part.fileName)).toEqual([
      'media.bin',
      'thumbnail.jpg',
    ]);
  });
});
