/**
 * Real processes for the fault-injection tests and the benchmarks: the project's own CLI entry
 * points started with `node --import tsx`, their readiness read from their pino log, their
 * resident memory and CPU read from /proc, and their end by pid only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CliProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** The last lines the process wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Lines of its pino log whose `msg` is `message`. */
  logged(message: string): number;
  /** SIGTERM, then SIGKILL (whole process group) if it is not gone after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the process group: the process and whatever it started (yt-dlp, ffmpeg). */
  kill(): Promise<void>;
}

export interface StartCliOptions {
  /** Extra `node` flags before `--import tsx` (e.g. `--expose-gc`). */
  nodeArgs?: string[];
  /** Resolve once a log line with this `msg` appears; undefined: resolve at once. */
  readyMessage?: string;
  readyTimeoutMs?: number;
  /** Keep an IPC channel (`child.send` / `process.send`). */
  ipc?: boolean;
  cwd?: string;
  /** Everything the process writes, as it arrives, uncut (the tail kept for messages is short). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** A command that runs the node process (e.g. on a terminal): `[program, ...args]`, node's command line appended. */
  wrapper?: string[];
}

const TAIL_LINES = 80;

/**
 * Starts `node --import tsx <script> ...args` from the project root in its own process group
 * (so a SIGKILL also takes its children, like a host that dies), with `env` over the current
 * environment. Its output is always drained so it never blocks on a full pipe.
 */
export async function startCli(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  options: StartCliOptions = {},
): Promise<CliProcess> {
  const [program, ...programArgs] = [
    ...(options.wrapper ?? []),
    process.execPath,
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    script,
    ...args,
  ];
  const child = spawn(program!, programArgs, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${script}`);
  const pid = child.pid;
  const tail: string[] = [];
  const messages = new Map<string, number>();
  const waiters: Array<() => void> = [];
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = code ?? signal ?? 'unknown';
      for (const wake of waiters.splice(0)) wake();
      resolve(exitedWith);
    });
  });
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    if (!line.startsWith('{')) return;
    try {
      const msg = (JSON.parse(line) as { msg?: unknown }).msg;
      if (typeof msg === 'string') {
        messages.set(msg, (messages.get(msg) ?? 0) + 1);
        for (const wake of waiters.splice(0)) wake();
      }
    } catch {
      // not a log line
    }
  };
  for (const [from, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ] as const) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      options.onOutput?.(chunk, from);
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
      // A single enormous line must not grow without bound.
      if (pending.length > 1_000_000) pending = pending.slice(-10_000);
    });
    // The last words of a process that dies may not end with a newline.
    stream?.on('end', () => {
      if (pending) onLine(pending);
      pending = '';
    });
  }

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const proc: CliProcess = {
    name,
    pid,
    child,
    exited,
    output: () => tail.join('\n'),
    logged: (message) => messages.get(message) ?? 0,
    async stop(graceMs = 10_000) {
      if (exitedWith !== undefined) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Whatever it started and did not stop goes too.
      killGroup('SIGKILL');
    },
    async kill() {
      killGroup('SIGKILL');
      await exited;
    },
  };

  if (options.readyMessage) {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
    while (proc.logged(options.readyMessage) === 0) {
      if (exitedWith !== undefined)
        throw new Error(`${name} exited (${exitedWith}) before it was ready:\n${proc.output()}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        await proc.kill();
        throw new Error(`${name} was not ready within ${options.readyTimeoutMs ?? 90_000} ms:\n${proc.output()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return proc;
}

/** A TCP port nobody listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MemoryReading {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since start (or since {@link resetPeakRss}), bytes. */
  peakRss: number;
}

/** VmRSS and VmHWM of a process, from /proc (Linux). */
export function readMemory(pid: number): MemoryReading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/** Resets the peak RSS (VmHWM) of a process we own (`echo 5 > /proc/<pid>/clear_refs`). */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const CLOCK_TICKS = 100;

export interface CpuReading {
  /** CPU seconds the process itself used (user + system). */
  self: number;
  /** CPU seconds of its children that have exited and were waited for (yt-dlp, ffprobe…). */
  children: number;
}

/** CPU time of a process from /proc/<pid>/stat (utime, stime, cutime, cstime). */
export function readCpu(pid: number | 'self'): CpuReading {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14.
  const tick = (field: number) => Number(fields[field - 3] ?? 0) / CLOCK_TICKS;
  return { self: tick(14) + tick(15), children: tick(16) + tick(17) };
}

/** Live descendants of a process (children, grandchildren…), from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The pid of a process whose command line contains `needle` (e.g. the SQLite file of a dev server). */
export function findPid(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(needle)) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}
