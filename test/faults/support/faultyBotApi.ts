/**
 * A loopback proxy in front of the Bot API emulator that, during a window, answers a share of
 * the calls with what the real Bot API and its front-ends answer when they are in trouble:
 * 429 with `retry_after`, 500/503 as JSON errors, 502 as a bare gateway page, and the one case
 * that can duplicate a message: the call reaches the emulator and succeeds, but the answer is
 * lost (the client sees a 502). Every decision is recorded. Decisions come from a seeded PRNG,
 * so a run can be repeated with its seed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fate = 'pass' | '429' | '500' | '502' | '503' | 'lost';

export interface ProxiedCall {
  method: string;
  fate: Fate;
  at: number;
  /** For `pass` and `lost`: the status the emulator answered. */
  upstreamStatus?: number;
  /** For a `lost` success: `<chat>:<message replied to>` read from the emulator's answer. */
  key?: string;
}

export interface FaultyBotApi {
  apiRoot: string;
  readonly calls: readonly ProxiedCall[];
  /** From now, for `ms`: a share `rate` of the calls fail (mix below). */
  startWindow(ms: number): void;
  windowEndsAt(): number;
  close(): Promise<void>;
}

/** Of the failed calls: 429, 500, 502 (text), 503 and lost answers, by weight. */
const MIX: Array<[Exclude<Fate, 'pass'>, number]> = [
  ['429', 10],
  ['500', 5],
  ['502', 5],
  ['503', 5],
  ['lost', 5],
];

/** mulberry32: a small, good enough, seedable PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultyBotApi(
  upstreamRoot: string,
  options: { rate: number; seed: number },
): Promise<FaultyBotApi> {
  const upstream = new URL(upstreamRoot);
  const random = seededRandom(options.seed);
  const calls: ProxiedCall[] = [];
  let windowEnd = 0;
  const totalWeight = MIX.reduce((sum, [, weight]) => sum + weight, 0);

  const decide = (): Fate => {
    if (Date.now() >= windowEnd) return 'pass';
    if (random() >= options.rate) return 'pass';
    let pick = random() * totalWeight;
    for (const [fate, weight] of MIX) {
      pick -= weight;
      if (pick < 0) return fate;
    }
    return 'lost';
  };

  const server = http.createServer((req, res) => {
    const method = /\/bot[^/]*\/([A-Za-z0-9_]+)/.exec(req.url ?? '')?.[1] ?? '?';
    const fate = decide();
    const call: ProxiedCall = { method, fate, at: Date.now() };
    calls.push(call);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

    if (fate !== 'pass' && fate !== 'lost') {
      // Read the whole request first, as a real front-end does before it answers.
      req.resume();
      req.once('end', () => {
        if (fate === '429') {
          const retryAfter = 1 + Math.floor(random() * 2);
          json(429, {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${retryAfter}`,
            parameters: { retry_after: retryAfter },
          });
        } else if (fate === '502') {
          res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        } else {
          const status = Number(fate);
          json(status, {
            ok: false,
            error_code: status,
            description: status === 500 ? 'Internal Server Error' : 'Service Unavailable',
          });
        }
      });
      return;
    }

    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          call.upstreamStatus = answer.statusCode;
          const body = Buffer.concat(chunks);
          if (fate === 'lost') {
            call.key = keyOf(body);
            res
              .writeHead(502, { 'content-type': 'text/html' })
              .end('<html><body><h1>502 Bad Gateway</h1></body></html>');
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(body);
        });
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    startWindow(ms) {
      windowEnd = Date.now() + ms;
    },
    windowEndsAt: () => windowEnd,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `<chat>:<message replied to>` from a successful send's answer. */
function keyOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      ok?: boolean;
      result?: { chat?: { id?: number }; reply_to_message?: { message_id?: number } };
    };
    const result = Array.isArray(parsed.result) ? (parsed.result[0] as typeof parsed.result) : parsed.result;
    if (!parsed.ok || !result?.chat) return undefined;
    return `${result.chat.id}:${result.reply_to_message?.message_id}`;
  } catch {
    return undefined;
  }
}
