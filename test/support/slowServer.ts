import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

/**
 * A media host that serves one file slowly (bytes per second), so a download is still running
 * while the test acts on it.
 */
export async function startSlowServer(
  file: string,
  bytesPerSecond: number,
): Promise<{ url: (name: string) => string; close: () => Promise<void> }> {
  const bytes = await readFile(file);
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length });
    if (request.method === 'HEAD') return void response.end();
    let offset = 0;
    const chunk = Math.max(1, Math.floor(bytesPerSecond / 10));
    const timer = setInterval(() => {
      if (response.destroyed) return clearInterval(timer);
      response.write(bytes.subarray(offset, offset + chunk));
      offset += chunk;
      if (offset >= bytes.length) {
        clearInterval(timer);
        response.end();
      }
    }, 100);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
