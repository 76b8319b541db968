/**
 * Children that die with this process. The tools (yt-dlp, ffmpeg) and the embedded Temporal
 * server run in process groups of their own (so that a cancel kills a tool's whole tree, and a
 * terminal's Ctrl-C does not stop the server before the workers drained): nothing of ours reaches
 * them when this process is SIGKILLed or crashes, and 'exit' hooks do not run then.
 *
 * On Linux, util-linux `setpriv --pdeathsig` sets the child's parent-death signal (prctl
 * PR_SET_PDEATHSIG) and execs the command: the kernel signals the child the moment the thread
 * that forked it dies. Node spawns from the main thread (libuv), which lives as long as the process.
 * Elsewhere, or without a working setpriv, one watchdog per process (a tiny detached `sh`) holds
 * the read end of a pipe from us: when this process dies, however, the pipe closes and the
 * watchdog signals the process groups still registered with it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export type DeathSignal = 'SIGKILL' | 'SIGTERM';

export interface ParentDeathLaunch {
  /** What to spawn instead of the command (the same command when the watchdog is the mechanism). */
  file: string;
  args: string[];
  /**
   * Hand the started child over (spawned `detached`, so the leader of its own group): with the
   * watchdog, its group is signalled if this process dies before it exits. A no-op with setpriv.
   */
  follow(child: Pick<ChildProcess, 'pid' | 'once'>): void;
}

export interface ParentDeath {
  readonly mechanism: 'setpriv' | 'watchdog';
  /** `file args`, launched so that it gets `signal` when this process dies. */
  launch(file: string, args: readonly string[], signal?: DeathSignal): ParentDeathLaunch;
}

const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv'];

/** A setpriv that really sets the parent-death signal here (an old one lacks the flag, a sandbox may refuse the prctl). */
function workingSetpriv(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const candidate of SETPRIV_CANDIDATES) {
    try {
      execFileSync(candidate, ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
      return candidate;
    } catch {
      // missing or not working: the next one, then the watchdog
    }
  }
  return undefined;
}

/**
 * The watchdog: reads `+ <pgid> <SIGNAL>` / `- <pgid>` lines until its stdin closes (this
 * process is gone), then signals every group still registered. Only builtins in the loop, so it
 * starts nothing per line.
 */
const WATCHDOG_SCRIPT = `
groups=''
while read -r op group signal; do
  if [ "$op" = + ]; then
    groups="$groups $group:$signal"
  else
    kept=''
    for entry in $groups; do [ "\${entry%%:*}" = "$group" ] || kept="$kept $entry"; done
    groups=$kept
  fi
done
for entry in $groups; do kill -s "\${entry#*:}" -- "-\${entry%%:*}" 2>/dev/null; done
`;

function startWatchdog(): (line: string) => void {
  let watchdog: ChildProcess | undefined;
  return (line) => {
    if (!watchdog) {
      // Detached too: a SIGKILL of our process group must not take the watchdog with it.
      watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      watchdog.on('error', () => undefined);
      watchdog.stdin?.on('error', () => undefined);
      // It must not keep this process alive; its pipe closes when we exit.
      watchdog.unref();
      (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    }
    watchdog.stdin?.write(`${line}\n`);
  };
}

/** `setprivPath: null` forces the watchdog (tests); undefined: find a working setpriv. */
export function createParentDeath(options: { setprivPath?: string | null } = {}): ParentDeath {
  const setpriv = options.setprivPath === null ? undefined : (options.setprivPath ?? workingSetpriv());
  if (setpriv) {
    return {
      mechanism: 'setpriv',
      launch: (file, args, signal = 'SIGKILL') => ({
        file: setpriv,
        args: ['--pdeathsig', signal.replace(/^SIG/, ''), '--', file, ...args],
        follow: () => undefined,
      }),
    };
  }
  const send = startWatchdog();
  return {
    mechanism: 'watchdog',
    launch: (file, args, signal = 'SIGKILL') => ({
      file,
      args: [...args],
      follow(child) {
        const pid = child.pid;
        if (pid === undefined) return;
        send(`+ ${pid} ${signal.replace(/^SIG/, '')}`);
        // Once the leader is reaped its id may be reused: unregister at once.
        child.once('exit', () => send(`- ${pid}`));
      },
    }),
  };
}

let shared: ParentDeath | undefined;

/** `file args`, launched so that it gets `signal` (default SIGKILL) when this process dies. Spawn it `detached`. */
export function dieWithParent(file: string, args: readonly string[], signal?: DeathSignal): ParentDeathLaunch {
  shared ??= createParentDeath();
  return shared.launch(file, args, signal);
}
