import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  DYNAMIC_CONFIG_FILE,
  NAMESPACE_RETENTION,
  NAMESPACE_SETUP_SCRIPT,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_SERVICES,
  type TemporalService,
} from './layout.js';
import { CLUSTER_DB_USER, type ClusterPostgres } from './postgres.js';
import { logTail, managedProcess, waitFor, type ManagedProcess } from './processes.js';
import { temporalServerConfig, type TemporalPorts } from './serverConfig.js';

export interface TemporalServerOptions {
  root: string;
  /** The cluster's folder: the server's config goes in `temporal/config`. */
  dir: string;
  logs: string;
  postgres: ClusterPostgres;
  ports: TemporalPorts;
  namespace: string;
  log: (message: string) => void;
  /** Each process as it starts, so that a start that fails half-way can stop what it started. */
  track: (started: ManagedProcess) => void;
}

function temporalToolsDir(root: string): string {
  return path.join(root, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
}

/**
 * Temporal's schemas in PostgreSQL, then its four services as processes of the server built from
 * go.temporal.io/server, from one config file; resolves once the frontend answers and the
 * namespace and search attributes exist (deploy/temporal/setup-namespace.sh, compose's script).
 */
export async function startTemporalServer(
  options: TemporalServerOptions,
): Promise<Record<TemporalService, ManagedProcess>> {
  const { postgres, log, logs } = options;
  const tools = temporalToolsDir(options.root);
  const address = `127.0.0.1:${options.ports.frontend.grpc}`;
  await createSchemas(path.join(tools, 'temporal-sql-tool'), postgres, log);

  const configDir = path.join(options.dir, 'temporal', 'config');
  await mkdir(configDir, { recursive: true });
  await writeFile(
    path.join(configDir, 'cluster.yaml'),
    temporalServerConfig({
      postgresPort: postgres.port,
      user: CLUSTER_DB_USER,
      ports: options.ports,
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
  options.track(temporal[first]);
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
    options.track(temporal[service]);
  }
  log(`Temporal ${TEMPORAL_SERVER_VERSION}: ${TEMPORAL_SERVICES.join(', ')} on ${address}`);

  const cli = path.join(options.root, '.tools', 'bin', 'temporal');
  const cliEnv = { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: options.namespace };
  await waitFor(
    `the Temporal frontend on ${address}`,
    async () => (await execa(cli, ['operator', 'cluster', 'health'], { env: cliEnv, reject: false })).exitCode === 0,
    {
      timeoutMs: 120_000,
      died: () => {
        const dead = TEMPORAL_SERVICES.map((s) => temporal[s]).find((p) => !p.running);
        return dead ? `${dead.name} exited:\n${logTail(dead.logFile)}` : undefined;
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
  return temporal;
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
