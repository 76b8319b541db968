/**
 * Canary downloads with a candidate yt-dlp: the real download engine (ytdlp_engine.py) started
 * with the candidate's Python, a probe and a download of a small video served from loopback
 * (always), then of each operator-given link (YTDLP_CANARY_URLS, where the machine has internet).
 * Every check says what it saw; the candidate passes only if every check passed.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { WarmEngine } from './warmEngine.js';
import type { JsRuntime } from './ytDlpInfo.js';
import type { CanaryCheck } from './ytDlpVenvs.js';

export interface CanaryOptions {
  /** The candidate venv's Python. */
  python: string;
  /** The version the candidate must report (a venv that imports another yt-dlp fails). */
  version: string;
  ffmpeg: string;
  jsRuntime?: JsRuntime;
  /** Operator-given real links. */
  urls: readonly string[];
  /** Where the canary's files go (a temporary folder inside, removed afterwards). */
  workDir?: string;
  /** The largest download a real link's canary may make. */
  maxBytes?: number;
  onStderr?: (line: string) => void;
}

const LOOPBACK_NAME = 'canary.mp4';

async function serveFile(file: string): Promise<{ url: string; close(): Promise<void> }> {
  const size = (await stat(file)).size;
  const server: Server = createServer((request, response) => {
    if (!request.url?.startsWith(`/${LOOPBACK_NAME}`)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${LOOPBACK_NAME}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function probeAndDownload(
  engine: WarmEngine,
  url: string,
  dir: string,
  maxBytes: number,
): Promise<{ ok: true; file: string; bytes: number } | { ok: false; detail: string }> {
  const job = engine.openJob({});
  try {
    const probed = await job.probe(url, 1);
    if (probed.kind !== 'probed') return { ok: false, detail: `probe failed: ${probed.error.message}` };
    const downloaded = await job.download({
      probe: probed.probe,
      entry: null,
      format: 'worst/best',
      guardBytes: maxBytes,
      outputTemplate: path.join(dir, 'download.%(ext)s'),
    });
    if (downloaded.kind === 'downloaded')
      return { ok: true, file: downloaded.file, bytes: (await stat(downloaded.file)).size };
    if (downloaded.kind === 'failed') return { ok: false, detail: `download failed: ${downloaded.error.message}` };
    if (downloaded.kind === 'too-large') return { ok: false, detail: `larger than ${maxBytes} bytes` };
    return { ok: false, detail: 'yt-dlp gave no file' };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    job.end();
  }
}

export async function runCanaries(options: CanaryOptions): Promise<CanaryCheck[]> {
  const scratch = await mkdtemp(path.join(options.workDir ?? os.tmpdir(), 'ytdlp-canary-'));
  const engine = new WarmEngine({
    python: options.python,
    ffmpeg: options.ffmpeg,
    jsRuntime: options.jsRuntime,
    label: `canary-${options.version}`,
    onStderr: options.onStderr,
  });
  const checks: CanaryCheck[] = [];
  try {
    try {
      await engine.start();
    } catch (error) {
      return [
        {
          name: 'engine',
          ok: false,
          detail: `did not start: ${error instanceof Error ? error.message : String(error)}`,
        },
      ];
    }
    const reported = engine.info?.version;
    checks.push({
      name: 'engine',
      ok: reported === options.version,
      detail:
        reported === options.version ? `yt-dlp ${reported} warm` : `imports yt-dlp ${reported}, not ${options.version}`,
    });

    // Loopback: a second of video made by ffmpeg, served here, probed and downloaded byte for byte.
    const fixture = path.join(scratch, LOOPBACK_NAME);
    await execa(options.ffmpeg, [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=1:size=160x120:rate=10',
      '-c:v',
      'mpeg4',
      '-y',
      fixture,
    ]);
    const served = await serveFile(fixture);
    try {
      const dir = await mkdtemp(path.join(scratch, 'loopback-'));
      const result = await probeAndDownload(engine, served.url, dir, 50 * 1024 * 1024);
      const expected = (await stat(fixture)).size;
      checks.push({
        name: 'loopback',
        ok: result.ok && result.bytes === expected,
        detail: result.ok
          ? result.bytes === expected
            ? `${result.bytes} bytes downloaded`
            : `${result.bytes} bytes downloaded, ${expected} served`
          : result.detail,
      });
    } finally {
      await served.close();
    }

    for (const [index, url] of options.urls.entries()) {
      const dir = await mkdtemp(path.join(scratch, `link-${index}-`));
      const result = await probeAndDownload(engine, url, dir, options.maxBytes ?? 200 * 1024 * 1024);
      checks.push({ name: url, ok: result.ok, detail: result.ok ? `${result.bytes} bytes downloaded` : result.detail });
    }
    return checks;
  } finally {
    await engine.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
