/**
 * Watching the real ffmpeg: a wrapper that stands in for `ffmpeg` (and an `ffprobe` link next to
 * it, for yt-dlp's --ffmpeg-location), records when each real ffmpeg process started and ended,
 * and can hold back chosen invocations for a while before starting them; and a sampler that
 * counts the ffmpeg processes alive in /proc.
 */
import { chmod, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveTools } from '../../src/tools.js';

export interface FfmpegRun {
  pid: number;
  args: string[];
  startedNs: bigint;
  /** Undefined while running (or when killed before its end was written). */
  endedNs?: bigint;
}

export interface FfmpegSpy {
  /** The wrapper: use it as the ffmpeg executable. */
  ffmpeg: string;
  /** The real ffprobe, linked next to the wrapper. */
  ffprobe: string;
  /** Every ffmpeg run so far, in the order they started. */
  runs(): Promise<FfmpegRun[]>;
  /** How many invocations (held ones included) wrote an output file ending with `suffix`. */
  invokedWithOutput(suffix: string): Promise<number>;
}

/**
 * `holdSeconds` delays the start of runs whose last argument (the output file) ends with
 * `holdWhenOutputEndsWith` (the delay is before the real process starts, outside its recorded
 * start and end).
 */
export async function createFfmpegSpy(
  dir: string,
  options: { holdWhenOutputEndsWith?: string; holdSeconds?: number } = {},
): Promise<FfmpegSpy> {
  const real = resolveTools();
  const bin = path.join(dir, 'spy-bin');
  await mkdir(bin, { recursive: true });
  const log = path.join(dir, 'ffmpeg-runs.log');
  const ffmpeg = path.join(bin, 'ffmpeg');
  const ffprobe = path.join(bin, 'ffprobe');
  const hold = options.holdWhenOutputEndsWith
    ? `case "$*" in *'${options.holdWhenOutputEndsWith}') sleep ${options.holdSeconds ?? 5} ;; esac\n`
    : '';
  await writeFile(
    ffmpeg,
    [
      '#!/bin/sh',
      // `-version` and friends from yt-dlp are runs too, and recorded like the others. The
      // arguments are written at once, the start once the real process is about to run.
      `printf 'args %s %s\\n' "$$" "$*" >> '${log}'`,
      hold,
      `printf 'start %s %s\\n' "$$" "$(date +%s%N)" >> '${log}'`,
      `'${path.resolve(real.ffmpeg)}' "$@"`,
      'code=$?',
      `printf 'end %s %s\\n' "$$" "$(date +%s%N)" >> '${log}'`,
      'exit $code',
      '',
    ].join('\n'),
  );
  await chmod(ffmpeg, 0o755);
  await symlink(path.resolve(real.ffprobe), ffprobe).catch(() => undefined);
  await writeFile(log, '');
  return {
    ffmpeg,
    ffprobe,
    async runs() {
      const byPid = new Map<number, FfmpegRun>();
      for (const line of (await readFile(log, 'utf8')).split('\n')) {
        const match = /^(args|start|end) (\d+) ?(.*)$/.exec(line);
        if (!match) continue;
        const pid = Number(match[2]);
        const run = byPid.get(pid) ?? { pid, args: [], startedNs: 0n };
        if (match[1] === 'args') run.args = match[3]!.split(' ');
        if (match[1] === 'start') run.startedNs = BigInt(match[3]!);
        if (match[1] === 'end') run.endedNs = BigInt(match[3]!);
        byPid.set(pid, run);
      }
      return [...byPid.values()]
        .filter((run) => run.startedNs > 0n)
        .sort((a, b) => (a.startedNs < b.startedNs ? -1 : 1));
    },
    async invokedWithOutput(suffix) {
      return (await readFile(log, 'utf8'))
        .split('\n')
        .filter((line) => line.startsWith('args ') && line.endsWith(suffix)).length;
    },
  };
}

/** True when no two of these runs were alive at the same time. */
export function neverOverlapped(runs: FfmpegRun[]): boolean {
  const sorted = [...runs].sort((a, b) => (a.startedNs < b.startedNs ? -1 : 1));
  return sorted.every(
    (run, i) => i === 0 || (sorted[i - 1]!.endedNs !== undefined && sorted[i - 1]!.endedNs! <= run.startedNs),
  );
}

/**
 * Samples /proc every `everyMs` and keeps the largest number of live processes named `ffmpeg`
 * whose command line mentions `marker` (a test's own temp dir).
 */
export function sampleFfmpegProcesses(marker: string, everyMs = 20): { stop(): Promise<number> } {
  let most = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let alive = 0;
      for (const entry of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(entry)) continue;
        const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
        if (path.basename(argv[0] ?? '') === 'ffmpeg' && argv.some((arg) => arg.includes(marker))) alive += 1;
      }
      most = Math.max(most, alive);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return most;
    },
  };
}
