import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  BOT_PROCESSES,
  DYNAMIC_CONFIG_FILE,
  NAMESPACE_RETENTION,
  NAMESPACE_SETUP_SCRIPT,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_SERVICES,
  TEMPORAL_UI_VERSION,
  type BotProcessKind,
  type TemporalService,
} from './layout.js';
import { CLUSTER_DB_USER, startClusterPostgres, type ClusterPostgres } from './postgres.js';
import { logTail, managedProcess, waitFor, type ManagedProcess } from './processes.js';
import { DEFAULT_TEMPORAL_PORTS, temporalServerConfig, temporalUiConfig, type TemporalPorts } from './serverConfig.js';

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

/** One bot process: its kind, its name (`worker-downloads-2`) and its own DATA_DIR (a host). */
export interface BotProcess extends ManagedProcess {
  readonly kind: BotProcessKind;
  readonly dataDir: string;
  readonly healthPort: number;
  /** Started and answering /readyz (workers: polling their queues). */
  ready(timeoutMs?: number): Promise<void>;
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
  /** Stops the bot (SIGTERM: workers drain), then Temporal's services, then PostgreSQL. */
  stop(): Promise<void>;
}

export function temporalToolsDir(root: string): string {
  return path.join(root, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
}

/**
 * Starts the production shape on this machine: a private PostgreSQL (Temporal's store, SQL
 * visibility and the bot's state), Temporal's four services as separate processes of the server
 * built from go.temporal.io/server, the namespace and search attributes (the script compose
 * runs), then the bot as separate processes, each with a DATA_DIR of its own as on separate hosts.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const tools = temporalToolsDir(options.root);
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
  try {
    await createSchemas(path.join(tools, 'temporal-sql-tool'), postgres, log);
    await postgres.ensureDatabase(STATE_DATABASE);

    const configDir = path.join(options.dir, 'temporal', 'config');
    await mkdir(configDir, { recursive: true });
    await writeFile(
      path.join(configDir, 'cluster.yaml'),
      temporalServerConfig({
        postgresPort: postgres.port,
        user: CLUSTER_DB_USER,
        ports,
        dynamicConfigFile: path.join(options.root, DYNAMIC_CONFIG_FILE),
      }),
    );
    const temporal = Object.fromEntries(
      TEMPORAL_SERVICES.map((service) => [
        service,
        managedProcess({
          name: `temporal-${service}`,
          file: path.join(tools, 'temporal-server'),
          args: [
            '--root',
            path.join(options.dir, 'temporal'),
            '--config',
            'config',
            '--env',
            'cluster',
            '--allow-no-auth',
            'start',
            '--service',
            service,
          ],
          env: process.env,
          cwd: options.root,
          logFile: path.join(logs, `temporal-${service}.log`),
        }),
      ]),
    ) as Record<TemporalService, ManagedProcess>;
    // On a fresh database each service writes the cluster's metadata record as it starts, and one
    // that loses the race exits ("failed to initialize current cluster metadata": SaveClusterMetadata
    // version mismatch). The first service writes it alone; the others find it.
    const [first, ...others] = TEMPORAL_SERVICES;
    temporal[first].start();
    started.push(temporal[first]);
    await waitFor(
      'the cluster metadata record',
      async () => (await postgres.query('temporal', 'SELECT count(*) FROM cluster_metadata_info')).trim() !== '0',
      {
        timeoutMs: 120_000,
        died: () =>
          temporal[first].running ? undefined : `${temporal[first].name} exited:\n${logTail(temporal[first].logFile)}`,
      },
    );
    for (const service of others) {
      temporal[service].start();
      started.push(temporal[service]);
    }
    log(`Temporal ${TEMPORAL_SERVER_VERSION}: ${TEMPORAL_SERVICES.join(', ')} on ${address}`);
    const restarted = new Set<string>();

    const cli = path.join(options.root, '.tools', 'bin', 'temporal');
    const cliEnv = { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: options.namespace };
    await waitFor(
      `the Temporal frontend on ${address}`,
      async () => (await execa(cli, ['operator', 'cluster', 'health'], { env: cliEnv, reject: false })).exitCode === 0,
      {
        timeoutMs: 120_000,
        // A service that exits while the others come up (membership not yet settled, PostgreSQL
        // slow to answer on a loaded machine) is started again, once; its log says why.
        died: () => {
          const dead = TEMPORAL_SERVICES.map((s) => temporal[s]).find((p) => !p.running);
          if (!dead) return undefined;
          if (!restarted.has(dead.name)) {
            restarted.add(dead.name);
            log(`${dead.name} exited during start-up; starting it again:\n${logTail(dead.logFile, 5)}`);
            dead.start();
            return undefined;
          }
          return `${dead.name} exited twice:\n${logTail(dead.logFile)}`;
        },
      },
    );
    const setup = await execa('sh', [path.join(options.root, NAMESPACE_SETUP_SCRIPT)], {
      env: { ...cliEnv, NAMESPACE_RETENTION, PATH: `${path.dirname(cli)}:${process.env.PATH ?? ''}` },
      reject: false,
      all: true,
    });
    if (setup.exitCode !== 0) throw new Error(`${NAMESPACE_SETUP_SCRIPT} failed:\n${setup.all ?? ''}`);
    log(`namespace ${options.namespace} (retention ${NAMESPACE_RETENTION}) and search attributes ready`);

    const uiPort = options.uiPort ?? 8233;
    const uiUrl = `http://127.0.0.1:${uiPort}`;
    // Encrypted payloads stay readable in the Web UI through the codec server, on loopback like the UI.
    let codec: ManagedProcess | undefined;
    let codecEndpoint: string | undefined;
    if (options.botEnv.PAYLOAD_CODEC_KEYS) {
      const codecPort = options.codecPort ?? 8234;
      codecEndpoint = `http://127.0.0.1:${codecPort}/codec`;
      codec = managedProcess({
        name: 'codec',
        file: process.execPath,
        args: ['--import', 'tsx', 'src/cli/codec.ts'],
        env: {
          ...options.botEnv,
          CODEC_PORT: String(codecPort),
          HOST: '127.0.0.1',
          CODEC_CORS_ORIGINS: `${uiUrl},http://localhost:${uiPort}`,
          CODEC_ALLOW_UI_WITHOUT_TOKEN: 'true',
        },
        cwd: options.root,
        logFile: path.join(logs, 'codec.log'),
      });
      codec.start();
      started.push(codec);
      const codecProcess = codec;
      await waitFor(
        `the codec server on ${codecPort}`,
        async () => (await fetch(`http://127.0.0.1:${codecPort}/healthz`)).ok,
        {
          timeoutMs: 60_000,
          died: () => (codecProcess.running ? undefined : `exited:\n${logTail(codecProcess.logFile)}`),
        },
      );
      log(`codec server: ${codecEndpoint}`);
    }
    const uiConfigDir = path.join(options.dir, 'ui', 'config');
    await mkdir(uiConfigDir, { recursive: true });
    await writeFile(
      path.join(uiConfigDir, 'cluster.yaml'),
      temporalUiConfig({ frontend: address, port: uiPort, namespace: options.namespace, codecEndpoint }),
    );
    const ui = managedProcess({
      name: 'temporal-ui',
      file: path.join(options.root, '.tools', 'temporal-ui', TEMPORAL_UI_VERSION, 'temporal-ui'),
      args: ['--root', path.join(options.dir, 'ui'), '--config', 'config', '--env', 'cluster', 'start'],
      env: process.env,
      cwd: options.root,
      logFile: path.join(logs, 'temporal-ui.log'),
    });
    ui.start();
    started.push(ui);

    const stateDatabaseUrl = postgres.url(STATE_DATABASE);
    const bot: BotProcess[] = [];
    const counts = new Map<string, number>();
    const addBotProcess = async (service: BotProcessKind['service']): Promise<BotProcess> => {
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
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: options.namespace,
          DATA_DIR: dataDir,
          HEALTH_PORT: String(healthPort),
          ...(kind.stateStore ? { STATE_DATABASE_URL: stateDatabaseUrl } : {}),
        },
        cwd: options.root,
        logFile: path.join(logs, `${name}.log`),
      });
      const processOfBot: BotProcess = Object.assign(Object.create(managed) as ManagedProcess, {
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
      started.push(managed);
      bot.push(processOfBot);
      return processOfBot;
    };
    for (const kind of BOT_PROCESSES) {
      const replicas = options.replicas?.[kind.service] ?? kind.replicas;
      for (let i = 0; i < replicas; i++) await addBotProcess(kind.service);
    }
    await Promise.all([
      ...bot.map((p) => p.ready()),
      waitFor(`the Web UI on ${uiUrl}`, async () => (await fetch(uiUrl)).ok, {
        timeoutMs: 60_000,
        died: () => (ui.running ? undefined : `exited:\n${logTail(ui.logFile)}`),
      }),
    ]);
    log(`Web UI ${TEMPORAL_UI_VERSION}: ${uiUrl}`);
    log(`bot: ${bot.map((p) => p.name).join(', ')}`);

    return {
      address,
      namespace: options.namespace,
      postgres,
      temporal,
      ui,
      uiUrl,
      codec,
      bot,
      stateDatabaseUrl,
      addBotProcess: async (service) => {
        const added = await addBotProcess(service);
        await added.ready();
        return added;
      },
      async stop() {
        await Promise.all([
          ...bot.map((p) => p.stop('SIGTERM', 60_000)),
          ui.stop('SIGTERM', 10_000),
          codec?.stop('SIGTERM', 10_000),
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

/** Temporal's two databases, created and brought to the server's schema version (as compose's auto-setup does). */
async function createSchemas(
  sqlTool: string,
  postgres: ClusterPostgres,
  log: (message: string) => void,
): Promise<void> {
  for (const [database, schema] of [
    ['temporal', 'postgresql/v12/temporal'],
    ['temporal_visibility', 'postgresql/v12/visibility'],
  ] as const) {
    await postgres.ensureDatabase(database);
    const base = [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '--port',
      String(postgres.port),
      '--user',
      CLUSTER_DB_USER,
      '--db',
      database,
    ];
    const run = async (args: string[]) => {
      const result = await execa(sqlTool, [...base, ...args], { reject: false, all: true });
      if (result.exitCode !== 0)
        throw new Error(`temporal-sql-tool ${args.join(' ')} on ${database} failed:\n${result.all ?? ''}`);
    };
    await run(['setup-schema', '-v', '0.0']);
    await run(['update-schema', '--schema-name', schema]);
    log(`schema ${schema} up to date`);
  }
}
