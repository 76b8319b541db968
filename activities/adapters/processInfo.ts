/**
 * What the bot knows about another process on this machine: whether it still runs, when it
 * started and its command line. A pid alone is not an identity (pids are reused, and a container
 * restarted on the same volume hands out the same small pids again): a recorded process is "the
 * same" only while its start time matches too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  /** Opaque, comparable for equality only: clock ticks since boot (/proc) or `ps`'s lstart. */
  startTime: string;
  /** The arguments as the process got them (/proc); undefined where only `ps`'s joined line is known. */
  args?: string[];
  /** The command line, arguments joined by spaces. */
  commandLine: string;
}

/** A process as recorded in a file: enough to recognise it later. */
export interface ProcessRecord {
  pid: number;
  startTime: string;
}

/**
 * `/proc/<pid>/stat` → state and start time. The command name (field 2) may hold spaces and
 * parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(text: string): { state: string; startTime: string } | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); starttime is field 22.
  const state = fields[0];
  const startTime = fields[22 - 3];
  return state && startTime && /^\d+$/.test(startTime) ? { state, startTime } : undefined;
}

/** One line of `ps -o stat= -o lstart= -o command=`: state, a 24-character start date, the command. */
export function parsePsLine(line: string): { state: string; startTime: string; commandLine: string } | undefined {
  const match = /^\s*(\S+)\s+(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(line.replace(/\n$/, ''));
  return match ? { state: match[1]!, startTime: match[2]!.replace(/\s+/g, ' '), commandLine: match[3]! } : undefined;
}

function fromProc(pid: number): ProcessInfo | undefined | 'no-proc' {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No such process (ENOENT, or ESRCH while it exits) here, or no /proc at all on this system.
    if ((code === 'ENOENT' || code === 'ESRCH') && !hasProc()) return 'no-proc';
    return undefined;
  }
  const parsed = parseProcStat(stat);
  // A zombie has exited: it only waits for its parent to read its status.
  if (!parsed || parsed.state === 'Z') return undefined;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((arg, index, all) => arg !== '' || index < all.length - 1);
  } catch {
    return undefined;
  }
  return { pid, startTime: parsed.startTime, args, commandLine: args.join(' ') };
}

let procChecked: boolean | undefined;
function hasProc(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procChecked = true;
    } catch {
      procChecked = false;
    }
  }
  return procChecked;
}

/** Where there is no /proc (macOS, the BSDs): POSIX `ps`. */
export function fromPs(pid: number): ProcessInfo | undefined {
  let output: string;
  try {
    output = execFileSync('ps', ['-ww', '-o', 'stat=', '-o', 'lstart=', '-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch {
    return undefined; // ps exits 1 when there is no such process
  }
  const parsed = parsePsLine(output);
  if (!parsed || parsed.state.startsWith('Z')) return undefined;
  return { pid, startTime: parsed.startTime, commandLine: parsed.commandLine };
}

/** The live process with this pid (zombies do not count), or undefined. */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const proc = fromProc(pid);
  return proc === 'no-proc' ? fromPs(pid) : proc;
}

let self: ProcessRecord | undefined;
/** This process, as others will recognise it. */
export function currentProcess(): ProcessRecord {
  self ??= { pid: process.pid, startTime: processInfo(process.pid)?.startTime ?? '' };
  return self;
}

/**
 * Whether `info` is the process `record` describes: same pid, same start. A record made where
 * the start time could not be read matches on the pid alone (a reused pid then counts as alive,
 * the safe side: its files are kept, its DATA_DIR refused).
 */
export function isSameProcess(record: ProcessRecord, info: ProcessInfo | undefined): info is ProcessInfo {
  return (
    info !== undefined && info.pid === record.pid && (record.startTime === '' || info.startTime === record.startTime)
  );
}

/** Whether the process `record` describes still runs. */
export function isAlive(record: ProcessRecord): boolean {
  return isSameProcess(record, processInfo(record.pid));
}
