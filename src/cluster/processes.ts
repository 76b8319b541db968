import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { dieWithParent } from '../../activities/adapters/parentDeath.js';

/** One process of the cluster: started, killed and started again by name, its output in a log file. */
export interface ManagedProcess {
  readonly name: string;
  /** The running process's pid; undefined while it is not running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly logFile: string;
  start(): void;
  /** Sends `signal` and waits for the exit (a SIGKILL after `graceMs` when it does not come). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** The process ended on its own or was killed: the next exit, resolved with how it ended. */
  exited(): Promise<string>;
}

export interface ProcessSpec {
  name: string;
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  /** Run as this user (PostgreSQL refuses root). */
  user?: { uid: number; gid: number };
}

/**
 * A child that dies with this process (`dieWithParent`: a SIGKILL of `npm run cluster` leaves no
 * server or worker behind), in a process group of its own so that a terminal's Ctrl-C reaches
 * only us and we stop them in order. Its stdout and stderr are appended to `logFile`.
 */
export function managedProcess(spec: ProcessSpec): ManagedProcess {
  let child: ChildProcess | undefined;
  let exit: Promise<string> | undefined;
  let log: WriteStream | undefined;

  const self: ManagedProcess = {
    name: spec.name,
    logFile: spec.logFile,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    start() {
      if (self.running) return;
      log ??= createWriteStream(spec.logFile, { flags: 'a' });
      const launch = dieWithParent(spec.file, spec.args, 'SIGKILL');
      const started = spawn(launch.file, launch.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        ...spec.user,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      launch.follow(started);
      started.stdout?.pipe(log, { end: false });
      started.stderr?.pipe(log, { end: false });
      child = started;
      exit = once(started, 'exit').then(([code, signal]) =>
        signal ? `killed by ${String(signal)}` : `exit code ${String(code)}`,
      );
      started.once('error', (error) => log?.write(`[cluster] could not start ${spec.name}: ${error.message}\n`));
    },
    async stop(signal = 'SIGTERM', graceMs = 30_000) {
      const current = child;
      if (!current || !self.running || !exit) return;
      const ended = exit;
      current.kill(signal);
      const outcome = await Promise.race([ended, sleep(graceMs).then(() => undefined)]);
      if (outcome === undefined) {
        current.kill('SIGKILL');
        await ended;
      }
    },
    exited() {
      if (!exit) return Promise.resolve('never started');
      return exit;
    },
  };
  return self;
}

/** Retries `check` until it is true, every `everyMs`, for up to `timeoutMs`; then throws `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs?: number; everyMs?: number; died?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const death = options.died?.();
    if (death !== undefined) throw new Error(`${what}: ${death}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${options.timeoutMs ?? 120_000} ms`);
    await sleep(options.everyMs ?? 250);
  }
}

/** The last `lines` lines of a process's log, for an error message (a process that died says why there). */
export function logTail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trim();
  } catch {
    return '(no log)';
  }
}
