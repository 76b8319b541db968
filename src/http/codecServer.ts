/**
 * The codec server: Temporal's remote codec protocol (`POST <endpoint>/decode` and
 * `<endpoint>/encode`, `{ "payloads": [...] }` in proto JSON: metadata values and data in
 * base64), so the Web UI and `temporal workflow show --codec-endpoint …` show encrypted runs in
 * clear. It decrypts anything it is sent: whoever may call it may read every run. Hence:
 *
 * - `Authorization: Bearer <CODEC_AUTH_TOKEN>`, compared in constant time; a wrong token is
 *   always 401.
 * - The Web UI without a login cannot send a token. A request WITHOUT one is answered only when
 *   `allowUiWithoutToken` holds (by default: the server listens on loopback, so only this host
 *   reaches it) AND its `Origin` is one of CODEC_CORS_ORIGINS. Browsers set `Origin` themselves,
 *   so no other web page (DNS rebinding included) passes; a local process could forge it, but a
 *   local process of the operator's could read the keys as well.
 * - CORS (preflight and responses) only for CODEC_CORS_ORIGINS.
 */
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { codecServerSettings, type Config } from '../config/index.js';
import type { Logger } from '../logger.js';
import { registerSecret } from '../../shared/redact.js';
import { AesGcmPayloadCodec } from '../../shared/payloadCodec.js';
import { secretMatches } from './app.js';

export const CODEC_PATH = '/codec';
/** Where `npm start` serves it when PAYLOAD_CODEC_KEYS is set and CODEC_PORT is not. */
export const DEFAULT_CODEC_PORT = 8234;
/** A payload is at most 2 MB in Temporal; the UI sends the payloads of a few events at a time. */
export const CODEC_BODY_LIMIT = 16 * 1024 * 1024;
const ALLOWED_HEADERS = 'content-type, authorization, x-namespace';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export interface CodecServerDeps {
  codec: PayloadCodec;
  authToken: string;
  corsOrigins: readonly string[];
  /** Answer token-less requests from `corsOrigins` (the Web UI); see the module comment. */
  allowUiWithoutToken: boolean;
  logger: Logger;
}

/** A payload as JSON carries it: every byte string in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          data: { type: 'string' },
        },
      },
    },
  },
} as const;

function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [
        name,
        new Uint8Array(Buffer.from(value, 'base64')),
      ]),
    ),
    data: new Uint8Array(Buffer.from(payload.data ?? '', 'base64')),
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

/** `127.0.0.1`, `::1`, `localhost`: only this host can connect. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

type Credentials = 'token' | 'ui-origin' | 'missing' | 'wrong';

/**
 * Who is asking. An Authorization header that is present must carry the right token, whatever
 * the origin; only its absence lets the UI rule apply.
 */
function credentialsOf(request: FastifyRequest, deps: CodecServerDeps): Credentials {
  const header = request.headers.authorization?.trim();
  if (header) {
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    return token !== undefined && secretMatches(token, deps.authToken) ? 'token' : 'wrong';
  }
  const origin = request.headers.origin;
  return deps.allowUiWithoutToken && origin !== undefined && deps.corsOrigins.includes(origin)
    ? 'ui-origin'
    : 'missing';
}

function allowOrigin(request: FastifyRequest, reply: FastifyReply, deps: CodecServerDeps): boolean {
  const origin = request.headers.origin;
  reply.header('vary', 'Origin');
  if (origin === undefined || !deps.corsOrigins.includes(origin)) return false;
  reply.header('access-control-allow-origin', origin);
  // The UI's "include cross-origin credentials" setting needs this; no cookie is ever used here.
  reply.header('access-control-allow-credentials', 'true');
  return true;
}

/** The codec server as a fastify app (not listening): `app.inject` in tests, {@link startCodecServer} for real. */
export function buildCodecServer(deps: CodecServerDeps) {
  // Fastify's request log lines carry method, url and address, never headers: the token stays out.
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: CODEC_BODY_LIMIT });

  // For container healthchecks: reveals nothing, needs no token.
  app.get('/healthz', async () => ({ ok: true }));

  for (const operation of ['encode', 'decode'] as const) {
    const url = `${CODEC_PATH}/${operation}`;

    app.options(url, async (request, reply) => {
      if (!allowOrigin(request, reply, deps)) return reply.code(403).send({ error: 'origin not allowed' });
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      // Chrome's Private Network Access asks this of a UI on another address of this machine.
      if (request.headers['access-control-request-private-network'] === 'true')
        reply.header('access-control-allow-private-network', 'true');
      return reply.code(204).send();
    });

    app.post<{ Body: { payloads: JsonPayload[] } }>(
      url,
      {
        schema: { body: payloadsSchema },
        // Before the body is read: an unauthorised caller costs no parsing.
        onRequest: async (request, reply) => {
          allowOrigin(request, reply, deps);
          const credentials = credentialsOf(request, deps);
          if (credentials === 'token' || credentials === 'ui-origin') return;
          request.log.warn(
            { ip: request.ip, origin: request.headers.origin, operation, credentials },
            'codec request refused',
          );
          await reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: 'unauthorized: send Authorization: Bearer <CODEC_AUTH_TOKEN>' });
        },
      },
      async (request, reply) => {
        try {
          const payloads = request.body.payloads.map(fromJson);
          const result = await deps.codec[operation](payloads);
          request.log.debug(
            { operation, payloads: payloads.length, ms: Math.round(reply.elapsedTime) },
            'codec request',
          );
          return { payloads: result.map(toJson) };
        } catch (error) {
          // Unknown key id or altered ciphertext: the message names the key id, never a key.
          const message = error instanceof Error ? error.message : String(error);
          request.log.warn({ operation, error: message }, 'codec request failed');
          return reply.code(400).send({ error: message });
        }
      },
    );
  }
  return app;
}

export interface RunningCodecServer {
  /** What the Web UI (`--ui-codec-endpoint`) and `temporal … --codec-endpoint` are given. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0: any free port). */
export async function startCodecServer(
  options: CodecServerDeps & { host: string; port: number },
): Promise<RunningCodecServer> {
  const { host, port, ...deps } = options;
  const app = buildCodecServer(deps);
  await app.listen({ host, port });
  const bound = (app.server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const endpoint = `http://${urlHost}:${bound}${CODEC_PATH}`;
  deps.logger.info(
    { endpoint, origins: deps.corsOrigins, uiWithoutToken: deps.allowUiWithoutToken },
    'codec server listening',
  );
  return { endpoint, port: bound, close: () => app.close() };
}

/**
 * The codec server as configured: PAYLOAD_CODEC_KEYS, CODEC_AUTH_TOKEN (both required: rejects
 * with a ConfigError naming the missing one, which callers `.catch`, hence async), CODEC_PORT
 * (else `defaultPort`), CODEC_CORS_ORIGINS and CODEC_ALLOW_UI_WITHOUT_TOKEN (default: true on a
 * loopback `host`).
 */
export async function startConfiguredCodecServer(
  config: Config,
  logger: Logger,
  options: { host: string; defaultPort?: number },
): Promise<RunningCodecServer> {
  const { port, authToken, encryption } = codecServerSettings(config, options.defaultPort);
  registerSecret(authToken);
  return startCodecServer({
    codec: new AesGcmPayloadCodec(encryption.keys),
    authToken,
    corsOrigins: config.codecServer.corsOrigins,
    allowUiWithoutToken: config.codecServer.allowUiWithoutToken ?? isLoopbackHost(options.host),
    logger,
    host: options.host,
    port,
  });
}
