/**
 * Health endpoints of every process: `/healthz` (the process is alive and answers) and `/readyz`
 * (it can do its job: Temporal answers, and on worker processes every worker is running and
 * polling). `/readyz` answers 503 with a JSON body naming what is not ready, and turns 503 as soon
 * as a shutdown starts so a load balancer or orchestrator stops sending work first.
 *
 * The webhook serves them on its own port (fastify, src/http/app.ts); worker processes on
 * HEALTH_PORT with the small node:http server below.
 */
import { createServer, type Server } from 'node:http';
import type { Worker } from '@temporalio/worker';
import type { Logger } from '../logger.js';

export interface CheckResult {
  ok: boolean;
  /** What is wrong (or what was seen), for the operator. */
  detail?: string;
}

export type ReadinessCheck = () => Promise<CheckResult>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** The part of a Temporal connection (client `Connection` or worker `NativeConnection`) a probe needs. */
export interface ProbeConnection {
  workflowService: { describeNamespace(request: { namespace: string }): Promise<unknown> };
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
}

/** How long a readiness probe waits for Temporal. */
export const TEMPORAL_PROBE_TIMEOUT_MS = 2_000;

/** Temporal answers: `DescribeNamespace` of our namespace, with a short deadline (cheap, and it checks the namespace and the credentials too). */
export function temporalCheck(
  connection: ProbeConnection,
  namespace: string,
  timeoutMs = TEMPORAL_PROBE_TIMEOUT_MS,
): ReadinessCheck {
  return async () => {
    try {
      await connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.describeNamespace({ namespace }),
      );
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        detail: `Temporal did not answer: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  };
}

/** Every worker is RUNNING and its pollers are polling (an activity-only worker has no workflow poller). */
export function workersCheck(workers: Record<string, Worker>): ReadinessCheck {
  return async () => {
    const problems: string[] = [];
    for (const [name, worker] of Object.entries(workers)) {
      const status = worker.getStatus();
      if (status.runState !== 'RUNNING') problems.push(`${name} is ${status.runState}`);
      else if (status.activityPollerState === 'FAILED' || status.workflowPollerState === 'FAILED')
        problems.push(`${name}: a poller failed`);
      else if (status.activityPollerState !== 'POLLING' && status.workflowPollerState !== 'POLLING')
        problems.push(`${name} is not polling`);
    }
    return problems.length === 0
      ? { ok: true, detail: `${Object.keys(workers).length} running` }
      : { ok: false, detail: problems.join('; ') };
  };
}

/**
 * A set of named checks, evaluated together. `stopping()` makes the process not ready at once
 * (SIGTERM: stop getting work before draining).
 */
export class HealthChecks {
  private shuttingDown = false;
  private readonly checks: Record<string, ReadinessCheck>;

  constructor(checks: Record<string, ReadinessCheck> = {}) {
    this.checks = { ...checks };
  }

  add(name: string, check: ReadinessCheck): this {
    this.checks[name] = check;
    return this;
  }

  stopping(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<Readiness> {
    const names = Object.keys(this.checks);
    const results = await Promise.all(
      names.map((name) =>
        this.checks[name]!().catch((error: unknown): CheckResult => ({
          ok: false,
          detail: error instanceof Error ? error.message : String(error),
        })),
      ),
    );
    const checks: Record<string, CheckResult> = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
    if (this.shuttingDown) checks.shutdown = { ok: false, detail: 'shutting down' };
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  }
}

/** `/healthz` and `/readyz` answered from `health`: status code and JSON body. */
export async function healthResponse(
  url: string | undefined,
  health: HealthChecks,
): Promise<{ status: number; body: unknown } | undefined> {
  const pathname = new URL(url ?? '/', 'http://localhost').pathname;
  if (pathname === '/healthz') return { status: 200, body: { ok: true } };
  if (pathname === '/readyz') {
    const readiness = await health.readiness();
    return { status: readiness.ready ? 200 : 503, body: { ok: readiness.ready, checks: readiness.checks } };
  }
  return undefined;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** The worker processes' health server on HEALTH_PORT (GET /healthz, /readyz; 404 otherwise). */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  health: HealthChecks;
  logger: Logger;
}): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(405, { ok: false, error: 'method not allowed' });
    healthResponse(request.url, options.health).then(
      (answer) => (answer ? send(answer.status, answer.body) : send(404, { ok: false, error: 'not found' })),
      (error: unknown) => {
        options.logger.error({ err: error }, 'health check failed');
        send(500, { ok: false, error: 'internal error' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ port }, 'health endpoints at /healthz and /readyz');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
