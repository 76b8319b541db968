/**
 * The workflow tier's Temporal: a test server started from a local binary, the real workflow
 * bundle, and in-process workers that poll every task queue a run uses with stub activities.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { DOWNLOADS_QUEUE, TELEGRAM_QUEUE } from '../../../shared/taskQueues.js';
import { SEARCH_ATTRIBUTES } from '../../../shared/searchAttributes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WORKFLOWS_PATH = path.join(ROOT, 'workflows/index.ts');
/** Installed by scripts/setup.sh from PyPI: @temporalio/testing would download it, and this machine has no internet. */
export const TEST_SERVER_PATH = path.join(ROOT, '.tools/venv/bin/temporal-test-server');
const DEV_SERVER_PATH = path.join(ROOT, '.tools/bin/temporal');

/**
 * `time-skipping`: workflow timers (waits, quota windows, expiries) and the backoff between an
 * activity's attempts pass at once while a test awaits a result. Not an activity's own timeouts:
 * the server stops skipping from an activity's scheduling to its end, so a schedule-to-start or
 * heartbeat timeout takes its real time (tests shorten the ones the product lets them).
 * `local`: the `temporal` dev server, in real time throughout.
 */
export type ServerKind = 'time-skipping' | 'local';

/** The activities each task queue's worker runs; `telegram` is also the workflow worker (local activities run there). */
export interface QueueActivities {
  telegram: object;
  downloads?: object;
  /** Per-host queues by name: a host a download names but that is absent here is a host that is gone. */
  hosts?: Record<string, object>;
}

export interface WorkflowTier {
  env: TestWorkflowEnvironment;
  client: Client;
  /** Runs `body` while a worker polls each queue of `activities`; the workers stop when it settles. */
  withWorkers<T>(activities: QueueActivities, body: () => Promise<T>): Promise<T>;
  /** A workflow id no other test of this file uses. */
  uniqueId(prefix: string): string;
}

/** Resolves once the worker has stopped polling (a worker that never ran counts as stopped). */
async function stopped(worker: Worker): Promise<void> {
  if (worker.getState() !== 'RUNNING') return;
  worker.shutdown();
  while (worker.getState() !== 'STOPPED' && worker.getState() !== 'FAILED') {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/** Worker state changes and the workflows' own warnings would drown the test output (TEST_TEMPORAL_LOG_LEVEL shows them). */
function quietRuntime(): void {
  try {
    const level = (process.env.TEST_TEMPORAL_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR';
    // Core's own filter too: it warns on every worker that the test server lacks a capability the SDK could use.
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level } } },
    });
  } catch {
    // Installed already in this process.
  }
}

/** The time-skipping server knows no custom search attribute until told, and upserting an unknown one fails the workflow task. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  // temporal.api.enums.v1.IndexedValueType (KEYWORD 2, INT 3): the proto package is not one of ours to import.
  const indexed: Record<string, number> = { [SearchAttributeType.KEYWORD]: 2, [SearchAttributeType.INT]: 3 };
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, indexed[key.type]!])),
  });
}

async function startServer(kind: ServerKind): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const binary = kind === 'time-skipping' ? TEST_SERVER_PATH : DEV_SERVER_PATH;
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`npm run setup\` to install it`);
  if (kind === 'local') {
    return TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: binary },
        searchAttributes: [...SEARCH_ATTRIBUTES],
        extraArgs: ['--log-level', 'error', '--headless'],
      },
    });
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: binary } },
  });
  await registerSearchAttributes(env);
  return env;
}

/**
 * One server and one workflow bundle for the test file (`beforeAll`/`afterAll`); the workers are
 * made for each test, so a test's stubs never answer another test's tasks.
 */
export function useWorkflowTier(kind: ServerKind): WorkflowTier {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let ids = 0;
  const running = new Set<Worker>();

  beforeAll(async () => {
    [env, bundle] = await Promise.all([
      startServer(kind),
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
    ]);
  });
  // A test that timed out leaves its workers polling: they would answer the next test's tasks
  // (or keep its new workers from registering), and hold the connection the teardown closes.
  afterEach(async () => {
    await Promise.allSettled([...running].map((worker) => stopped(worker)));
    running.clear();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const started = () => {
    if (!env || !bundle) throw new Error('the workflow tier is used before its beforeAll ran');
    return { env, bundle };
  };

  return {
    get env() {
      return started().env;
    },
    get client() {
      return started().env.client;
    },
    async withWorkers<T>(activities: QueueActivities, body: () => Promise<T>): Promise<T> {
      const { env, bundle } = started();
      const common = {
        connection: env.nativeConnection,
        // Cancellation reaches an activity with its heartbeat's answer: soon, so cancel tests are quick.
        maxHeartbeatThrottleInterval: '100 milliseconds',
      };
      const queues: Array<[string, object]> = [
        ...(activities.downloads ? [[DOWNLOADS_QUEUE, activities.downloads] as [string, object]] : []),
        ...Object.entries(activities.hosts ?? {}),
      ];
      const workers = await Promise.all([
        Worker.create({
          ...common,
          taskQueue: TELEGRAM_QUEUE,
          workflowBundle: bundle,
          activities: activities.telegram,
        }),
        ...queues.map(([taskQueue, stubs]) => Worker.create({ ...common, taskQueue, activities: stubs })),
      ]);
      for (const worker of workers) running.add(worker);
      try {
        return await workers.reduce<Promise<T>>((inner, worker) => worker.runUntil(inner), body());
      } finally {
        for (const worker of workers) running.delete(worker);
      }
    },
    uniqueId(prefix) {
      ids += 1;
      return `${prefix}-${ids}`;
    },
  };
}
