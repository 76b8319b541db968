import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config.js';
import { registerSecret } from '../redact.js';

type TemporalConfig = Config['temporal'];

/** TLS and Temporal Cloud API key options, shared by clients and workers. */
export function connectionSecurity(temporal: TemporalConfig): { tls?: TLSConfig; apiKey?: string } {
  registerSecret(temporal.apiKey);
  if (!temporal.tls) return {};
  const { caFile, certFile, keyFile, serverName } = temporal.tls;
  const tls: TLSConfig = {
    serverNameOverride: serverName,
    serverRootCACertificate: caFile ? readFileSync(caFile) : undefined,
    clientCertPair: certFile && keyFile ? { crt: readFileSync(certFile), key: readFileSync(keyFile) } : undefined,
  };
  return { tls, apiKey: temporal.apiKey };
}

/** A client for starting workflows (webhook, CLI). */
export async function connectClient(address: string, temporal: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({ address, ...connectionSecurity(temporal) });
  return new Client({ connection, namespace: temporal.namespace });
}

/** The connection workers poll through. */
export function connectWorkers(address: string, temporal: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({ address, ...connectionSecurity(temporal) });
}
