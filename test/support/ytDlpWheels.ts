/**
 * Wheel folders that stand in for the package index in the yt-dlp update's tests (pip
 * `--no-index --find-links`), built once per machine and reused while their files exist:
 *
 * - `good`: the real yt-dlp {@link OLDER_YTDLP}, an older release than the venv's, downloaded
 *   once from the index pip is configured with;
 * - `bad`: a stand-in "yt-dlp" {@link BAD_YTDLP}, built with `pip wheel`: the real yt-dlp's code
 *   (from the venv it lends libraries from), whose `YoutubeDL.extract_info` raises.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { resolveTools } from '../../src/tools.js';

export const OLDER_YTDLP = '2026.10.26';
export const BAD_YTDLP = '2099.1.1';

export interface YtDlpWheels {
  good: string;
  bad: string;
}

const STAND_IN = `"""A stand-in yt-dlp for tests: the real yt_dlp's code, whose extract_info raises."""
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
for _entry in sys.path:
    _real = os.path.join(os.path.abspath(_entry or '.'), 'yt_dlp')
    if _real != _here and os.path.isfile(os.path.join(_real, '__init__.py')):
        break
else:
    raise ImportError('no real yt_dlp to stand in for')
__path__[:] = [_real]
__file__ = os.path.join(_real, '__init__.py')
with open(__file__, encoding='utf-8') as _source:
    exec(compile(_source.read(), __file__, 'exec'))
sys.modules['yt_dlp.version'].__version__ = '${BAD_YTDLP}'


def _raise(self, *args, **kwargs):
    from yt_dlp.utils import DownloadError
    raise DownloadError('stand-in yt-dlp: extract_info raises')


YoutubeDL.extract_info = _raise
`;

async function hasWheel(dir: string): Promise<boolean> {
  return existsSync(dir) && (await readdir(dir)).some((name) => name.endsWith('.whl'));
}

async function buildOnce(dir: string, build: (partial: string) => Promise<void>): Promise<void> {
  if (await hasWheel(dir)) return;
  const partial = `${dir}.part-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await build(partial);
  await rm(dir, { recursive: true, force: true });
  await execa('mv', [partial, dir]);
}

export async function createYtDlpWheels(): Promise<YtDlpWheels> {
  const root = path.join(os.tmpdir(), 'media-bot-ytdlp-wheels-v1');
  const { python } = resolveTools();
  const good = path.join(root, 'good');
  const bad = path.join(root, 'bad');
  await mkdir(root, { recursive: true });
  await buildOnce(good, async (partial) => {
    await execa(python, [
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--no-deps',
      '-d',
      partial,
      `yt-dlp==${OLDER_YTDLP}`,
    ]);
  });
  await buildOnce(bad, async (partial) => {
    const source = await mkdtemp(path.join(os.tmpdir(), 'stand-in-yt-dlp-'));
    try {
      await mkdir(path.join(source, 'yt_dlp'));
      await writeFile(path.join(source, 'yt_dlp', '__init__.py'), STAND_IN);
      await writeFile(
        path.join(source, 'setup.py'),
        `from setuptools import setup\nsetup(name='yt-dlp', version='${BAD_YTDLP}', packages=['yt_dlp'])\n`,
      );
      await execa(python, ['-m', 'pip', 'wheel', '--disable-pip-version-check', '--no-deps', '-w', partial, source]);
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });
  return { good, bad };
}

/** A wheel folder of its own whose content a test changes (`use`) between update runs. */
export async function switchableIndex(
  wheels: YtDlpWheels,
): Promise<{ dir: string; use(which: keyof YtDlpWheels): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ytdlp-index-'));
  return {
    dir,
    async use(which) {
      for (const name of await readdir(dir)) await rm(path.join(dir, name), { force: true });
      await cp(wheels[which], dir, { recursive: true });
    },
  };
}
