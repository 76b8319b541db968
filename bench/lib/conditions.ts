/**
 * What every benchmark prints first: the machine and the versions it ran with, so a figure is
 * never read without its conditions.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolveTools } from '../../src/tools.js';
import { PROJECT_ROOT } from '../../test/faults/support/processes.js';

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: PROJECT_ROOT })
      .split('\n')[0]!
      .trim();
  } catch {
    return 'unknown';
  }
}

export function conditions(): Record<string, string> {
  const tools = resolveTools();
  const cpuModel = os.cpus()[0]?.model ?? 'unknown';
  const commit = firstLine('git', ['rev-parse', '--short', 'HEAD']);
  const dirty =
    firstLine('git', ['status', '--porcelain', '--untracked-files=no']) !== '' ? ' (+ uncommitted changes)' : '';
  let memory = `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`;
  try {
    const available = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (available) memory += ` (${(Number(available) / 1024 ** 2).toFixed(1)} GiB available)`;
  } catch {
    // not Linux
  }
  return {
    machine: `${os.availableParallelism()} cores (nproc), ${cpuModel}, ${memory}, ${os.type()} ${os.release()}`,
    load: `load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} at start`,
    node: process.version,
    temporal: firstLine(tools.temporal, ['--version']),
    'yt-dlp': firstLine(tools.ytDlp, ['--version']),
    ffmpeg: firstLine(tools.ffmpeg, ['-version']).replace(/ Copyright.*/, ''),
    code: process.env.BENCH_CODE ?? (commit === 'unknown' ? 'not a git checkout' : `commit ${commit}${dirty}`),
  };
}

export function printConditions(title: string, extra: Record<string, string | number> = {}): void {
  console.log(`# ${title}`);
  console.log(`date: ${new Date().toISOString()}`);
  for (const [key, value] of Object.entries({ ...conditions(), ...extra })) console.log(`${key}: ${value}`);
  console.log('');
}
