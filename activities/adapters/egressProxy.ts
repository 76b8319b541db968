import { lookup } from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import { isBlockedAddress } from './urlGuard.js';

/**
 * The only way out for yt-dlp and ffmpeg: an HTTP proxy on loopback that resolves every host
 * itself, refuses loopback/private/link-local/... addresses (see urlGuard), and connects to the
 * very address it checked. Redirects, manifests, segments and DNS answers that change between a
 * check and a use all pass through here, so none of them can reach into the operator's network.
 * Hosts on the operator's allowlist (EGRESS_ALLOWED_HOSTS) are let through by name.
 */
export interface EgressProxy {
  /** `http://127.0.0.1:<port>`: what yt-dlp's `--proxy` takes. */
  url: string;
  /** Connections refused so far (host, port, why), newest last. */
  refusals: Array<{ host: string; port: number; reason: string }>;
  close(): Promise<void>;
}

type Resolve = (host: string) => Promise<string[]>;

export interface EgressProxyOptions {
  allowedHosts: readonly string[];
  resolve?: Resolve;
}

const resolveAll: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

class Refused extends Error {}

/** The reason phrase of a refusal: yt-dlp quotes it in its error, so the activity can tell a refusal from a 403 of the site. */
export const EGRESS_REFUSAL = 'Blocked By Egress Policy';

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const resolve = options.resolve ?? resolveAll;
  const allowed = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  const refusals: EgressProxy['refusals'] = [];
  /** CONNECT sockets leave the HTTP server's bookkeeping: closed by hand. */
  const tunnels = new Set<net.Socket>();

  /** The address to connect to for `host`, or a Refused error. */
  async function pick(host: string, port: number): Promise<string> {
    const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
    const refuse = (reason: string): never => {
      refusals.push({ host: bare, port, reason });
      throw new Refused(`${bare}:${port} refused: ${reason}`);
    };
    if (!Number.isInteger(port) || port < 1 || port > 65_535) refuse('bad port');
    if (allowed.has(bare)) return net.isIP(bare) ? bare : ((await resolve(bare))[0] ?? refuse('no address'));
    if (net.isIP(bare)) return isBlockedAddress(bare) ? refuse('private or local address') : bare;
    let addresses: string[];
    try {
      addresses = await resolve(bare);
    } catch {
      return refuse('does not resolve');
    }
    if (addresses.length === 0 || addresses.some(isBlockedAddress))
      return refuse('resolves to a private or local address');
    return addresses[0]!;
  }

  // A plain-HTTP proxy request carries the absolute URL ("GET http://host/path").
  async function proxyRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400).end('absolute URL required');
      return;
    }
    if (target.protocol !== 'http:') {
      response.writeHead(400).end('only http:// is proxied; https uses CONNECT');
      return;
    }
    const port = Number(target.port || 80);
    let address: string;
    try {
      address = await pick(target.hostname, port);
    } catch (error) {
      response
        .writeHead(403, EGRESS_REFUSAL, { 'content-type': 'text/plain' })
        .end(error instanceof Error ? error.message : 'refused');
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...request.headers, host: target.host };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: address,
        port,
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers,
        setHost: false,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502).end('upstream failed');
      else response.destroy();
    });
    request.pipe(upstream);
  }

  // HTTPS (and anything else tunnelled): "CONNECT host:port".
  async function openTunnel(request: http.IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(request.url ?? '');
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    client.on('error', () => client.destroy());
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    let address: string;
    try {
      address = await pick(match[1]!, Number(match[2]));
    } catch {
      client.end(`HTTP/1.1 403 ${EGRESS_REFUSAL}\r\n\r\n`);
      return;
    }
    const upstream = net.connect({ host: address, port: Number(match[2]) }, () => {
      tunnels.add(upstream);
      upstream.on('close', () => tunnels.delete(upstream));
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  }

  // A failure nobody expected ends that one connection, never the worker (an unhandled rejection would).
  const server = http.createServer((request, response) => {
    proxyRequest(request, response).catch(() => response.destroy());
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    openTunnel(request, client, head).catch(() => client.destroy());
  });

  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  // A helper of the worker, not a reason for the process to stay alive.
  server.unref();
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    refusals,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
