/**
 * The yt-dlp update's steps on one host, with real parts: pip installs from a local wheel folder
 * (standing in for the index) into new venvs under a temporary DATA_DIR, the real download
 * engine runs the canaries with the candidate's Python, the pointer switches, the warm engine of
 * a worker follows it between jobs, and `ops ytdlp` shows and rolls back.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { execa } from 'execa';
import { WarmEngine } from '../../activities/adapters/warmEngine.js';
import {
  pointerPython,
  readPointer,
  readUpdateState,
  versionOf,
  ytDlpRoot,
} from '../../activities/adapters/ytDlpVenvs.js';
import { createYtDlpUpdateActivities } from '../../activities/ytDlpUpdateActivities.js';
import type { YtDlpCandidate } from '../../shared/contracts/ytDlpUpdate.js';
import { resolveTools } from '../../src/tools.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { BAD_YTDLP, createYtDlpWheels, OLDER_YTDLP, type YtDlpWheels } from '../support/ytDlpWheels.js';

const tools = resolveTools();
const HOST_QUEUE = 'downloads-host-test-1';

let wheels: YtDlpWheels;
let baseVersion: string;
let media: MediaServer;
const dirs: string[] = [];

beforeAll(async () => {
  wheels = await createYtDlpWheels();
  baseVersion = await versionOf(tools.python);
  media = await startMediaServer((await createMediaFixtures()).dir);
});

afterAll(async () => {
  await media?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ytdlp-update-test-'));
  dirs.push(dir);
  return dir;
}

function activitiesFor(dir: string, index: string) {
  return createYtDlpUpdateActivities({
    dataDir: dir,
    basePython: tools.python,
    ffmpeg: tools.ffmpeg,
    index,
    canaryUrls: [],
    hostQueue: HOST_QUEUE,
  });
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

async function ops(dir: string, ...args: string[]) {
  return execa(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', 'ytdlp', ...args], {
    reject: false,
    // No Temporal here: the schedule line is left out, with a warning.
    env: { DATA_DIR: dir, TEMPORAL_ADDRESS: '127.0.0.1:1', LOG_LEVEL: 'silent' },
  });
}

describe('a candidate whose canaries pass', () => {
  it('is installed beside the venv in use, switched to, and used by the next job while a running one finishes on the old', async () => {
    const dir = await dataDir();
    const root = ytDlpRoot(dir);
    const activities = activitiesFor(dir, wheels.good);
    // A worker's engine, following the pointer; it starts on YTDLP_PYTHON's yt-dlp.
    const engine = new WarmEngine({ python: pointerPython(root, tools.python), ffmpeg: tools.ffmpeg });
    try {
      await engine.start();
      expect(engine.info?.version).toBe(baseVersion);
      const oldPid = engine.info!.pid;
      // A download that is running when the switch happens: probed on the old engine.
      const running = engine.openJob({});
      const probed = await running.probe(media.url('clip.mp4'), 1);
      expect(probed.kind).toBe('probed');

      const found = (await run(activities.prepareYtDlpCandidate)) as Extract<YtDlpCandidate, { kind: 'candidate' }>;
      expect(found).toMatchObject({
        kind: 'candidate',
        hostQueue: HOST_QUEUE,
        inUse: baseVersion,
        newest: OLDER_YTDLP,
      });
      expect(found.release.python).toBe(path.join(root, 'venvs', OLDER_YTDLP, 'bin', 'python'));
      expect(await versionOf(found.release.python)).toBe(OLDER_YTDLP);
      // The venv in use is untouched.
      expect(await versionOf(tools.python)).toBe(baseVersion);

      const canary = await run(activities.canaryYtDlp, found.release);
      expect(canary.ok).toBe(true);
      expect(canary.checks.map((check) => [check.name, check.ok])).toEqual([
        ['engine', true],
        ['loopback', true],
      ]);
      expect(canary.checks[1]!.detail).toMatch(/^\d+ bytes downloaded$/);
      expect(readUpdateState(root).lastCanary).toMatchObject({ version: OLDER_YTDLP, ok: true });

      expect(await run(activities.switchYtDlp, found.release)).toEqual({ from: baseVersion, to: OLDER_YTDLP });
      expect(readPointer(root)).toMatchObject({
        current: { version: OLDER_YTDLP, python: found.release.python },
        previous: { version: baseVersion, python: tools.python },
        reason: 'update',
      });

      // The next job starts a new engine on the new version...
      await engine.start();
      expect(engine.info?.version).toBe(OLDER_YTDLP);
      expect(engine.info?.pid).not.toBe(oldPid);
      // ...while the running one finishes on the old engine, which then exits.
      const out = await mkdtemp(path.join(dir, 'out-'));
      const downloaded = await running.download({
        probe: (probed as { probe: number }).probe,
        entry: null,
        format: 'best',
        guardBytes: 100 * 1024 * 1024,
        outputTemplate: path.join(out, 'clip.%(ext)s'),
      });
      expect(downloaded.kind).toBe('downloaded');
      expect((await stat((downloaded as { file: string }).file)).size).toBeGreaterThan(10_000);
      running.end();
      await running.exited;
      const deadline = Date.now() + 10_000;
      while (existsSync(`/proc/${oldPid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(`/proc/${oldPid}`)).toBe(false);

      // The next run finds nothing newer.
      expect(await run(activities.prepareYtDlpCandidate)).toMatchObject({ kind: 'up-to-date', inUse: OLDER_YTDLP });

      // `ops ytdlp` shows it; `ops ytdlp rollback` goes back, and the update leaves that version alone.
      const shown = await ops(dir, '--json');
      expect(shown.exitCode).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        inUse: { version: OLDER_YTDLP, reason: 'update' },
        previous: { version: baseVersion },
        candidate: { version: OLDER_YTDLP },
        lastCanary: { version: OLDER_YTDLP, ok: true },
      });
      const back = await ops(dir, 'rollback');
      expect(back.exitCode).toBe(0);
      expect(back.stdout).toContain(`${OLDER_YTDLP} → ${baseVersion}`);
      expect(readPointer(root)).toMatchObject({ current: { version: baseVersion }, reason: 'rollback' });
      await engine.start();
      expect(engine.info?.version).toBe(baseVersion);
      expect(await run(activities.prepareYtDlpCandidate)).toMatchObject({ kind: 'skipped', newest: OLDER_YTDLP });
      const table = await ops(dir);
      expect(table.stdout).toMatch(new RegExp(`^yt-dlp in use: +${baseVersion.replace(/\./g, '\\.')} `, 'm'));
      expect(table.stdout).toContain(`rolled back from (not installed again): ${OLDER_YTDLP}`);
    } finally {
      await engine.close();
    }
  });
});

describe('a candidate whose canary fails', () => {
  it('is refused: the pointer stays where it was and the failure is kept for ops ytdlp', async () => {
    const dir = await dataDir();
    const root = ytDlpRoot(dir);
    const activities = activitiesFor(dir, wheels.bad);
    const found = (await run(activities.prepareYtDlpCandidate)) as Extract<YtDlpCandidate, { kind: 'candidate' }>;
    expect(found).toMatchObject({ kind: 'candidate', newest: BAD_YTDLP });
    const canary = await run(activities.canaryYtDlp, found.release);
    expect(canary.ok).toBe(false);
    const loopback = canary.checks.find((check) => check.name === 'loopback');
    expect(loopback).toMatchObject({
      ok: false,
      detail: expect.stringContaining('stand-in yt-dlp: extract_info raises'),
    });
    expect(readPointer(root)).toBeUndefined();
    const shown = await ops(dir);
    expect(shown.stdout).toMatch(new RegExp(`^yt-dlp in use: +${baseVersion.replace(/\./g, '\\.')} `, 'm'));
    expect(shown.stdout).toContain(`last canary:    ${BAD_YTDLP} FAILED`);
    // Nothing to roll back to.
    const back = await ops(dir, 'rollback');
    expect(back.exitCode).toBe(1);
    expect(back.stdout).toContain('no previous yt-dlp version');
  });
});
