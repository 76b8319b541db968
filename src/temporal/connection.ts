import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/index.js';
import { registerSecret } from '../../shared/redact.js';
import { dataConverterFor } from './dataConverter.js';

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

/** A client for starting workflows (webhook, CLI), encrypting payloads when PAYLOAD_CODEC_KEYS is set. */
export async function connectClient(
  address: string,
  config: Pick<Config, 'temporal' | 'payloadEncryption'>,
): Promise<Client> {
  const connection = await Connection.connect({ address, ...connectionSecurity(config.temporal) });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config.payloadEncryption),
  });
}

/** The connection workers poll through. */
export function connectWorkers(address: string, temporal: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({ address, ...connectionSecurity(temporal) });
}
