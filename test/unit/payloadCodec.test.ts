import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  isEncrypted,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../shared/payloadCodec.js';
import { testPayloadKey } from '../support/codecKeys.js';

const LINK = 'https://media.example.com/private/holiday-clip.mp4?token=abc';
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('AesGcmPayloadCodec', () => {
  const current = testPayloadKey('k2026');
  const codec = new AesGcmPayloadCodec([current]);

  it('round-trips JSON, binary and empty payloads, metadata included', async () => {
    const payloads = [
      plain({ chatId: 731905284617, links: [LINK] }),
      plain(new Uint8Array([0, 1, 255])),
      plain(undefined),
    ];
    const decoded = await codec.decode(await codec.encode(payloads));
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([
      { chatId: 731905284617, links: [LINK] },
      new Uint8Array([0, 1, 255]),
      undefined,
    ]);
    expect(decoded.map((payload) => text(payload.metadata?.encoding))).toEqual(
      payloads.map((payload) => text(payload.metadata?.encoding)),
    );
  });

  it('stores binary/encrypted with the key id, and nothing of the value or its encoding in clear', async () => {
    const [encrypted] = await codec.encode([plain({ link: LINK })]);
    expect(text(encrypted!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata?.[KEY_ID_METADATA])).toBe('k2026');
    expect(Object.keys(encrypted!.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA].sort());
    expect(text(encrypted!.data)).not.toContain('media.example.com');
    expect(text(encrypted!.data)).not.toContain('json/plain');
    expect(isEncrypted(encrypted!)).toBe(true);
  });

  it('uses a fresh IV each time: the same value encrypts differently', async () => {
    const [first, second] = await codec.encode([plain(LINK), plain(LINK)]);
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
  });

  it('passes a payload that is not encrypted through decode unchanged (histories from before)', async () => {
    const old = plain({ chatId: 4242 });
    const [decoded] = await codec.decode([old]);
    expect(decoded).toBe(old);
  });
});

describe('key rotation', () => {
  const old = testPayloadKey('k2025');
  const next = testPayloadKey('k2026');

  it('encrypts with the first key and still decrypts what the older keys encrypted', async () => {
    const [before] = await new AesGcmPayloadCodec([old]).encode([plain('recorded last year')]);
    const rotated = new AesGcmPayloadCodec([next, old]);
    const [after] = await rotated.encode([plain('recorded now')]);
    expect(text(after!.metadata?.[KEY_ID_METADATA])).toBe('k2026');
    const decoded = await rotated.decode([before!, after!]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([
      'recorded last year',
      'recorded now',
    ]);
  });

  it('names the key id it does not hold', async () => {
    const [before] = await new AesGcmPayloadCodec([old]).encode([plain('x')]);
    await expect(new AesGcmPayloadCodec([next]).decode([before!])).rejects.toThrow(
      /key id "k2025".*PAYLOAD_CODEC_KEYS does not hold/,
    );
  });
});

describe('tampering', () => {
  const key = testPayloadKey('k1');
  const codec = new AesGcmPayloadCodec([key]);

  it('refuses a payload whose ciphertext was altered', async () => {
    const [encrypted] = await codec.encode([plain({ amount: 1 })]);
    const data = Buffer.from(encrypted!.data!);
    data[20]! ^= 0x01;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(PayloadDecryptionError);
  });

  it('refuses a payload relabelled with another key id, even one it holds', async () => {
    const other = testPayloadKey('k2');
    const both = new AesGcmPayloadCodec([key, { id: 'k2', key: other.key }]);
    const [encrypted] = await both.encode([plain('secret')]);
    const relabelled = {
      ...encrypted!,
      metadata: { ...encrypted!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') },
    };
    await expect(both.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  it('refuses a truncated payload', async () => {
    const [encrypted] = await codec.encode([plain('secret')]);
    await expect(codec.decode([{ ...encrypted!, data: encrypted!.data!.subarray(0, 10) }])).rejects.toThrow(
      /truncated/,
    );
  });

  it('never puts key material in its errors', async () => {
    const [encrypted] = await codec.encode([plain('secret')]);
    const error = await new AesGcmPayloadCodec([testPayloadKey('k1')]).decode([encrypted!]).then(
      () => new Error('decoded with the wrong key'),
      (reason: unknown) => reason as Error,
    );
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    expect(error.message).not.toContain(key.key.toString('base64'));
    expect(error.message).not.toContain(key.key.toString('hex'));
  });
});
