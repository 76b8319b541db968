import { chown, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { managedProcess, waitFor, type ManagedProcess } from './processes.js';

/** The role Temporal and the bot log in as: trust authentication on loopback, like compose's network. */
export const CLUSTER_DB_USER = 'temporal';

/** Debian's PostgreSQL server binaries, the newest installed (scripts/setup.sh --cluster installs them). */
export async function postgresBinDir(): Promise<string> {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(`${dir}/initdb`));
  if (!found)
    throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql: run `bash scripts/setup.sh --cluster`');
  return found;
}

export interface ClusterPostgres {
  readonly process: ManagedProcess;
  readonly port: number;
  /** A connection URL to one database of this server. */
  url(database: string): string;
  /** Creates `database` unless it exists. */
  ensureDatabase(database: string): Promise<void>;
  /** Runs one SQL statement on `database`; its rows, unaligned, one a line. */
  query(database: string, sql: string): Promise<string>;
  /** Starts it again after a stop (same data, same port) and waits until it accepts connections. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private PostgreSQL server under `dir` (initdb on the first start), on `port`, loopback only:
 * the store of the cluster's Temporal and of the bot's state. PostgreSQL refuses to run as root:
 * as root its files belong to the `postgres` user and it runs as that user.
 */
export async function startClusterPostgres(options: {
  dir: string;
  port: number;
  logFile: string;
  /** No fsync: for throwaway test servers, whose data need not survive a machine crash. */
  durable?: boolean;
}): Promise<ClusterPostgres> {
  const bin = await postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const data = path.join(options.dir, 'data');
  await mkdir(options.dir, { recursive: true });
  let user: { uid: number; gid: number } | undefined;
  if (asRoot) {
    user = {
      uid: Number((await execa('id', ['-u', 'postgres'])).stdout),
      gid: Number((await execa('id', ['-g', 'postgres'])).stdout),
    };
    await chown(options.dir, user.uid, user.gid);
  }
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    const result = await execa(
      path.join(bin, 'initdb'),
      [
        '-D',
        data,
        '-A',
        'trust',
        '-U',
        CLUSTER_DB_USER,
        '--no-instructions',
        ...(options.durable === false ? ['--no-sync'] : []),
      ],
      { reject: false, cwd: options.dir, ...user },
    );
    if (result.exitCode !== 0)
      throw new Error(
        `initdb failed in ${data}${asRoot ? ' (as the postgres user: every folder above it must be open to it)' : ''}:\n${result.stderr}`,
      );
  }
  const args = [
    '-D',
    data,
    '-p',
    String(options.port),
    '-k',
    options.dir,
    '-c',
    'listen_addresses=127.0.0.1',
    // The history service opens up to maxConns per store and per shard owner; four services and
    // the bot's workers need more than the default 100.
    '-c',
    'max_connections=300',
    ...(options.durable === false ? ['-c', 'fsync=off'] : []),
  ];
  const server = managedProcess({
    name: 'postgres',
    file: path.join(bin, 'postgres'),
    args,
    env: process.env,
    cwd: options.dir,
    logFile: options.logFile,
    user,
  });
  const psql = (database: string, sql: string) =>
    execa(path.join(bin, 'psql'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(options.port),
      '-U',
      CLUSTER_DB_USER,
      '-d',
      database,
      '-tAc',
      sql,
    ]);
  const ready = () =>
    waitFor(
      `PostgreSQL on 127.0.0.1:${options.port}`,
      async () =>
        (await execa(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(options.port)], { reject: false }))
          .exitCode === 0,
      { timeoutMs: 60_000, died: () => (server.running ? undefined : `exited (see ${options.logFile})`) },
    );
  server.start();
  await ready();
  return {
    process: server,
    port: options.port,
    url: (database) => `postgres://${CLUSTER_DB_USER}@127.0.0.1:${options.port}/${database}`,
    async ensureDatabase(database) {
      if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a database name: ${database}`);
      const { stdout } = await psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`);
      if (stdout.trim() !== '1') await psql('postgres', `CREATE DATABASE ${database}`);
    },
    async query(database, sql) {
      return (await psql(database, sql)).stdout;
    },
    async start() {
      server.start();
      await ready();
    },
    async stop() {
      // SIGINT: PostgreSQL's "fast" shutdown (clients disconnected, a clean checkpoint).
      await server.stop('SIGINT', 30_000);
    },
  };
}
