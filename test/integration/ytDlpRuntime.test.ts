/**
 * The JavaScript runtime the workers give yt-dlp, against the real yt-dlp that scripts/setup.sh
 * installed, as the bot runs it: embedded in the warm engine. The engine's warm-up captures
 * yt-dlp's verbose debug header (`engine.info.debugHeader`: what yt-dlp decided from the params
 * the engine gave it and from its installation, before it fetched anything); it must list the
 * chosen runtime as usable and yt-dlp-ejs (the YouTube challenge solver that runs in it) as
 * loaded. A job of that same engine then probes and downloads a video from a loopback server. No
 * YouTube needed.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WarmEngine, type WarmEngineOptions } from '../../activities/adapters/warmEngine.js';
import { escapeOutputTemplate, parseProbeOutput } from '../../activities/adapters/ytDlpInfo.js';
import { chooseJsRuntime, resolveTools } from '../../src/tools.js';
import { createMediaFixtures, type MediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

const tools = resolveTools();
const thisNode = { execPath: process.execPath, version: process.versions.node };
let fixtures: MediaFixtures;
let server: MediaServer;
let dir: string;

beforeAll(async () => {
  fixtures = await createMediaFixtures();
  server = await startMediaServer(fixtures.dir);
  dir = await mkdtemp(path.join(os.tmpdir(), 'ytdlp-runtime-test-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A warm engine with these options, its debug header read once it is ready; always closed. */
async function withEngine<T>(
  options: Pick<WarmEngineOptions, 'jsRuntime'>,
  use: (engine: WarmEngine, header: string[]) => Promise<T>,
): Promise<T> {
  const engine = new WarmEngine({ python: tools.python, ffmpeg: tools.ffmpeg, ...options });
  try {
    await engine.start();
    return await use(engine, engine.info?.debugHeader ?? []);
  } finally {
    await engine.close();
  }
}

function debugLine(header: string[], label: string): string {
  const line = header.find((l) => l.startsWith(`[debug] ${label}: `));
  if (line === undefined) throw new Error(`yt-dlp's header has no "[debug] ${label}:" line:\n${header.join('\n')}`);
  return line.slice(`[debug] ${label}: `.length);
}

/** `JS runtimes: deno-2.9.8, node-20.20.2 (unsupported)` → { deno: '2.9.8', node: '20.20.2 (unsupported)' } */
function listedRuntimes(header: string[]): Record<string, string> {
  const listed = debugLine(header, 'JS runtimes');
  if (listed.startsWith('none')) return {};
  return Object.fromEntries(
    listed.split(', ').map((entry) => [entry.slice(0, entry.indexOf('-')), entry.slice(entry.indexOf('-') + 1)]),
  );
}

it('warms the engine with the chosen runtime, which yt-dlp lists as supported next to yt-dlp-ejs, and downloads a loopback video with it', async () => {
  // setup.sh installs Deno into .tools/bin, so on a set-up machine there is always a runtime.
  expect(tools.jsRuntime).toBeDefined();
  const runtime = tools.jsRuntime!;

  await withEngine({ jsRuntime: runtime }, async (engine, header) => {
    // The engine hands yt-dlp the runtime with its path (the `js_runtimes` param, as `--js-runtimes name:path` did).
    expect(debugLine(header, 'params')).toContain(`'js_runtimes': {'${runtime.name}': {'path': '${runtime.path}'}}`);
    const runtimes = listedRuntimes(header);
    expect(runtimes[runtime.name]).toMatch(/^\d+\.\d+[\d.]*$/); // listed, with a version, not "(unsupported)"
    expect(debugLine(header, 'Optional libraries')).toMatch(/\byt_dlp_ejs-\d+\.\d+/);

    // A job of this engine (its child gets the same runtime) probes and downloads from loopback.
    const job = engine.openJob({});
    try {
      const probed = await job.probe(server.url('clip.mp4'), 1);
      if (probed.kind !== 'probed') throw new Error(`the probe failed: ${JSON.stringify(probed.error)}`);
      expect(probed.info).toEqual(expect.objectContaining({ ext: 'mp4' }));
      const result = parseProbeOutput(probed.info);
      if (result.kind !== 'single') throw new Error(`expected one video, got ${result.kind}`);
      const format = result.info.formats.at(-1)!;
      const downloaded = await job.download({
        probe: probed.probe,
        entry: null,
        format: format.id,
        guardBytes: 50_000_000,
        outputTemplate: `${escapeOutputTemplate(path.join(dir, 'item-1'))}.%(ext)s`,
      });
      expect(downloaded).toEqual({ kind: 'downloaded', file: path.join(dir, 'item-1.mp4') });
      expect((await stat(path.join(dir, 'item-1.mp4'))).size).toBe((await stat(fixtures.video)).size);
    } finally {
      job.end();
    }
  });
}, 60_000);

it("chooses this Node exactly when yt-dlp supports it (yt-dlp's own verdict on the Node running the tests)", async () => {
  // Only Node given, so that yt-dlp judges it alone; the warm-up fetches nothing.
  await withEngine({ jsRuntime: { name: 'node', path: process.execPath } }, async (_engine, header) => {
    const runtimes = listedRuntimes(header);
    expect(Object.keys(runtimes)).toEqual(['node']);
    const node = runtimes.node!;
    expect(node).toMatch(new RegExp(`^${process.versions.node.replace(/\./g, '\\.')}( \\(unsupported\\))?$`));
    const supportedByYtDlp = !node.endsWith('(unsupported)');
    expect(chooseJsRuntime(undefined, thisNode) !== undefined).toBe(supportedByYtDlp);
  });
}, 60_000);

it('prefers the Deno of .tools/bin (or PATH) over any Node', () => {
  expect(tools.deno).toBeDefined();
  expect(tools.jsRuntime).toEqual({ name: 'deno', path: tools.deno });
});
