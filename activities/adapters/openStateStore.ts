/**
 * Opens the state store the configuration names: PostgreSQL when STATE_DATABASE_URL is set,
 * otherwise SQLite under DATA_DIR. Each driver is loaded only when it is the one used.
 */
import type { PayloadKey } from '../../shared/payloadCodec.js';
import type { StateStore } from './stateStore.js';
import { createValueCodec } from './stateValueCodec.js';

export interface StateStoreOptions {
  /** `postgres://…` (STATE_DATABASE_URL); undefined: SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** PAYLOAD_CODEC_KEYS: values are stored encrypted, as Temporal's payloads are. */
  payloadKeys?: readonly PayloadKey[];
}

/** Opens (and creates, the first time) the store the configuration names. */
export async function openStateStore(options: StateStoreOptions): Promise<StateStore> {
  const codec = createValueCodec(options.payloadKeys);
  if (options.databaseUrl) {
    const { openPostgresStateStore } = await import('./postgresStateStore.js');
    return openPostgresStateStore(options.databaseUrl, codec);
  }
  const { openSqliteStateStore } = await import('./sqliteStateStore.js');
  return openSqliteStateStore(options.dataDir, codec);
}
