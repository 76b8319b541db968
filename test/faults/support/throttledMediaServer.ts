/**
 * The fault tests' own media host on loopback (a small copy of test/support/mediaServer.ts with
 * what these tests need): files served from one folder, optionally throttled to a byte rate so
 * a download lasts long enough to be interrupted, with the requests in flight counted.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.mkv': 'video/x-matroska',
  '.html': 'text/html; charset=utf-8',
};

export interface ServedRequest {
  path: string;
  startedAt: number;
  /** Undefined while the response is still being written. */
  finishedAt?: number;
  /** True when the whole file was written. */
  complete: boolean;
}

export interface ThrottledMediaServer {
  baseUrl: string;
  /** The URL of a file in the folder. */
  url(name: string): string;
  /**
   * A URL of its own for `name` (`/u/<n>/<name>`, served as `name`): the bot caches media by
   * link, so each request that must really download needs a link nobody asked for before.
   */
  uniqueUrl(name: string): string;
  /** Every GET/HEAD of a file, in arrival order. */
  readonly requests: readonly ServedRequest[];
  /** Responses being written right now. */
  inFlight(): number;
  /**
   * Downloads in progress: responses being written for more than half a second (yt-dlp's generic
   * extractor first opens the URL to look at its headers and closes it at once).
   */
  downloading(): number;
  /** Resolves once `count` downloads are in progress at the same time. */
  waitForDownloading(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `bytesPerSecond` throttles every response (undefined: as fast as the disk goes). The rate is
 * kept with 16 KiB chunks and pauses, so the client sees steady progress.
 */
export async function startThrottledMediaServer(
  root: string,
  options: { bytesPerSecond?: number } = {},
): Promise<ThrottledMediaServer> {
  const requests: ServedRequest[] = [];
  let active = 0;
  async function serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.basename(pathname));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const served: ServedRequest = { path: pathname, startedAt: Date.now(), complete: false };
    requests.push(served);
    active += 1;
    const done = () => {
      if (served.finishedAt !== undefined) return;
      served.finishedAt = Date.now();
      active -= 1;
    };
    response.on('close', done);
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'accept-ranges': 'none',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const rate = options.bytesPerSecond;
    // Small chunks when throttled: progress (and so heartbeats) every quarter second.
    const chunkSize = rate ? Math.max(1024, Math.min(16 * 1024, Math.floor(rate / 4))) : 64 * 1024;
    const stream = createReadStream(file, { highWaterMark: chunkSize });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (response.destroyed) break;
        if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
        if (rate) await sleep((chunk.length / rate) * 1000);
      }
      if (!response.destroyed) {
        served.complete = true;
        response.end();
      }
    } catch {
      response.destroy();
    } finally {
      stream.destroy();
    }
  }
  const server = http.createServer((request, response) => {
    serve(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  let unique = 0;
  const downloading = () => requests.filter((r) => r.finishedAt === undefined && Date.now() - r.startedAt > 500).length;

  return {
    baseUrl,
    url: (name) => `${baseUrl}/${name}`,
    uniqueUrl: (name) => `${baseUrl}/u/${++unique}/${name}`,
    requests,
    inFlight: () => active,
    downloading,
    async waitForDownloading(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (downloading() < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} downloads in progress within ${timeoutMs} ms, saw ${downloading()}`);
        await sleep(50);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
