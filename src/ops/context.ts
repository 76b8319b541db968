import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import { chatIdsFor, type ChatIds } from '../../shared/chatPseudonyms.js';
import { connectClient } from '../temporal/connection.js';

/** What every command that talks to Temporal gets: the client and the namespace it works in. */
export interface OpsContext {
  client: Client;
  namespace: string;
  address: string;
  now: Date;
  /** How workflow ids and the ChatId attribute name a chat (pseudonyms with PAYLOAD_CODEC_KEYS). */
  chats: ChatIds;
  /**
   * The custom search attributes the namespace knows (ChatId, MediaHost, …), asked once; undefined
   * when the server would not say. Queries only use an attribute that is known to exist: a query
   * naming an unregistered attribute is an error, not an empty answer.
   */
  searchAttributes(): Promise<ReadonlySet<string> | undefined>;
}

/** The Temporal address the bot's processes use when TEMPORAL_ADDRESS is unset: the embedded server. */
export function opsAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`;
}

export async function openContext(config: Config): Promise<OpsContext & { close(): Promise<void> }> {
  const address = opsAddress(config);
  const client = await connectClient(address, config);
  const namespace = config.temporal.namespace;
  let known: Promise<ReadonlySet<string> | undefined> | undefined;
  return {
    client,
    namespace,
    address,
    now: new Date(),
    chats: chatIdsFor(config.payloadEncryption),
    searchAttributes() {
      known ??= client.connection.operatorService.listSearchAttributes({ namespace }).then(
        (response) => new Set(Object.keys(response.customAttributes ?? {})),
        // Temporal Cloud and restricted roles may not answer: fall back to what each run carries.
        () => undefined,
      );
      return known;
    },
    close: () => client.connection.close(),
  };
}
