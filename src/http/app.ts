import { createHash, timingSafeEqual } from 'node:crypto';
import type { MetricMeter } from '@temporalio/common';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Update } from 'grammy/types';
import type { Logger } from '../logger.js';
import { botMetricMeter, WEBHOOK_SECONDS } from '../metrics/index.js';
import type { HandleOutcome } from '../telegram/handleUpdate.js';
import { healthResponse, HealthChecks } from './health.js';
import { webhookRateLimit } from './rateLimit.js';

export const WEBHOOK_PATH = '/telegram/webhook';
/** Telegram updates are a few kB; anything near this is not an update. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface AppDeps {
  webhookSecret: string;
  handleUpdate: (update: Update) => Promise<HandleOutcome>;
  logger: Logger;
  /** What `/readyz` checks (Temporal reachable, workers when the process runs some); none: always ready. */
  health?: HealthChecks;
  /** Where the webhook latency histogram goes; default the process's meter (METRICS_PORT). */
  meter?: MetricMeter;
  /**
   * WEBHOOK_RATE_LIMIT: webhook requests per minute per source address (Telegram's networks
   * exempt); 0 or unset: no limit.
   */
  rateLimitPerMinute?: number;
  /** TRUST_PROXY: hops of X-Forwarded-For trusted for the client address; 0 or unset: none. */
  trustProxyHops?: number;
}

const updateSchema = {
  type: 'object',
  required: ['update_id'],
  properties: { update_id: { type: 'integer' } },
} as const;

/** Compares secrets in constant time: hashing first makes the lengths equal too. */
export function secretMatches(received: string | string[] | undefined, expected: string): boolean {
  if (typeof received !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(received), digest(expected));
}

/**
 * The webhook server: checks Telegram's secret header, validates the update, and answers 200
 * only once the workflow start is durable (503 when Temporal did not acknowledge it, so
 * Telegram delivers the update again and nothing is lost).
 */
export function buildApp(deps: AppDeps) {
  // Without trusted hops X-Forwarded-For is ignored: `request.ip` is the socket's, unspoofable.
  // With N hops, `request.ip` is the address N entries from the socket's end of the chain (hop 0
  // is the socket). fastify 5 no longer takes a bare hop count, hence the function.
  const hops = deps.trustProxyHops ?? 0;
  const trustProxy = hops > 0 ? (_address: string, hop: number) => hop < hops : false;
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: WEBHOOK_BODY_LIMIT, trustProxy });

  const health = deps.health ?? new HealthChecks();
  for (const route of ['/healthz', '/readyz']) {
    app.get(route, async (request, reply) => {
      const answer = (await healthResponse(request.url, health))!;
      return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
    });
  }
  const latency = (deps.meter ?? botMetricMeter()).createHistogram(
    WEBHOOK_SECONDS,
    'float',
    's',
    'Seconds the webhook took to answer Telegram, by HTTP status.',
  );

  app.post<{ Body: Update }>(
    WEBHOOK_PATH,
    {
      schema: { body: updateSchema },
      onResponse: async (_request, reply) => {
        latency.record(reply.elapsedTime / 1000, { status: String(reply.statusCode) });
      },
      // Before the body is read: a stranger's request costs no parsing. The rate limit comes
      // first, so a flood of wrong secrets is refused (and logged) at the same cheap step.
      onRequest: [
        ...(deps.rateLimitPerMinute ? [webhookRateLimit({ perMinute: deps.rateLimitPerMinute })] : []),
        async (request: FastifyRequest, reply: FastifyReply) => {
          if (!secretMatches(request.headers['x-telegram-bot-api-secret-token'], deps.webhookSecret)) {
            request.log.warn({ ip: request.ip }, 'webhook request with a missing or wrong secret token');
            await reply.code(401).send({ ok: false, error: 'unauthorized' });
          }
        },
      ],
    },
    async (request, reply) => {
      const started = performance.now();
      try {
        const outcome = await deps.handleUpdate(request.body);
        request.log.debug({ outcome, ms: Math.round(performance.now() - started) }, 'update handled');
        return { ok: true };
      } catch (error) {
        request.log.error(
          { err: error, updateId: request.body.update_id },
          'could not start the workflow; Telegram will redeliver',
        );
        return reply.code(503).send({ ok: false, error: 'temporarily unavailable' });
      }
    },
  );

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, reason: error.message }, 'bad request');
    return reply.code(status).send({ ok: false, error: status >= 500 ? 'internal error' : error.message });
  });

  return app;
}
