import { defaultPayloadConverter } from '@temporalio/common';
import { buildCodecServer, isLoopbackHost } from '../../src/http/codecServer.js';
import { createLogger } from '../../src/logger.js';
import { AesGcmPayloadCodec } from '../../shared/payloadCodec.js';
import { testPayloadKey } from '../support/codecKeys.js';

const TOKEN = 'codec-token-for-tests-0123456789';
const UI = 'http://localhost:8233';
const codec = new AesGcmPayloadCodec([testPayloadKey('k1')]);

function server(allowUiWithoutToken: boolean) {
  return buildCodecServer({
    codec,
    authToken: TOKEN,
    corsOrigins: [UI, 'http://127.0.0.1:8233'],
    allowUiWithoutToken,
    logger: createLogger('silent'),
  });
}

async function encryptedBody(value: unknown): Promise<string> {
  const [payload] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return JSON.stringify({
    payloads: [
      {
        metadata: Object.fromEntries(Object.entries(payload!.metadata!).map(([k, v]) => [k, base64(v)])),
        data: base64(payload!.data!),
      },
    ],
  });
}

function decodedValue(body: string): unknown {
  const { payloads } = JSON.parse(body) as { payloads: { metadata: Record<string, string>; data: string }[] };
  const [payload] = payloads;
  return defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(
      Object.entries(payload!.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(payload!.data, 'base64')),
  });
}

describe('the codec server', () => {
  const app = server(true);
  afterAll(() => app.close());
  const post = async (url: string, payload: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  it('decodes with the right bearer token', async () => {
    const response = await post('/codec/decode', await encryptedBody({ chatId: 4242 }), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(response.statusCode).toBe(200);
    expect(decodedValue(response.body)).toEqual({ chatId: 4242 });
  });

  it('encodes what it is given, so the UI can send encrypted input', async () => {
    const payload = defaultPayloadConverter.toPayload('from the UI');
    const body = JSON.stringify({
      payloads: [
        {
          metadata: { encoding: Buffer.from(payload.metadata!.encoding!).toString('base64') },
          data: Buffer.from(payload.data!).toString('base64'),
        },
      ],
    });
    const encoded = await post('/codec/encode', body, { authorization: `Bearer ${TOKEN}` });
    expect(encoded.statusCode).toBe(200);
    const decoded = await post('/codec/decode', encoded.body, { authorization: `Bearer ${TOKEN}` });
    expect(decodedValue(decoded.body)).toBe('from the UI');
  });

  it('answers 401 to a wrong token, even from the UI origin', async () => {
    const attempts: Record<string, string>[] = [
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: `Bearer ${TOKEN}`.slice(0, -1), origin: UI },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await post('/codec/decode', await encryptedBody('x'), headers);
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain(TOKEN);
    }
  });

  it('answers a token-less request only from an allowed UI origin', async () => {
    expect((await post('/codec/decode', await encryptedBody('x'), {})).statusCode).toBe(401);
    expect((await post('/codec/decode', await encryptedBody('x'), { origin: 'http://evil.example' })).statusCode).toBe(
      401,
    );
    const fromUi = await post('/codec/decode', await encryptedBody('x'), { origin: UI });
    expect(fromUi.statusCode).toBe(200);
    expect(fromUi.headers['access-control-allow-origin']).toBe(UI);
  });

  it('answers the CORS preflight of the UI origin only', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const allowed = await preflight(UI);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(UI);
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/x-namespace/);
    const refused = await preflight('http://evil.example');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('says which key id it lacks, with 400', async () => {
    const [foreign] = await new AesGcmPayloadCodec([testPayloadKey('retired')]).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const body = JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(foreign!.metadata!).map(([k, v]) => [k, base64(v)])),
          data: base64(foreign!.data!),
        },
      ],
    });
    const response = await post('/codec/decode', body, { authorization: `Bearer ${TOKEN}` });
    expect(response.statusCode).toBe(400);
    expect((JSON.parse(response.body) as { error: string }).error).toMatch(/key id "retired"/);
  });
});

describe('without the UI rule (not on loopback)', () => {
  const app = server(false);
  afterAll(() => app.close());

  it('requires the token from the UI origin too', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      payload: await encryptedBody('x'),
      headers: { 'content-type': 'application/json', origin: UI },
    });
    expect(response.statusCode).toBe(401);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '::1', 'localhost', '127.0.0.53'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.2', 'codec'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});
