import http from 'node:http';

export interface PostResult {
  status: number;
  ms: number;
  /** Set when the connection failed instead of answering. */
  error?: string;
}

/** POSTs raw bodies over keep-alive connections (a Telegram-like sender on loopback). */
export function createPoster(baseUrl: string, options: { maxSockets: number; headers?: Record<string, string> }) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  return {
    async post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<PostResult> {
      const first = await send(path, body, headers);
      // Node's documented keep-alive race: the server closed an idle socket just as the agent
      // reused it. Nothing reached the server; send once more on a fresh socket.
      return first.retryable ? send(path, body, headers) : first;
    },
    close: () => agent.destroy(),
  };

  function send(
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<PostResult & { retryable?: boolean }> {
    const started = performance.now();
    return new Promise((resolve) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            ...options.headers,
            ...headers,
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
          response.on('error', (error) =>
            resolve({ status: 0, ms: performance.now() - started, error: error.message }),
          );
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        resolve({
          status: 0,
          ms: performance.now() - started,
          error: error.message,
          retryable: request.reusedSocket && error.code === 'ECONNRESET',
        }),
      );
      request.end(body);
    });
  }
}

/** Runs `tasks` with at most `concurrency` at a time; results in task order. */
export async function runBounded<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  });
  await Promise.all(lanes);
  return results;
}
