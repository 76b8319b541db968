import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from './ports.js';

/** Debian's PostgreSQL binaries (apt-get install postgresql-15): the compose stack runs the same server. */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own in a temp dir, on a free loopback port, trust authentication
 * (nothing but this machine can reach it), for the tests of the PostgreSQL state store. PostgreSQL
 * refuses to run as root: as root the cluster belongs to the `postgres` user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-postgres-'));
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    asRoot
      ? execa('runuser', ['-u', 'postgres', '--', path.join(POSTGRES_BIN, command), ...args])
      : execa(path.join(POSTGRES_BIN, command), args);
  if (asRoot) {
    const { stdout } = await execa('id', ['-u', 'postgres']);
    const { stdout: group } = await execa('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout), Number(group));
  }
  const data = path.join(dir, 'data');
  await run('initdb', ['-D', data, '-A', 'trust', '-U', 'media_bot', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const server: ResultPromise = run('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
  ]);
  server.catch(() => undefined);
  const url = `postgres://media_bot@127.0.0.1:${port}/postgres`;
  for (let tries = 0; ; tries++) {
    const ready = await execa(path.join(POSTGRES_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
      reject: false,
    });
    if (ready.exitCode === 0) break;
    if (tries > 100) {
      server.kill('SIGKILL');
      throw new Error(`the private PostgreSQL did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      await run('pg_ctl', ['stop', '-D', data, '-m', 'fast']).catch(() => server.kill('SIGKILL'));
      await server.catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
