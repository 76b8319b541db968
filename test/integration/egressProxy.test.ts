import http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEgressProxy, type EgressProxy } from '../../activities/adapters/egressProxy.js';
import { WarmEngine } from '../../activities/adapters/warmEngine.js';
import { escapeOutputTemplate } from '../../activities/adapters/ytDlpInfo.js';
import { resolveTools } from '../../src/tools.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';

/**
 * yt-dlp, run for real through the egress proxy, as the bot runs it: a job of the warm engine
 * (probe, then download from the probe's info) with the proxy as its `proxy` param. The media host is reachable only by the name
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
const tools = resolveTools();
const engine = new WarmEngine({ python: tools.python, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime });

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
  await engine.close();
  await Promise.all([
    proxy?.close(),
    media?.close(),
    new Promise((resolve) => canary?.close(resolve)),
    new Promise((resolve) => redirector?.close(resolve)),
  ]);
  await rm(dir, { recursive: true, force: true });
});

/** One engine job through the proxy: probe the link, then download yt-dlp's default format of it. */
async function ytDlp(url: string): Promise<{ outcome: 'downloaded' | 'failed'; error?: string; files: string[] }> {
  const out = await mkdtemp(path.join(dir, 'run-'));
  const job = engine.openJob({ proxy: proxy.url });
  try {
    const probed = await job.probe(url, 1);
    if (probed.kind === 'failed') return { outcome: 'failed', error: probed.error.message, files: await readdir(out) };
    const downloaded = await job.download({
      probe: probed.probe,
      entry: null,
      format: 'bv*+ba/b',
      guardBytes: 50_000_000,
      outputTemplate: `${escapeOutputTemplate(path.join(out, 'media'))}.%(ext)s`,
    });
    if (downloaded.kind === 'downloaded') return { outcome: 'downloaded', files: await readdir(out) };
    return {
      outcome: 'failed',
      error: downloaded.kind === 'failed' ? downloaded.error.message : downloaded.kind,
      files: await readdir(out),
    };
  } finally {
    job.end();
  }
}

describe('the egress proxy', () => {
  it('lets yt-dlp download from an allowed host', async () => {
    const port = new URL(media.baseUrl).port;
    const run = await ytDlp(`http://media.test:${port}/clip.mp4`);
    expect(run).toEqual({ outcome: 'downloaded', files: ['media.mp4'] });
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
    expect(run.outcome).toBe('failed');
    expect(run.files).toEqual([]);
    expect(canaryHits).toBe(before.hits);
    expect(proxy.refusals.length).toBeGreaterThan(before.refusals);
  });

  it('refuses a redirect from an allowed host into the internal network, at the redirect', async () => {
    const before = canaryHits;
    const run = await ytDlp(`http://redirect.test:${redirectorPort}/video.mp4`);
    expect(run.outcome).toBe('failed');
    expect(canaryHits).toBe(before);
    expect(proxy.refusals.at(-1)).toMatchObject({ host: '127.0.0.1', port: canaryPort });
  });
});
