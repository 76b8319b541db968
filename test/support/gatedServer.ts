import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';

/**
 * A media host whose downloads last exactly as long as the test wants: every path serves the same
 * file, but a GET trickles a few bytes every quarter second (so yt-dlp neither finishes nor times
 * out) until the test opens that path's gate; then the rest arrives at once. Counts requests per
 * path, so a test can show that a refused request never reached the media host.
 */
export interface GatedServer {
  url(name: string): string;
  /** GET and HEAD requests received for `name` (e.g. 'a.mp4'). */
  requestsFor(name: string): number;
  /** Lets the downloads of `name` finish (those running and those to come). */
  open(name: string): void;
  /** Opens every gate. */
  openAll(): void;
  close(): Promise<void>;
}

const TRICKLE_BYTES = 16;
const TRICKLE_MS = 250;

export async function startGatedServer(file: string): Promise<GatedServer> {
  const bytes = await readFile(file);
  const counts = new Map<string, number>();
  const opened = new Set<string>();
  let allOpen = false;
  const waiting = new Map<string, Set<() => void>>();
  const isOpen = (name: string) => allOpen || opened.has(name);
  const wake = (name?: string) => {
    for (const [path, wakers] of waiting) if (name === undefined || path === name) for (const waker of wakers) waker();
  };

  const server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).replace(/^\//, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length, 'accept-ranges': 'none' });
    if (request.method === 'HEAD') return void response.end();
    serve(name, response);
  });

  function serve(name: string, response: ServerResponse): void {
    let offset = 0;
    const finish = () => {
      clearInterval(timer);
      waiting.get(name)?.delete(finish);
      if (!response.destroyed) response.end(bytes.subarray(offset));
    };
    const timer = setInterval(() => {
      if (response.destroyed) return void clearInterval(timer);
      // Never the last byte while closed: the download stays unfinished.
      const next = bytes.subarray(offset, Math.min(offset + TRICKLE_BYTES, bytes.length - 1));
      offset += next.length;
      if (next.length > 0) response.write(next);
    }, TRICKLE_MS);
    response.on('close', () => {
      clearInterval(timer);
      waiting.get(name)?.delete(finish);
    });
    if (isOpen(name)) return finish();
    if (!waiting.has(name)) waiting.set(name, new Set());
    waiting.get(name)!.add(finish);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    requestsFor: (name) => counts.get(name) ?? 0,
    open(name) {
      opened.add(name);
      wake(name);
    },
    openAll() {
      allOpen = true;
      wake();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
