/**
 * Children that die with their parent (activities/adapters/parentDeath.ts), with real processes:
 * a Node parent starts `sleep 300` detached (its own process group, as runTool and the dev server
 * do), then the parent's whole process group gets SIGKILL, as a closed terminal or `kill -9 -- -pgid`
 * does. What was tried: runTool itself, setpriv's parent-death signal (which fires when the
 * parent *thread* that forked dies: Node forks from its main thread, checked here for real), the
 * watchdog fallback, and a plain detached spawn as the control that must outlive its parent.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { processInfo } from '../../activities/adapters/processInfo.js';
import { descendants, PROJECT_ROOT } from '../faults/support/processes.js';
import { waitFor } from '../e2e/support/operations.js';

const PARENT = 'test/integration/support/parentDeathParent.ts';

/** The parent, its `sleep 300` child (found among its descendants) and the mechanism it reported. */
async function startParent(
  mode: string,
): Promise<{ parent: number; child: number; mechanism: string; exited: Promise<unknown> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', PARENT, mode], {
    cwd: PROJECT_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(proc, 'exit');
  let output = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await waitFor(
    () => output.includes('started'),
    30_000,
    () => `the parent printed ${JSON.stringify(output)}`,
  );
  let child: number | undefined;
  await waitFor(
    () => {
      child = descendants(proc.pid!).find((pid) => processInfo(pid)?.commandLine === 'sleep 300');
      return child !== undefined;
    },
    10_000,
    () => `no "sleep 300" under ${proc.pid}`,
  );
  return { parent: proc.pid!, child: child!, mechanism: /started (\S+)/.exec(output)![1]!, exited };
}

async function killParentGroup(parent: number, exited: Promise<unknown>): Promise<void> {
  process.kill(-parent, 'SIGKILL');
  await exited;
}

it.each([
  ['runTool (yt-dlp, ffmpeg, ffprobe)', 'runTool', 'runTool'],
  ['setpriv --pdeathsig', 'setpriv', 'setpriv'],
  ['the watchdog (no setpriv)', 'watchdog', 'watchdog'],
])(
  '%s: the child keeps its own process group and is gone within 2 s of a SIGKILL of its parent’s group',
  async (_what, mode, mechanism) => {
    const { parent, child, mechanism: reported, exited } = await startParent(mode);
    try {
      expect(reported).toBe(mechanism);
      // Its own group: a Ctrl-C to the parent's group does not reach it (the dev server relies on that).
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(child);
      // The child, and the watchdog where there is one: nothing of the parent may stay.
      const started = descendants(parent);
      await killParentGroup(parent, exited);
      await waitFor(
        () => started.every((pid) => processInfo(pid) === undefined),
        2_000,
        () =>
          `still running after their parent was killed: ${started
            .filter((pid) => processInfo(pid))
            .map((pid) => processInfo(pid)?.commandLine)
            .join(', ')}`,
      );
    } finally {
      if (processInfo(child)?.commandLine === 'sleep 300') process.kill(child, 'SIGKILL');
    }
  },
);

it('the control: a plain detached child outlives its SIGKILLed parent (what the mechanisms are for)', async () => {
  const { parent, child, exited } = await startParent('none');
  try {
    await killParentGroup(parent, exited);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(processInfo(child)?.commandLine).toBe('sleep 300');
  } finally {
    if (processInfo(child)?.commandLine === 'sleep 300') process.kill(child, 'SIGKILL');
  }
});
