import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startClusterPostgres } from '../../src/cluster/postgres.js';
import { freePort } from './ports.js';

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of its own in a temp dir, on a free loopback port (the one `npm run cluster`
 * runs, without fsync), for the tests of the PostgreSQL state store and the send budget.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-postgres-'));
  // As root the server runs as the postgres user: it must reach its folder below.
  await chmod(dir, 0o755);
  const postgres = await startClusterPostgres({
    dir: path.join(dir, 'server'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
    durable: false,
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: postgres.url('postgres'),
    async stop() {
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
