/**
 * Where the workers keep the media cache, the users' quotas, the chats' settings and the Telegram
 * send budget (activities/adapters/sendBudget.ts): one small table each, in SQLite under DATA_DIR (the embedded default) or in PostgreSQL
 * (STATE_DATABASE_URL, shared by the workers of every host). A row is a key and its JSON value
 * (encrypted with the payload keys when Temporal's payloads are), with an optional expiry.
 *
 * Every change is a read-decide-write of one row in one transaction, and two changes of the same
 * row never interleave, across processes too: that is what makes a cache lease or a quota slot
 * go to one request only.
 */
export const STATE_TABLES = ['media_cache', 'user_quota', 'chat_settings', 'send_budget'] as const;
export type StateTable = (typeof STATE_TABLES)[number];

/** What a change leaves in the row: a value (kept until `expiresAt`, ms since the epoch; absent: forever), or nothing. */
export type NextRow<T> = { value: T; expiresAt?: number } | null;

/** Decides from the current value (undefined: no row, or an expired one) what the row becomes, and what to answer. */
export type RowChange<T, R> = (current: T | undefined, now: number) => { next: NextRow<T> | 'unchanged'; result: R };

/** The same for several rows of one table at once: `currents` and `next` in the order of the keys. */
export type RowsChange<T, R> = (
  currents: Array<T | undefined>,
  now: number,
) => { next: Array<NextRow<T> | 'unchanged'>; result: R };

export interface StateStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, for logs: the SQLite file, or the PostgreSQL host and database (never the password). */
  readonly location: string;
  read<T>(table: StateTable, key: string): Promise<T | undefined>;
  /** One row's read-decide-write, as one transaction; `change` must not await (it runs inside it). */
  update<T, R>(table: StateTable, key: string, change: RowChange<T, R>): Promise<R>;
  /** Several rows' read-decide-write as one transaction (the rows locked in key order, so two never deadlock). */
  updateRows<T, R>(table: StateTable, keys: readonly string[], change: RowsChange<T, R>): Promise<R>;
  /** Deletes the rows whose expiry has passed; how many. */
  sweep(table: StateTable): Promise<number>;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'state.sqlite';

/** The DDL both stores run at open (idempotent): one table per kind of state, indexed by expiry for the sweep. */
export function schemaStatements(bigint: string): string[] {
  return STATE_TABLES.flatMap((table) => [
    `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at ${bigint})`,
    `CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at)`,
  ]);
}
