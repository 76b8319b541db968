/**
 * The upload limit against the kind of Bot API server: 50 MB in the cloud, 2000 MB on a local
 * Bot API server, which has an address of its own.
 */
import path from 'node:path';
import {
  CLOUD_BOT_API_ROOT,
  CLOUD_BOT_API_UPLOAD_LIMIT,
  LOCAL_BOT_API_UPLOAD_LIMIT,
  loadConfig,
} from '../../src/config/index.js';
import { configErrorOf } from '../support/configErrors.js';
import { fakeBotToken, TEST_API_ROOT } from '../support/fakeSecrets.js';

const TOKEN = fakeBotToken();
const LOCAL = { TELEGRAM_LOCAL_BOT_API: 'true', TELEGRAM_API_ROOT: TEST_API_ROOT };

function load(extra: Record<string, string>) {
  return loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...extra }, { cwd: path.resolve('/srv/media-bot') });
}

function errorOf(extra: Record<string, string>) {
  return configErrorOf({ TELEGRAM_BOT_TOKEN: TOKEN, ...extra });
}

describe('MAX_UPLOAD_BYTES and the Bot API server', () => {
  it('has the limits of the Bot API: 52428800 in the cloud and 2097152000 on a local server', () => {
    expect(CLOUD_BOT_API_UPLOAD_LIMIT).toBe(52_428_800);
    expect(LOCAL_BOT_API_UPLOAD_LIMIT).toBe(2_097_152_000);
  });

  it('defaults to the limit of the server', () => {
    expect(load({}).maxUploadBytes).toBe(52_428_800);
    expect(load(LOCAL).maxUploadBytes).toBe(2_097_152_000);
  });

  it('accepts each limit exactly, and anything below it', () => {
    expect(load({ MAX_UPLOAD_BYTES: '52428800' }).maxUploadBytes).toBe(52_428_800);
    expect(load({ MAX_UPLOAD_BYTES: '1000' }).maxUploadBytes).toBe(1000);
    expect(load({ ...LOCAL, MAX_UPLOAD_BYTES: '2097152000' })).toMatchObject({
      maxUploadBytes: 2_097_152_000,
      localBotApi: true,
    });
    expect(load({ ...LOCAL, MAX_UPLOAD_BYTES: '52428801' }).maxUploadBytes).toBe(52_428_801);
  });

  it.each(['52428801', '2097152000', '4294967296'])(
    'refuses %s with the cloud Bot API, saying what would allow it',
    (value) => {
      const error = errorOf({ MAX_UPLOAD_BYTES: value });
      expect(error.variable).toBe('MAX_UPLOAD_BYTES');
      expect(error.message).toMatch(/^MAX_UPLOAD_BYTES /);
      if (Number(value) <= LOCAL_BOT_API_UPLOAD_LIMIT) expect(error.message).toContain('TELEGRAM_LOCAL_BOT_API=true');
    },
  );

  it.each(['2097152001', '4294967296', '99999999999999'])('refuses %s even with a local Bot API server', (value) => {
    const error = errorOf({ ...LOCAL, MAX_UPLOAD_BYTES: value });
    expect(error.variable).toBe('MAX_UPLOAD_BYTES');
    expect(error.message).toContain('at most 2097152000');
  });

  it.each(['0', '-1', '50MB', '1e6'])('refuses %s as not a size', (value) => {
    expect(errorOf({ MAX_UPLOAD_BYTES: value }).variable).toBe('MAX_UPLOAD_BYTES');
  });
});

describe('TELEGRAM_LOCAL_BOT_API', () => {
  it('needs TELEGRAM_API_ROOT: a local Bot API server has its own address', () => {
    const error = errorOf({ TELEGRAM_LOCAL_BOT_API: 'true' });
    expect(error.variable).toBe('TELEGRAM_API_ROOT');
    expect(error.message).toContain('TELEGRAM_LOCAL_BOT_API=true');
  });

  // The public host written differently is still the public Bot API.
  it.each([
    CLOUD_BOT_API_ROOT,
    `${CLOUD_BOT_API_ROOT}/`,
    CLOUD_BOT_API_ROOT.toUpperCase(),
    CLOUD_BOT_API_ROOT.replace('https:', 'http:'),
  ])('refuses the public Bot API root %s as the local server', (root) => {
    const error = errorOf({ TELEGRAM_LOCAL_BOT_API: 'true', TELEGRAM_API_ROOT: root });
    expect(error.variable).toBe('TELEGRAM_API_ROOT');
    expect(error.message).toContain('not the public Bot API');
  });

  it('accepts the public Bot API root when local mode is off, as the default is', () => {
    expect(load({ TELEGRAM_API_ROOT: CLOUD_BOT_API_ROOT }).telegram.apiRoot).toBe(CLOUD_BOT_API_ROOT);
  });

  it('accepts a local server at its own address', () => {
    expect(load(LOCAL)).toMatchObject({ localBotApi: true, telegram: { apiRoot: TEST_API_ROOT } });
  });

  it('lets an emulator or local server run with the cloud limits (local mode off)', () => {
    expect(load({ TELEGRAM_API_ROOT: TEST_API_ROOT })).toMatchObject({
      localBotApi: false,
      maxUploadBytes: 52_428_800,
    });
  });
});
