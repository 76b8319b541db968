import pg from 'pg';
import { registerSecret } from '../../shared/redact.js';
import { schemaStatements, type RowChange, type RowsChange, type StateStore, type StateTable } from './stateStore.js';
import type { ValueCodec } from './stateValueCodec.js';

/** Serializes the schema creation of workers starting at once (CREATE … IF NOT EXISTS races in PostgreSQL). */
const SCHEMA_LOCK = 7_401_001;

/**
 * The store in PostgreSQL (STATE_DATABASE_URL), shared by the workers of every host.
 * A change locks its row's key first (`pg_advisory_xact_lock`, held to the end of the
 * transaction): that also covers a row that does not exist yet, which `SELECT … FOR UPDATE`
 * cannot lock.
 */
export async function openPostgresStateStore(databaseUrl: string, codec: ValueCodec): Promise<StateStore> {
  const url = new URL(databaseUrl);
  if (url.password) registerSecret(decodeURIComponent(url.password));
  // Idle connections must not keep a stopping process alive.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8, allowExitOnIdle: true });
  pool.on('error', () => undefined); // an idle connection dropped by the server: the next query opens another
  const location = `postgres://${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;

  const transaction = async <R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> => {
    const client = await pool.connect();
    // A checked-out connection has no pool listener: when the server ends it (a database stop or
    // restart), its 'error' event would crash the process. The query in progress fails with the
    // same error; the connection is destroyed on release instead of going back to the pool.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  };

  await transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    for (const statement of schemaStatements('BIGINT')) await client.query(statement);
  });

  return {
    kind: 'postgres',
    location,
    async read<T>(table: StateTable, key: string) {
      const { rows } = await pool.query<{ value: string }>(
        `SELECT value FROM ${table} WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)`,
        [key, Date.now()],
      );
      return rows[0] ? codec.decode<T>(rows[0].value) : undefined;
    },
    async update<T, R>(table: StateTable, key: string, change: RowChange<T, R>) {
      return transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${table}:${key}`]);
        const now = Date.now();
        const { rows } = await client.query<{ value: string }>(
          `SELECT value FROM ${table} WHERE key = $1 AND (expires_at IS NULL OR expires_at > $2)`,
          [key, now],
        );
        const { next, result } = change(rows[0] ? codec.decode<T>(rows[0].value) : undefined, now);
        if (next === null) await client.query(`DELETE FROM ${table} WHERE key = $1`, [key]);
        else if (next !== 'unchanged') {
          await client.query(
            `INSERT INTO ${table} (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
            [key, codec.encode(next.value), next.expiresAt ?? null],
          );
        }
        return result;
      });
    },
    async updateRows<T, R>(table: StateTable, keys: readonly string[], change: RowsChange<T, R>) {
      return transaction(async (client) => {
        // In one order everywhere: two transactions taking the same rows never wait for each other in a cycle.
        for (const key of [...new Set(keys)].sort())
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${table}:${key}`]);
        const now = Date.now();
        const { rows } = await client.query<{ key: string; value: string }>(
          `SELECT key, value FROM ${table} WHERE key = ANY($1) AND (expires_at IS NULL OR expires_at > $2)`,
          [[...keys], now],
        );
        const found = new Map(rows.map((row) => [row.key, row.value]));
        const currents = keys.map((key) => {
          const value = found.get(key);
          return value === undefined ? undefined : codec.decode<T>(value);
        });
        const { next, result } = change(currents, now);
        for (const [index, key] of keys.entries()) {
          const row = next[index];
          if (row === null) await client.query(`DELETE FROM ${table} WHERE key = $1`, [key]);
          else if (row !== undefined && row !== 'unchanged') {
            await client.query(
              `INSERT INTO ${table} (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
              [key, codec.encode(row.value), row.expiresAt ?? null],
            );
          }
        }
        return result;
      });
    },
    async sweep(table: StateTable) {
      const { rowCount } = await pool.query(`DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at <= $1`, [
        Date.now(),
      ]);
      return rowCount ?? 0;
    },
    async close() {
      await pool.end();
    },
  };
}
