import net from 'node:net';

/** A TCP port nobody listens on right now (on 127.0.0.1), so a test never collides with a running bot. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nobody listens on `port` (on 127.0.0.1). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive free ports in [low, high), tried from a random start. */
export async function freePortRange(count: number, low = 20_000, high = 32_000): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports between ${low} and ${high}`);
}
