import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, type PayloadKey } from '../../shared/payloadCodec.js';

/** How a state row's value is written: JSON, or (with payload keys) AES-256-GCM like Temporal's payloads. */
export interface ValueCodec {
  encode(value: unknown): string;
  decode<T>(text: string): T;
}

/** Marks an encrypted value: `enc:<key id>:<base64>`. Plain values are JSON objects, which never start so. */
const ENCRYPTED_PREFIX = 'enc:';

/**
 * With keys, a value is the same ciphertext a Temporal payload of it would be (the payload codec's
 * AES-256-GCM under the first key, the key id kept beside it), so whoever reads the store's
 * database learns no more than whoever reads Temporal's: no titles, no file_ids. Plain values stay
 * readable after keys are added (they pass through), as in Temporal.
 */
export function createValueCodec(keys?: readonly PayloadKey[]): ValueCodec {
  const codec = keys && keys.length > 0 ? new AesGcmPayloadCodec(keys) : undefined;
  const text = new TextDecoder();
  const bytes = new TextEncoder();
  return {
    encode(value) {
      if (!codec) return JSON.stringify(value);
      const sealed = codec.encryptPayload(defaultPayloadConverter.toPayload(value));
      const keyId = text.decode(sealed.metadata![KEY_ID_METADATA]);
      return `${ENCRYPTED_PREFIX}${keyId}:${Buffer.from(sealed.data!).toString('base64')}`;
    },
    decode<T>(stored: string): T {
      if (!stored.startsWith(ENCRYPTED_PREFIX)) return JSON.parse(stored) as T;
      if (!codec) throw new Error('a state value is encrypted, and PAYLOAD_CODEC_KEYS is not set');
      const separator = stored.indexOf(':', ENCRYPTED_PREFIX.length);
      const keyId = stored.slice(ENCRYPTED_PREFIX.length, separator);
      const payload = codec.decryptPayload({
        metadata: { encoding: bytes.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: bytes.encode(keyId) },
        data: Buffer.from(stored.slice(separator + 1), 'base64'),
      });
      return defaultPayloadConverter.fromPayload<T>(payload);
    },
  };
}
