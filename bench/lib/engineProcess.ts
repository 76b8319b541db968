/**
 * The warm engine's processes as /proc sees them: its CPU (the engine reaps its job children, so
 * theirs, and the ffmpeg they waited for, lands in its cutime/cstime once they are gone) and the
 * resident memory of a process with everything under it.
 */
import { readFileSync } from 'node:fs';
import { descendants, readCpu, readMemory } from '../../test/faults/support/processes.js';

/** CPU seconds of the engine so far: its own and its reaped job children's (utime+stime+cutime+cstime). */
export function engineCpu(pid: number): number {
  const cpu = readCpu(pid);
  return cpu.self + cpu.children;
}

/**
 * Waits until the engine has no child left (not even a zombie): a job's child exits after the job
 * ended, and its CPU counts in the engine's only once the engine reaped it.
 */
export async function jobsReaped(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (descendants(pid).length > 0) {
    if (Date.now() > deadline) throw new Error(`the engine (pid ${pid}) still has children after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

export interface TreeMemory {
  /** RSS of `pid` and every live descendant, summed (shared pages of forked children count twice). */
  total: number;
  /** RSS of `pid` alone. */
  own: number;
  /** RSS of the descendants called `ytdlp-engine` (a worker has one). */
  engine: number;
  /** How many live descendants were read (their RSS is in `total`). */
  descendants: number;
}

/** RSS of a process and everything under it, from /proc; a process that exits meanwhile counts 0. */
export function treeMemory(pid: number): TreeMemory {
  const rss = (id: number) => {
    try {
      return readMemory(id).rss;
    } catch {
      return 0;
    }
  };
  const own = rss(pid);
  const children = descendants(pid);
  let total = own;
  let engine = 0;
  for (const child of children) {
    const value = rss(child);
    total += value;
    if (comm(child) === 'ytdlp-engine') engine += value;
  }
  return { total, own, engine, descendants: children.length };
}

/** The warm engine under `pid` (a downloads worker's), found by its process name. */
export function engineUnder(pid: number): number | undefined {
  return descendants(pid).find((child) => comm(child) === 'ytdlp-engine');
}
