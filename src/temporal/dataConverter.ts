/**
 * The one place that decides how payloads are stored: every Temporal client and worker of the
 * project (webhook, workers, the state activities' client, `npm start`, the ops CLI, replay)
 * takes its data converter from here, so none of them writes plaintext while the others encrypt.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config/index.js';
import { AesGcmPayloadCodec } from '../../shared/payloadCodec.js';

/** A failure converter that moves messages and stack traces into (encrypted) payloads. */
export const ENCRYPTED_FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failureConverter.cjs', import.meta.url));

export type PayloadEncryption = NonNullable<Config['payloadEncryption']>;

/**
 * Without PAYLOAD_CODEC_KEYS: Temporal's defaults (plaintext JSON). With them: every payload
 * encrypted with AES-256-GCM, failure messages and stack traces included.
 */
export function dataConverterFor(encryption: Config['payloadEncryption']): DataConverter {
  if (!encryption) return {};
  return {
    payloadCodecs: [new AesGcmPayloadCodec(encryption.keys)],
    failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH,
  };
}

/**
 * What `bundleWorkflowCode` needs to build the same workflow sandbox a worker builds from
 * `workflowsPath` with {@link dataConverterFor}: failures raised by workflow code are encoded there.
 */
export function workflowBundleConverterOptions(encryption: Config['payloadEncryption']): {
  failureConverterPath?: string;
} {
  return encryption ? { failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH } : {};
}
