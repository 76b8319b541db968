import http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startEgressProxy, type EgressProxy } from '../../activities/adapters/egressProxy.js';
import { resolveTools } from '../../src/tools.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

/**
 * yt-dlp, run for real through the egress proxy. The media host is reachable only by the name
 * `media.test` (the operator's allowlist); a canary HTTP server on loopback stands for the
 * operator's internal network and must never receive a request, whichever way a link points at it.
 */
let proxy: EgressProxy;
let media: MediaServer;
let canary: http.Server;
let canaryPort: number;
let canaryHits = 0;
let redirector: http.Server;
let redirectorPort: number;
let dir: string;

const fakeDns: Record<string, string[]> = {
  'media.test': ['127.0.0.1'],
  // A public-looking name whose DNS answer points inside (rebinding, or a hostile record).
  'innocent.example': ['127.0.0.1'],
};

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  media = await startMediaServer((await createMediaFixtures()).dir);
  canary = http.createServer((_request, response) => {
    canaryHits += 1;
    response.end('internal secret');
  });
  canaryPort = await listen(canary);
  // An allowed host that answers with a redirect into the internal network.
  redirector = http.createServer((_request, response) => {
    response.writeHead(302, { location: `http://127.0.0.1:${canaryPort}/clip.mp4` }).end();
  });
  redirectorPort = await listen(redirector);
  fakeDns['redirect.test'] = ['127.0.0.1'];
  proxy = await startEgressProxy({
    allowedHosts: ['media.test', 'redirect.test'],
    resolve: async (host) => {
      const answer = fakeDns[host];
      if (answer) return answer;
      if (host === 'localhost') return ['127.0.0.1', '::1'];
      throw Object.assign(new Error(`no such host ${host}`), { code: 'ENOTFOUND' });
    },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'egress-'));
});

afterAll(async () => {
  await Promise.all([proxy?.close(), media?.close(), new Promise((resolve) => canary?.close(resolve)), new Promise((resolve) => redirector?.close(resolve))]);
  await rm(dir, { recursive: true, force: true });
});

async function ytDlp(url: string) {
  const out = await mkdtemp(path.join(dir, 'run-'));
  const result = await execa(resolveTools().ytDlp, ['--ignore-config', '--no-cache-dir', '--no-playlist', '--proxy', proxy.url, '--socket-timeout', '5', '--retries', '0', '-o', path.join(out, 'media.%(ext)s'), '--', url], { reject: false });
  return { exitCode: result.exitCode, stderr: String(result.stderr), files: await readdir(out) };
}

describe('the egress proxy', () => {
  it('lets yt-dlp download from an allowed host', async () => {
    const port = new URL(media.baseUrl).port;
    const run = await ytDlp(`http://media.test:${port}/clip.mp4`);
    expect(run).toMatchObject({ exitCode: 0, files: ['media.mp4'] });
  });

  it.each([
    ['loopback', () => `http://127.0.0.1:${canaryPort}/clip.mp4`],
    ['localhost', () => `http://localhost:${canaryPort}/clip.mp4`],
    ['IPv6 loopback', () => `http://[::1]:${canaryPort}/clip.mp4`],
    ['decimal loopback', () => `http://2130706433:${canaryPort}/clip.mp4`],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${canaryPort}/clip.mp4`],
    ['unspecified', () => `http://0.0.0.0:${canaryPort}/clip.mp4`],
    ['a name that resolves to loopback', () => `http://innocent.example:${canaryPort}/clip.mp4`],
    ['10.x', () => 'http://10.20.30.40/clip.mp4'],
    ['172.16.x', () => 'http://172.16.0.5/clip.mp4'],
    ['192.168.x', () => 'http://192.168.1.1/clip.mp4'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('refuses %s, and nothing reaches it', async (_name, link) => {
    const before = { hits: canaryHits, refusals: proxy.refusals.length };
    const run = await ytDlp(link());
    expect(run.exitCode).not.toBe(0);
    expect(run.files).toEqual([]);
    expect(canaryHits).toBe(before.hits);
    expect(proxy.refusals.length).toBeGreaterThan(before.refusals);
  });

  it('refuses a redirect from an allowed host into the internal network, at the redirect', async () => {
    const before = canaryHits;
    const run = await ytDlp(`http://redirect.test:${redirectorPort}/video.mp4`);
    expect(run.exitCode).not.toBe(0);
    expect(canaryHits).toBe(before);
    expect(proxy.refusals.at(-1)).toMatchObject({ host: '127.0.0.1', port: canaryPort });
  });
});
