/**
 * AES-256-GCM encryption of every Temporal payload (workflow inputs and results, activity
 * arguments and results, signals, updates, queries, summaries, failure messages), so links, chat
 * ids and file names are ciphertext in Temporal's database, its UI and exported histories.
 *
 * The whole payload (its metadata and data, in the protobuf wire form of Temporal's `Payload`)
 * is encrypted, as in Temporal's own encryption samples, so the encoding of the value is hidden
 * too. The result says which key encrypted it: keys can be rotated without re-encrypting history.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import protobuf from 'protobufjs';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

/** One AES-256 key and the id stored next to what it encrypted. */
export interface PayloadKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Temporal's `temporal.api.common.v1.Payload` (fields 1 and 2): the same bytes its SDKs produce. */
const PayloadMessage = new protobuf.Type('Payload')
  .add(new protobuf.MapField('metadata', 1, 'string', 'bytes'))
  .add(new protobuf.Field('data', 2, 'bytes'));
new protobuf.Root().define('temporal.api.common.v1').add(PayloadMessage);

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A payload the codec cannot decrypt: unknown key id, tampered or truncated ciphertext. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

function metadataText(payload: Payload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value ? text.decode(value) : undefined;
}

export function isEncrypted(payload: Payload): boolean {
  return metadataText(payload, 'encoding') === ENCRYPTED_ENCODING;
}

/**
 * Encrypts with the first key; decrypts with whichever key the payload names. A payload that is
 * not encrypted passes through unchanged, so runs recorded before encryption was turned on still
 * replay and still read.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encryptWith: PayloadKey;
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(keys: readonly PayloadKey[]) {
    const [first] = keys;
    if (!first) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== KEY_BYTES)
        throw new Error(`payload key "${id}" must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    this.encryptWith = first;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encryptPayload(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decryptPayload(payload) : payload));
  }

  /** One payload, synchronously (the state store encrypts inside its transactions). */
  encryptPayload(payload: Payload): Payload {
    const { id, key } = this.encryptWith;
    const plain = PayloadMessage.encode(
      PayloadMessage.fromObject({ metadata: payload.metadata ?? {}, data: payload.data ?? new Uint8Array() }),
    ).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: a payload relabelled with another id does not decrypt.
    cipher.setAAD(utf8.encode(id));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) },
      data: new Uint8Array(sealed),
    };
  }

  decryptPayload(payload: Payload): Payload {
    const id = metadataText(payload, KEY_ID_METADATA);
    if (id === undefined) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA}`);
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `a payload is encrypted with key id "${id}", which PAYLOAD_CODEC_KEYS does not hold (add that key, after the current one)`,
      );
    }
    const sealed = payload.data ?? new Uint8Array();
    if (sealed.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(`an encrypted payload (key id "${id}") is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(utf8.encode(id));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `an encrypted payload (key id "${id}") failed authentication: it was altered, or key "${id}" is not the key that encrypted it`,
      );
    }
    const message = PayloadMessage.decode(plain) as unknown as {
      metadata?: Record<string, Uint8Array>;
      data?: Uint8Array;
    };
    return { metadata: { ...message.metadata }, data: message.data ?? new Uint8Array() };
  }
}
