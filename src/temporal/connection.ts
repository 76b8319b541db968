import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** A client for starting workflows (webhook, CLI). */
export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/** The connection workers poll through. */
export function connectWorkers(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}
