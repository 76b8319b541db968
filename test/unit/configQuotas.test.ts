import { ConfigError, loadConfig } from '../../src/config/index.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { configErrorOf } from '../support/configErrors.js';

const TOKEN = fakeBotToken('123456');

function load(extra: Record<string, string | undefined>) {
  return loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...extra }, { cwd: '/srv/media-bot' });
}

function errorOf(extra: Record<string, string | undefined>): ConfigError {
  return configErrorOf({ TELEGRAM_BOT_TOKEN: TOKEN, ...extra });
}

describe('loadConfig ALLOWED_CHAT_IDS', () => {
  it('serves everyone when unset or empty', () => {
    // Tried: the variable absent, and set to blanks.
    expect(load({}).allowedChatIds).toBeUndefined();
    expect(load({ ALLOWED_CHAT_IDS: '  ' }).allowedChatIds).toBeUndefined();
  });

  it('reads user ids and negative group ids, with spaces and stray commas', () => {
    // Tried: a user, a supergroup (-100…), a basic group, duplicates, blanks between commas.
    expect(load({ ALLOWED_CHAT_IDS: ' 4242, -1001234567890 ,,-77, 4242,' }).allowedChatIds).toEqual([
      4242, -1001234567890, -77,
    ]);
  });

  it.each([
    ['a name', '@alice'],
    ['a fraction', '42.5'],
    ['zero', '0'],
    ['a number too large to be an id', '123456789012345678'],
    ['two ids without a comma', '42 43'],
  ])('refuses %s, naming the variable and the entry', (_what, entry) => {
    // Tried: a valid id followed by the bad entry.
    const error = errorOf({ ALLOWED_CHAT_IDS: `4242,${entry}` });
    expect(error.variable).toBe('ALLOWED_CHAT_IDS');
    expect(error.message).toContain(`"${entry}"`);
  });

  it('refuses a list with no id at all (it would shut everyone out)', () => {
    // Tried: only commas.
    expect(errorOf({ ALLOWED_CHAT_IDS: ',,' }).variable).toBe('ALLOWED_CHAT_IDS');
  });
});

describe('loadConfig QUOTA_*', () => {
  it('allows 3 running requests and 30 links an hour by default', () => {
    // Tried: neither variable set.
    expect(load({}).quota).toEqual({ concurrentRequests: 3, requestsPerHour: 30 });
  });

  it('reads both, 0 meaning no limit', () => {
    // Tried: 5 and 0.
    expect(load({ QUOTA_CONCURRENT_REQUESTS: '5', QUOTA_REQUESTS_PER_HOUR: '0' }).quota).toEqual({
      concurrentRequests: 5,
      requestsPerHour: 0,
    });
  });

  it.each([
    ['QUOTA_CONCURRENT_REQUESTS', 'three'],
    ['QUOTA_CONCURRENT_REQUESTS', '-1'],
    ['QUOTA_REQUESTS_PER_HOUR', '2.5'],
    ['QUOTA_REQUESTS_PER_HOUR', '99999999'],
  ] as const)('refuses %s=%s, naming the variable', (name, value) => {
    // Tried: a word, a negative number, a fraction, a value above the maximum.
    expect(errorOf({ [name]: value }).variable).toBe(name);
  });
});

describe('loadConfig STORAGE_CHAT_ID', () => {
  it('is unset by default and reads one chat id', () => {
    // Tried: unset, a channel id with spaces around it.
    expect(load({}).storageChatId).toBeUndefined();
    expect(load({ STORAGE_CHAT_ID: ' -1001234567890 ' }).storageChatId).toBe(-1001234567890);
  });

  it.each([
    ['a list', '-100123,-100456'],
    ['a name', '@storage'],
    ['zero', '0'],
  ])('refuses %s, naming the variable', (_what, value) => {
    expect(errorOf({ STORAGE_CHAT_ID: value }).variable).toBe('STORAGE_CHAT_ID');
  });
});
