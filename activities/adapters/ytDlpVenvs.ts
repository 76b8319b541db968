/**
 * The yt-dlp versions of one downloads host, side by side under `<DATA_DIR>/yt-dlp/`:
 *
 * - `venvs/<version>/`: one venv per installed version, never modified once installed (built in a
 *   temporary folder, then renamed into place). Only yt-dlp itself is installed in it; the other
 *   libraries (certifi, brotli, websockets, yt-dlp-ejs, …) come from the venv of YTDLP_PYTHON
 *   through a `.pth` file, after the venv's own site-packages, so the new yt_dlp wins.
 * - `current.json`: the pointer, the version the download engine runs (written to a temporary
 *   file, then renamed over the old one: a reader sees the old pointer or the new one). Absent:
 *   YTDLP_PYTHON itself. It names the previous version too, which `ops ytdlp rollback` goes back to.
 * - `state.json`: the last candidate, its canary result, the versions rolled back from (not
 *   installed again until a newer one appears).
 *
 * Each host has its own DATA_DIR, so its own venvs and pointer: see workflows/ytDlpUpdate.ts for
 * which host an update run changes.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';

export interface YtDlpRelease {
  version: string;
  /** The Python the engine runs: a venv's, or YTDLP_PYTHON (then `venv` is absent). */
  python: string;
  venv?: string;
}

export interface YtDlpPointer {
  current: YtDlpRelease;
  previous?: YtDlpRelease;
  switchedAt: string;
  /** `update` (a canary passed) or `rollback` (the operator). */
  reason: 'update' | 'rollback';
}

export interface CanaryCheck {
  /** `loopback` or the operator's link. */
  name: string;
  ok: boolean;
  detail: string;
}

export interface CanaryResult {
  version: string;
  ok: boolean;
  at: string;
  checks: CanaryCheck[];
}

export interface YtDlpUpdateState {
  candidate?: YtDlpRelease & { installedAt: string };
  lastCanary?: CanaryResult;
  /** Versions `ops ytdlp rollback` left: an update does not come back to them. */
  rolledBackFrom?: string[];
}

/** Where a host's venvs, pointer and state live. */
export function ytDlpRoot(dataDir: string): string {
  return path.join(dataDir, 'yt-dlp');
}

const POINTER = 'current.json';
const STATE = 'state.json';

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes by rename: whoever reads the file sees the old content or the new, never half of it. */
function writeJsonAtomically(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, file);
}

export function readPointer(root: string): YtDlpPointer | undefined {
  const pointer = readJson<YtDlpPointer>(path.join(root, POINTER));
  return pointer?.current?.python ? pointer : undefined;
}

export function writePointer(root: string, pointer: YtDlpPointer): void {
  writeJsonAtomically(path.join(root, POINTER), pointer);
}

export function readUpdateState(root: string): YtDlpUpdateState {
  return readJson<YtDlpUpdateState>(path.join(root, STATE)) ?? {};
}

export function updateState(root: string, change: (state: YtDlpUpdateState) => YtDlpUpdateState): YtDlpUpdateState {
  const next = change(readUpdateState(root));
  writeJsonAtomically(path.join(root, STATE), next);
  return next;
}

/**
 * The Python the engine should run now: the pointer's, when it names one that exists, else
 * `fallback` (YTDLP_PYTHON). Cheap enough per job: the file is read again only when it changed.
 */
export function pointerPython(root: string, fallback: string): () => string {
  let seen: { mtimeMs: number; python: string } | undefined;
  const file = path.join(root, POINTER);
  return () => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      seen = undefined;
      return fallback;
    }
    if (seen?.mtimeMs !== mtimeMs) {
      const python = readPointer(root)?.current.python;
      seen = { mtimeMs, python: python && existsSync(python) ? python : fallback };
    }
    return seen.python;
  };
}

/** The yt-dlp version a Python imports (without yt-dlp's start-up: only its version module). */
export async function versionOf(python: string): Promise<string> {
  const { stdout } = await execa(python, ['-c', 'import yt_dlp.version as v; print(v.__version__)'], {
    timeout: 60_000,
  });
  return stdout.trim();
}

/** What `pip` is told about the index: a URL (`--index-url`), a wheel folder (`--no-index --find-links`), or pip's own. */
export function indexArgs(index: string | undefined): string[] {
  if (!index) return [];
  if (/^https?:\/\//.test(index)) return ['--index-url', index];
  return ['--no-index', '--find-links', index];
}

/** The newest yt-dlp the index offers, asked with pip's own query (`pip index versions`). */
export async function newestOnIndex(python: string, index: string | undefined): Promise<string> {
  const { stdout } = await execa(
    python,
    ['-m', 'pip', 'index', 'versions', 'yt-dlp', '--disable-pip-version-check', ...indexArgs(index)],
    { timeout: 120_000, env: { PIP_NO_INPUT: '1' } },
  );
  const found = /^yt-dlp \(([^)\s]+)\)/m.exec(stdout);
  if (!found) throw new Error(`pip named no yt-dlp version: ${stdout.trim().slice(0, 200)}`);
  return found[1]!;
}

async function purelib(python: string): Promise<string> {
  const { stdout } = await execa(python, ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {
    timeout: 60_000,
  });
  return stdout.trim();
}

/**
 * Installs yt-dlp `version` into `venvs/<version>/` (or finds it there), never touching the venv
 * in use. Built in a temporary folder and renamed into place, so a venv that exists is complete.
 */
export async function installVersion(options: {
  root: string;
  basePython: string;
  version: string;
  index: string | undefined;
}): Promise<YtDlpRelease> {
  const { root, basePython, version } = options;
  if (!/^[0-9][0-9A-Za-z.+-]*$/.test(version)) throw new Error(`not a version: ${version}`);
  const venv = path.join(root, 'venvs', version);
  const python = path.join(venv, 'bin', 'python');
  if (existsSync(python)) return { version, python, venv };
  await mkdir(path.join(root, 'venvs'), { recursive: true });
  const building = path.join(root, 'venvs', `.${version}-${randomUUID().slice(0, 8)}`);
  try {
    await execa(basePython, ['-m', 'venv', '--without-pip', building], { timeout: 120_000 });
    const ownLib = await purelib(path.join(building, 'bin', 'python'));
    await execa(
      basePython,
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-deps',
        '--no-compile',
        '--target',
        ownLib,
        ...indexArgs(options.index),
        `yt-dlp==${version}`,
      ],
      { timeout: 600_000, env: { PIP_NO_INPUT: '1' } },
    );
    // The libraries yt-dlp uses come from YTDLP_PYTHON's venv, after this venv's own.
    await writeFile(path.join(ownLib, 'media-bot-base.pth'), `${await purelib(basePython)}\n`);
    // The venv's files keep their path inside (`ownLib` is read again from the final place).
    await rename(building, venv);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
  const installed = await versionOf(python);
  if (installed !== version) throw new Error(`the venv of ${version} imports yt-dlp ${installed}`);
  return { version, python, venv };
}

/** The version in use: the pointer's, or YTDLP_PYTHON's. */
export async function releaseInUse(root: string, basePython: string): Promise<YtDlpRelease> {
  const pointer = readPointer(root);
  if (pointer && existsSync(pointer.current.python)) return pointer.current;
  return { version: await versionOf(basePython), python: basePython };
}

/** Points the engine at `next`; the one in use becomes the previous. */
export async function switchTo(root: string, basePython: string, next: YtDlpRelease, now: Date): Promise<YtDlpPointer> {
  const current = await releaseInUse(root, basePython);
  const pointer: YtDlpPointer = { current: next, previous: current, switchedAt: now.toISOString(), reason: 'update' };
  writePointer(root, pointer);
  return pointer;
}

/** Goes back to the previous version; the one left is not installed again by an update. */
export function rollBack(root: string, now: Date): YtDlpPointer {
  const pointer = readPointer(root);
  if (!pointer?.previous) throw new Error('no previous yt-dlp version to go back to');
  if (!existsSync(pointer.previous.python))
    throw new Error(`the previous version's Python is gone: ${pointer.previous.python}`);
  const back: YtDlpPointer = {
    current: pointer.previous,
    previous: pointer.current,
    switchedAt: now.toISOString(),
    reason: 'rollback',
  };
  writePointer(root, back);
  updateState(root, (state) => ({
    ...state,
    rolledBackFrom: [...new Set([...(state.rolledBackFrom ?? []), pointer.current.version])],
  }));
  return back;
}
