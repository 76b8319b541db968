/**
 * A parent for test/integration/parentDeath.test.ts: starts `sleep 300` the way `mode` says,
 * prints `started` and waits to be killed (the test finds the child among its descendants).
 *   runTool  — activities/adapters/ffmpeg.ts's runTool (what every yt-dlp/ffmpeg run goes through)
 *   setpriv  — createParentDeath() with setpriv, plain spawn
 *   watchdog — createParentDeath({ setprivPath: null }), plain spawn
 *   none     — a plain detached spawn (the control: it must outlive us)
 */
import { spawn } from 'node:child_process';
import { runTool } from '../../../activities/adapters/ffmpeg.js';
import { createParentDeath } from '../../../activities/adapters/parentDeath.js';

const mode = process.argv[2];
let mechanism = 'none';
if (mode === 'runTool') {
  void runTool('sleep', ['300']);
  mechanism = 'runTool';
} else if (mode === 'none') {
  spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
} else {
  const parentDeath = createParentDeath(mode === 'watchdog' ? { setprivPath: null } : {});
  mechanism = parentDeath.mechanism;
  const launch = parentDeath.launch('sleep', ['300']);
  launch.follow(spawn(launch.file, launch.args, { detached: true, stdio: 'ignore' }));
}
process.stdout.write(`started ${mechanism}\n`);
setInterval(() => undefined, 1_000);
