import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

type Fault = { status: number; times: number };

/**
 * A media host on loopback for yt-dlp to download from: serves files from one folder with
 * their real content types, counts requests per path, and can answer errors on purpose.
 */
export interface MediaServer {
  baseUrl: string;
  url(name: string): string;
  /** Requests received for a path (e.g. '/clip.mp4'), whatever they were answered. */
  requestsFor(name: string): number;
  /** The next `times` requests for `name` answer `status` (e.g. 503) instead of the file. */
  failNext(name: string, status: number, times?: number): void;
  /** `name` always answers `status` (e.g. 404). */
  always(name: string, status: number): void;
  reset(): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.html': 'text/html; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.pdf': 'application/pdf',
};

export async function startMediaServer(root: string): Promise<MediaServer> {
  const counts = new Map<string, number>();
  const faults = new Map<string, Fault>();
  const permanent = new Map<string, number>();

  const server = http.createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    const always = permanent.get(pathname);
    const fault = faults.get(pathname);
    if (always !== undefined || (fault && fault.times > 0)) {
      if (fault && always === undefined) fault.times -= 1;
      response.writeHead(always ?? fault!.status, { 'content-type': 'text/plain' }).end('error on purpose');
      return;
    }
    const file = path.join(root, path.basename(pathname));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'accept-ranges': 'none',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    url: (name) => `${baseUrl}/${name}`,
    requestsFor: (name) => counts.get(name.startsWith('/') ? name : `/${name}`) ?? 0,
    failNext: (name, status, times = 1) => faults.set(`/${name}`, { status, times }),
    always: (name, status) => permanent.set(`/${name}`, status),
    reset() {
      counts.clear();
      faults.clear();
      permanent.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
