import { codecServerSettings, ConfigError, loadConfig } from '../../src/config/index.js';
import { chatCommand } from '../../src/ops/chat.js';
import { chatIdsFor, chatPseudonym, PLAIN_CHAT_IDS, pseudonymousChatIds } from '../../shared/chatPseudonyms.js';
import {
  chatSettingsWorkflowId,
  mediaRequestIdPrefix,
  mediaRequestWorkflowId,
  userQuotaWorkflowId,
} from '../../shared/workflowIds.js';
import { encryptionEnvironment, payloadKeysVariable, testPayloadKey } from '../support/codecKeys.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { configErrorOf as errorOfVariables } from '../support/configErrors.js';

const TOKEN = fakeBotToken('123456');

function configErrorOf(variables: Record<string, string>): ConfigError {
  return errorOfVariables({ TELEGRAM_BOT_TOKEN: TOKEN, ...variables });
}

describe('PAYLOAD_CODEC_KEYS and CHAT_ID_PSEUDONYM_KEY', () => {
  const keys = [testPayloadKey('k2026'), testPayloadKey('k2025')];
  const environment = { ...encryptionEnvironment(keys) };

  it('is off (plaintext) when unset', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).payloadEncryption).toBeUndefined();
  });

  it('reads every key in order, the first one encrypting', () => {
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...environment });
    expect(config.payloadEncryption?.keys).toEqual(keys);
    expect(config.payloadEncryption?.chatIdPseudonymKey).toHaveLength(32);
  });

  it.each([
    ['an entry without a key id', 'AAAA', /entry 1 is not keyId:base64/],
    [
      'a key that is not 32 bytes',
      `k1:${Buffer.alloc(16).toString('base64')}`,
      /entry 1 \(key id "k1"\): the key must be 32 bytes/,
    ],
    ['a key that is not base64', 'k1:not base64!', /must be 32 bytes/],
    ['a key id with spaces', `my key:${Buffer.alloc(32).toString('base64')}`, /key id must be/],
    ['the same id twice', payloadKeysVariable([testPayloadKey('k1'), testPayloadKey('k1')]), /names key id "k1" twice/],
  ])('refuses %s, naming the variable and never the key', (_label, value, problem) => {
    const error = configErrorOf({ ...environment, PAYLOAD_CODEC_KEYS: value });
    expect(error.variable).toBe('PAYLOAD_CODEC_KEYS');
    expect(error.message).toMatch(problem);
    expect(error.message).not.toContain(value.split(':')[1] ?? value);
  });

  it('requires the pseudonym key with the payload keys, and refuses it alone', () => {
    const { CHAT_ID_PSEUDONYM_KEY, PAYLOAD_CODEC_KEYS } = environment;
    expect(configErrorOf({ PAYLOAD_CODEC_KEYS: PAYLOAD_CODEC_KEYS! }).variable).toBe('CHAT_ID_PSEUDONYM_KEY');
    expect(configErrorOf({ CHAT_ID_PSEUDONYM_KEY: CHAT_ID_PSEUDONYM_KEY! }).variable).toBe('CHAT_ID_PSEUDONYM_KEY');
    const short = configErrorOf({
      PAYLOAD_CODEC_KEYS: PAYLOAD_CODEC_KEYS!,
      CHAT_ID_PSEUDONYM_KEY: Buffer.alloc(8).toString('base64'),
    });
    expect(short.message).toMatch(/at least 32 bytes/);
  });
});

describe('the codec server settings', () => {
  it('default to the embedded UI origins, following TEMPORAL_UI_PORT', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).codecServer.corsOrigins).toEqual([
      'http://localhost:8233',
      'http://127.0.0.1:8233',
    ]);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TEMPORAL_UI_PORT: '9000' }).codecServer.corsOrigins).toEqual([
      'http://localhost:9000',
      'http://127.0.0.1:9000',
    ]);
  });

  it('read CODEC_CORS_ORIGINS as origins and refuse paths', () => {
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, CODEC_CORS_ORIGINS: 'https://ui.example.com, http://localhost:8080/' })
        .codecServer.corsOrigins,
    ).toEqual(['https://ui.example.com', 'http://localhost:8080']);
    expect(configErrorOf({ CODEC_CORS_ORIGINS: 'https://ui.example.com/namespaces' }).variable).toBe(
      'CODEC_CORS_ORIGINS',
    );
  });

  it('refuse a short or spaced CODEC_AUTH_TOKEN without echoing it', () => {
    const error = configErrorOf({ CODEC_AUTH_TOKEN: 'short secret' });
    expect(error.variable).toBe('CODEC_AUTH_TOKEN');
    expect(error.message).not.toContain('short secret');
  });

  it('require the keys and a token once the server is to run, and a port unless one is given', () => {
    const plain = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, CODEC_PORT: '8234' });
    expect(() => codecServerSettings(plain)).toThrow(/PAYLOAD_CODEC_KEYS is required/);
    const { CODEC_AUTH_TOKEN: _token, ...withoutToken } = encryptionEnvironment();
    expect(() => codecServerSettings(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...withoutToken }), 8234)).toThrow(
      /CODEC_AUTH_TOKEN is required/,
    );
    const encrypted = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...encryptionEnvironment() });
    expect(() => codecServerSettings(encrypted)).toThrow(/CODEC_PORT is required/);
    expect(codecServerSettings(encrypted, 8234).port).toBe(8234);
  });
});

describe('chat pseudonyms', () => {
  const key = Buffer.alloc(32, 7);
  const chats = pseudonymousChatIds(key);

  it('are stable, differ between chats and between keys, and fit an Int search attribute', () => {
    expect(chatPseudonym(key, 4242)).toBe(chatPseudonym(Buffer.alloc(32, 7), 4242));
    expect(chatPseudonym(key, 4242)).not.toBe(chatPseudonym(key, 4243));
    expect(chatPseudonym(key, 4242)).not.toBe(chatPseudonym(Buffer.alloc(32, 8), 4242));
    for (const chatId of [1, 4242, -1001234567890, 731905284617]) {
      const value = chats.searchValue(chatId);
      expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
    }
  });

  it('replace the chat id in every workflow id, keeping ids of one chat under one prefix', () => {
    const chatId = 731905284617;
    const ids = [
      mediaRequestWorkflowId({ chatId, messageId: 17 }, chats),
      chatSettingsWorkflowId(chatId, chats),
      userQuotaWorkflowId({ userId: chatId }, chats),
    ];
    for (const id of ids) expect(id).not.toContain(String(chatId));
    expect(ids[0]).toBe(`media-request-p${chats.searchValue(chatId)}-17`);
    expect(ids[0]!.startsWith(mediaRequestIdPrefix(chatId, chats))).toBe(true);
    expect(
      mediaRequestWorkflowId({ chatId: 4242, messageId: 17 }, chats).startsWith(mediaRequestIdPrefix(chatId, chats)),
    ).toBe(false);
  });

  it('are off without payload encryption: ids keep the chat id', () => {
    expect(chatIdsFor(undefined)).toBe(PLAIN_CHAT_IDS);
    expect(mediaRequestWorkflowId({ chatId: -100123, messageId: 5 })).toBe('media-request--100123-5');
  });
});

describe('ops chat', () => {
  const noTemporal = () => Promise.reject(new Error('ops chat needs no Temporal'));

  it('prints the pseudonym and the queries that find the chat in the Web UI', async () => {
    const config = loadConfig({ ...encryptionEnvironment() }, { requireToken: false });
    const pseudonym = chatIdsFor(config.payloadEncryption).searchValue(4242);
    const result = await chatCommand.run(chatCommand.parse(['4242'], new Date()), noTemporal, config);
    expect(result.data).toMatchObject({
      chatId: 4242,
      pseudonymous: true,
      chatIdAttribute: pseudonym,
      queries: [`ChatId = ${pseudonym}`, `WorkflowId STARTS_WITH "media-request-p${pseudonym}-"`],
    });
    expect(result.text).not.toContain(config.payloadEncryption!.chatIdPseudonymKey.toString('base64'));
  });

  it('says the chat id is used as it is without encryption', async () => {
    const result = await chatCommand.run(
      chatCommand.parse(['--', '-100123'], new Date()),
      noTemporal,
      loadConfig({}, { requireToken: false }),
    );
    expect(result.data).toMatchObject({
      pseudonymous: false,
      chatIdAttribute: -100123,
      mediaRequestIdPrefix: 'media-request--100123-',
    });
  });
});
