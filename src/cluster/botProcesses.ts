import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BOT_PROCESSES, type BotProcessKind } from './layout.js';
import { logTail, managedProcess, waitFor, type ManagedProcess } from './processes.js';

/** One bot process: its kind, its name (`worker-downloads-2`) and its own DATA_DIR (a host). */
export interface BotProcess extends ManagedProcess {
  readonly kind: BotProcessKind;
  readonly dataDir: string;
  readonly healthPort: number;
  /** Started and answering /readyz (workers: polling their queues). */
  ready(timeoutMs?: number): Promise<void>;
}

export interface BotProcessOptions {
  root: string;
  /** The cluster's folder: each process's DATA_DIR is `hosts/<name>` in it. */
  dir: string;
  logs: string;
  /** The frontend's host:port: the processes reach the cluster through TEMPORAL_ADDRESS only. */
  address: string;
  namespace: string;
  stateDatabaseUrl: string;
  botEnv: NodeJS.ProcessEnv;
  healthPort: (name: string) => Promise<number>;
  track: (started: ManagedProcess) => void;
}

/**
 * Starts bot processes as on separate hosts: `src/cli/bot.ts` or `src/cli/worker.ts --queue …`,
 * each with a DATA_DIR and a HEALTH_PORT of its own, and the shared state store where its kind
 * uses one. Returns the function that starts one more of a kind.
 */
export function botProcessLauncher(
  options: BotProcessOptions,
): (service: BotProcessKind['service']) => Promise<BotProcess> {
  const counts = new Map<string, number>();
  return async (service) => {
    const kind = BOT_PROCESSES.find((k) => k.service === service)!;
    const index = (counts.get(service) ?? 0) + 1;
    counts.set(service, index);
    const name = `${service}-${index}`;
    const dataDir = path.join(options.dir, 'hosts', name);
    await mkdir(dataDir, { recursive: true });
    const healthPort = await options.healthPort(name);
    const entry = kind.npmScript === 'webhook' ? 'src/cli/bot.ts' : 'src/cli/worker.ts';
    const managed = managedProcess({
      name,
      file: process.execPath,
      args: ['--import', 'tsx', entry, ...(kind.queue ? ['--queue', kind.queue] : [])],
      env: {
        ...options.botEnv,
        TEMPORAL_ADDRESS: options.address,
        TEMPORAL_NAMESPACE: options.namespace,
        DATA_DIR: dataDir,
        HEALTH_PORT: String(healthPort),
        ...(kind.stateStore ? { STATE_DATABASE_URL: options.stateDatabaseUrl } : {}),
      },
      cwd: options.root,
      logFile: path.join(options.logs, `${name}.log`),
    });
    const botProcess: BotProcess = Object.assign(Object.create(managed) as ManagedProcess, {
      kind,
      dataDir,
      healthPort,
      ready: (timeoutMs = 120_000) =>
        waitFor(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, {
          timeoutMs,
          died: () => (managed.running ? undefined : `exited:\n${logTail(managed.logFile)}`),
        }),
    });
    managed.start();
    options.track(managed);
    return botProcess;
  };
}
