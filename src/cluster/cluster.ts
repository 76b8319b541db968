import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BOT_PROCESSES, TEMPORAL_SERVICES, type BotProcessKind, type TemporalService } from './layout.js';
import { botProcessLauncher, type BotProcess } from './botProcesses.js';
import { startClusterPostgres, type ClusterPostgres } from './postgres.js';
import type { ManagedProcess } from './processes.js';
import { DEFAULT_TEMPORAL_PORTS, type TemporalPorts } from './serverConfig.js';
import { startTemporalServer } from './temporalServer.js';
import { startWebUi } from './webUi.js';

export type { BotProcess } from './botProcesses.js';

/** The bot's own database on the cluster's PostgreSQL: the state store every host shares. */
export const STATE_DATABASE = 'media_bot';

export interface ClusterOptions {
  /** The project's root: the scripts, .tools and the entry points live there. */
  root: string;
  /** Everything the cluster writes: PostgreSQL's files, the server config, logs, each host's DATA_DIR. */
  dir: string;
  namespace: string;
  postgresPort?: number;
  temporalPorts?: TemporalPorts;
  /** The Web UI's port (default 8233, as `npm start` and compose publish it). */
  uiPort?: number;
  /**
   * The codec server's port (default 8234, as compose publishes it). It runs when the bot's
   * payloads are encrypted (PAYLOAD_CODEC_KEYS in botEnv): the Web UI decodes them through it.
   */
  codecPort?: number;
  /** The environment of the bot's processes (token, Bot API root, webhook settings, tuning). */
  botEnv: NodeJS.ProcessEnv;
  /** Processes per kind; default BOT_PROCESSES' replicas. 0: that kind is not started. */
  replicas?: Partial<Record<BotProcessKind['service'], number>>;
  /** Each bot process's HEALTH_PORT, by its name; the readiness of a worker is its /readyz. */
  healthPort: (name: string) => Promise<number>;
  log?: (message: string) => void;
}

export interface Cluster {
  /** TEMPORAL_ADDRESS of the frontend. */
  address: string;
  namespace: string;
  postgres: ClusterPostgres;
  temporal: Record<TemporalService, ManagedProcess>;
  /** The Web UI server, and where it answers. */
  ui: ManagedProcess;
  uiUrl: string;
  /** The codec server (`npm run codec`), when payloads are encrypted. */
  codec?: ManagedProcess;
  bot: BotProcess[];
  /** The shared state store's URL (STATE_DATABASE_URL of the bot's processes). */
  stateDatabaseUrl: string;
  /** Starts one more process of a kind (a new host), e.g. a third downloads worker. */
  addBotProcess(service: BotProcessKind['service']): Promise<BotProcess>;
  /** Stops the bot (SIGTERM: workers drain), the UI, then Temporal's services, then PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * Starts the production shape on this machine: a private PostgreSQL (Temporal's store, SQL
 * visibility and the bot's state), Temporal's four services as separate processes of the server
 * built from go.temporal.io/server with the namespace and search attributes (compose's script),
 * its Web UI, then the bot as separate processes, each with a DATA_DIR of its own as on separate hosts.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const logs = path.join(options.dir, 'logs');
  await mkdir(logs, { recursive: true });
  const ports = options.temporalPorts ?? DEFAULT_TEMPORAL_PORTS;
  const address = `127.0.0.1:${ports.frontend.grpc}`;

  log(`PostgreSQL: ${path.join(options.dir, 'postgres')}`);
  const postgres = await startClusterPostgres({
    dir: path.join(options.dir, 'postgres'),
    port: options.postgresPort ?? 5433,
    logFile: path.join(logs, 'postgres.log'),
  });
  const started: ManagedProcess[] = [];
  const track = (child: ManagedProcess) => started.push(child);
  const common = { root: options.root, dir: options.dir, logs, namespace: options.namespace, track };
  try {
    await postgres.ensureDatabase(STATE_DATABASE);
    const temporal = await startTemporalServer({ ...common, postgres, ports, log });
    const web = await startWebUi({
      ...common,
      address,
      uiPort: options.uiPort,
      codecPort: options.codecPort,
      botEnv: options.botEnv,
      log,
    });

    const stateDatabaseUrl = postgres.url(STATE_DATABASE);
    const launch = botProcessLauncher({
      ...common,
      address,
      stateDatabaseUrl,
      botEnv: options.botEnv,
      healthPort: options.healthPort,
    });
    const bot: BotProcess[] = [];
    for (const kind of BOT_PROCESSES) {
      const replicas = options.replicas?.[kind.service] ?? kind.replicas;
      for (let i = 0; i < replicas; i++) bot.push(await launch(kind.service));
    }
    await Promise.all([...bot.map((p) => p.ready()), web.ready()]);
    log(`bot: ${bot.map((p) => p.name).join(', ')}`);

    return {
      address,
      namespace: options.namespace,
      postgres,
      temporal,
      ui: web.ui,
      uiUrl: web.uiUrl,
      codec: web.codec,
      bot,
      stateDatabaseUrl,
      addBotProcess: async (service) => {
        const added = await launch(service);
        bot.push(added);
        await added.ready();
        return added;
      },
      async stop() {
        await Promise.all([
          ...bot.map((p) => p.stop('SIGTERM', 60_000)),
          web.ui.stop('SIGTERM', 10_000),
          web.codec?.stop('SIGTERM', 10_000),
        ]);
        await Promise.all(TEMPORAL_SERVICES.map((s) => temporal[s].stop('SIGTERM', 20_000)));
        await postgres.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((p) => p.stop('SIGKILL', 5_000)));
    await postgres.stop();
    throw error;
  }
}
