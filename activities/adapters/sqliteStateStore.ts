import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  schemaStatements,
  SQLITE_FILE_NAME,
  type RowChange,
  type RowsChange,
  type StateStore,
  type StateTable,
} from './stateStore.js';
import type { ValueCodec } from './stateValueCodec.js';

interface Row {
  value: string;
  expires_at: number | null;
}

/**
 * The store in `DATA_DIR/state.sqlite`. Several processes on one host may share the file: WAL
 * lets readers run beside the one writer, and every change is a `BEGIN IMMEDIATE` transaction
 * (the write lock taken before the row is read), so two changes of a row never interleave.
 * better-sqlite3 is synchronous: a transaction holds the thread for the microseconds it takes,
 * and nothing else of the process can slip into it.
 */
export function openSqliteStateStore(dataDir: string, codec: ValueCodec): StateStore {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // What was committed survives a crash of the process (an OS crash may lose the last commits), as the embedded Temporal server's own SQLite.
  db.pragma('synchronous = NORMAL');
  // Another process holding the write lock: wait for it rather than fail.
  db.pragma('busy_timeout = 5000');
  for (const statement of schemaStatements('INTEGER')) db.exec(statement);

  const statements = new Map<
    StateTable,
    {
      select: Database.Statement<[string], Row>;
      upsert: Database.Statement;
      remove: Database.Statement;
      sweep: Database.Statement;
    }
  >();
  const statementsOf = (table: StateTable) => {
    let prepared = statements.get(table);
    if (!prepared) {
      prepared = {
        select: db.prepare<[string], Row>(`SELECT value, expires_at FROM ${table} WHERE key = ?`),
        upsert: db.prepare(
          `INSERT INTO ${table} (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
        ),
        remove: db.prepare(`DELETE FROM ${table} WHERE key = ?`),
        sweep: db.prepare(`DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at <= ?`),
      };
      statements.set(table, prepared);
    }
    return prepared;
  };
  const live = (row: Row | undefined, now: number) =>
    row && (row.expires_at === null || row.expires_at > now) ? row : undefined;

  return {
    kind: 'sqlite',
    location: file,
    async read<T>(table: StateTable, key: string) {
      const row = live(statementsOf(table).select.get(key), Date.now());
      return row ? codec.decode<T>(row.value) : undefined;
    },
    async update<T, R>(table: StateTable, key: string, change: RowChange<T, R>) {
      const { select, upsert, remove } = statementsOf(table);
      const transaction = db.transaction(() => {
        const now = Date.now();
        const row = live(select.get(key), now);
        const { next, result } = change(row ? codec.decode<T>(row.value) : undefined, now);
        if (next === null) remove.run(key);
        else if (next !== 'unchanged') upsert.run(key, codec.encode(next.value), next.expiresAt ?? null);
        return result;
      });
      return transaction.immediate();
    },
    async updateRows<T, R>(table: StateTable, keys: readonly string[], change: RowsChange<T, R>) {
      const { select, upsert, remove } = statementsOf(table);
      const transaction = db.transaction(() => {
        const now = Date.now();
        const currents = keys.map((key) => {
          const row = live(select.get(key), now);
          return row ? codec.decode<T>(row.value) : undefined;
        });
        const { next, result } = change(currents, now);
        keys.forEach((key, index) => {
          const row = next[index];
          if (row === null) remove.run(key);
          else if (row !== undefined && row !== 'unchanged')
            upsert.run(key, codec.encode(row.value), row.expiresAt ?? null);
        });
        return result;
      });
      return transaction.immediate();
    },
    async sweep(table: StateTable) {
      return statementsOf(table).sweep.run(Date.now()).changes;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
