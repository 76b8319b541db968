/**
 * The JavaScript runtime the workers give yt-dlp, against the real yt-dlp that scripts/setup.sh
 * installed: with the project's own probe command line (plus `--verbose`) against a loopback
 * server, yt-dlp's debug header must list the chosen runtime as usable and yt-dlp-ejs (the
 * YouTube challenge solver that runs in it) as loaded. No YouTube needed: the header is what
 * yt-dlp decides from the command line and its installation, before it fetches anything.
 */
import { execa } from 'execa';
import { ytDlpProbeArguments } from '../../activities/adapters/ytDlpInfo.js';
import { chooseJsRuntime, resolveTools } from '../../src/tools.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

const tools = resolveTools();
const thisNode = { execPath: process.execPath, version: process.versions.node };
let server: MediaServer;

beforeAll(async () => {
  server = await startMediaServer((await createMediaFixtures()).dir);
});

afterAll(async () => {
  await server.close();
});

/** `--verbose` added to a command line, before the URL separator. */
function verbose(args: string[]): string[] {
  const separator = args.indexOf('--');
  return [...args.slice(0, separator), '--verbose', ...args.slice(separator)];
}

function debugLine(stderr: string, label: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith(`[debug] ${label}: `));
  if (line === undefined) throw new Error(`yt-dlp printed no "[debug] ${label}:" line:\n${stderr.slice(0, 3000)}`);
  return line.slice(`[debug] ${label}: `.length);
}

/** `JS runtimes: deno-2.9.8, node-20.20.2 (unsupported)` → { deno: '2.9.8', node: '20.20.2 (unsupported)' } */
function listedRuntimes(stderr: string): Record<string, string> {
  const listed = debugLine(stderr, 'JS runtimes');
  if (listed.startsWith('none')) return {};
  return Object.fromEntries(listed.split(', ').map((entry) => [entry.slice(0, entry.indexOf('-')), entry.slice(entry.indexOf('-') + 1)]));
}

it('probes a loopback video with the chosen runtime, which yt-dlp lists as supported next to yt-dlp-ejs', async () => {
  // setup.sh installs Deno into .tools/bin, so on a set-up machine there is always a runtime.
  expect(tools.jsRuntime).toBeDefined();
  const runtime = tools.jsRuntime!;
  const args = verbose(ytDlpProbeArguments({ url: server.url('clip.mp4'), playlistItems: 1, ffmpeg: tools.ffmpeg, jsRuntime: runtime }));
  expect(args[0]).toBe('--ignore-config');
  expect(args.slice(-2)).toEqual(['--', server.url('clip.mp4')]);

  const run = await execa(tools.ytDlp, args, { reject: false, timeout: 60_000 });

  expect({ exitCode: run.exitCode, stderrTail: run.exitCode === 0 ? '' : run.stderr.slice(-2000) }).toEqual({ exitCode: 0, stderrTail: '' });
  expect(JSON.parse(run.stdout)).toEqual(expect.objectContaining({ ext: 'mp4' }));
  expect(debugLine(run.stderr, 'Command-line config')).toContain(`'--js-runtimes', '${runtime.name}:${runtime.path}'`);
  const runtimes = listedRuntimes(run.stderr);
  expect(runtimes[runtime.name]).toMatch(/^\d+\.\d+[\d.]*$/); // listed, with a version, not "(unsupported)"
  expect(debugLine(run.stderr, 'Optional libraries')).toMatch(/\byt_dlp_ejs-\d+\.\d+/);
});

it("chooses this Node exactly when yt-dlp supports it (yt-dlp's own verdict on the Node running the tests)", async () => {
  // Only Node enabled, so that yt-dlp judges it alone; a header-only call (no URL), no network.
  const run = await execa(tools.ytDlp, ['--ignore-config', '--no-js-runtimes', '--js-runtimes', `node:${process.execPath}`, '--verbose'], {
    reject: false,
    timeout: 60_000,
  });
  const node = listedRuntimes(run.stderr).node;
  expect(node).toMatch(new RegExp(`^${process.versions.node.replace(/\./g, '\\.')}( \\(unsupported\\))?$`));
  const supportedByYtDlp = !node!.endsWith('(unsupported)');
  expect(chooseJsRuntime(undefined, thisNode) !== undefined).toBe(supportedByYtDlp);
});

it('prefers the Deno of .tools/bin (or PATH) over any Node', () => {
  expect(tools.deno).toBeDefined();
  expect(tools.jsRuntime).toEqual({ name: 'deno', path: tools.deno });
});
