/**
 * Payload-encryption settings for tests, built at run time (no key material is committed): the
 * environment variables as an operator sets them, and the decoded keys.
 */
import { randomBytes } from 'node:crypto';
import type { PayloadKey } from '../../shared/payloadCodec.js';

export function testPayloadKey(id: string): PayloadKey {
  return { id, key: randomBytes(32) };
}

/** PAYLOAD_CODEC_KEYS's form: `id:base64,…`, the first key encrypting. */
export function payloadKeysVariable(keys: readonly PayloadKey[]): string {
  return keys.map(({ id, key }) => `${id}:${key.toString('base64')}`).join(',');
}

/** What a deployment with encryption on sets: keys, pseudonym key and the codec server's token. */
export function encryptionEnvironment(
  keys: readonly PayloadKey[] = [testPayloadKey('test-2026')],
): Record<string, string> {
  return {
    PAYLOAD_CODEC_KEYS: payloadKeysVariable(keys),
    CHAT_ID_PSEUDONYM_KEY: randomBytes(32).toString('base64'),
    CODEC_AUTH_TOKEN: randomBytes(24).toString('hex'),
  };
}
