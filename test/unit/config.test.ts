import { availableParallelism } from 'node:os';
import path from 'node:path';
import { CLOUD_BOT_API_ROOT, loadConfig } from '../../src/config/index.js';
import { resolveTools } from '../../src/tools.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { configErrorOf } from '../support/configErrors.js';

const TOKEN = fakeBotToken('123456');
const CWD = path.resolve('/srv/media-bot');

/** An environment with only a valid token, plus whatever the test adds. */
function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { TELEGRAM_BOT_TOKEN: TOKEN, ...extra };
}

describe('loadConfig defaults', () => {
  const config = loadConfig(env(), { cwd: CWD });

  it('uses the cloud Bot API by default', () => {
    expect(config.telegram.apiRoot).toBe(CLOUD_BOT_API_ROOT);
  });

  it('listens on port 3000 of every interface', () => {
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3000 });
  });

  it('uses the "default" Temporal namespace and the embedded dev server', () => {
    expect(config.temporal.namespace).toBe('default');
    expect(config.temporal.address).toBeUndefined();
    expect(config.temporal.devPort).toBe(7233);
    expect(config.temporal.uiPort).toBe(8233);
  });

  it('runs in long-polling mode without a webhook secret', () => {
    expect(config.publicUrl).toBeUndefined();
    expect(config.telegram.webhookSecret).toBeUndefined();
  });

  it('keeps data in ./data under the given working directory', () => {
    expect(config.dataDir).toBe(path.join(CWD, 'data'));
  });

  it('limits uploads to the cloud Bot API maximum of 52428800 bytes', () => {
    expect(config.maxUploadBytes).toBe(52_428_800);
  });

  it('runs one download per CPU core and 4 Bot API calls at a time', () => {
    // The warm engine made a download's yt-dlp start-up cheap: the cores, not it, are the limit.
    expect(config.concurrency).toEqual({ downloads: availableParallelism(), telegram: 4 });
  });

  it('runs the download jobs and ffmpeg at niceness 10', () => {
    expect(config.downloadNice).toBe(10);
  });

  it('leaves the Python of the download engine to resolveTools (the venv, then python3)', () => {
    expect(config.tools.python).toBeUndefined();
  });

  it('logs at info level', () => {
    expect(config.logLevel).toBe('info');
  });

  it('allows no private hosts', () => {
    expect(config.egressAllowedHosts).toEqual([]);
  });

  it('returns the token it was given', () => {
    expect(config.telegram.token).toBe(TOKEN);
  });
});

describe('loadConfig DATA_DIR', () => {
  it('resolves a relative DATA_DIR against options.cwd', () => {
    expect(loadConfig(env({ DATA_DIR: 'var/media' }), { cwd: CWD }).dataDir).toBe(path.join(CWD, 'var', 'media'));
  });

  it('keeps an absolute DATA_DIR as it is', () => {
    const absolute = path.resolve('/tmp/media-bot-data');
    expect(loadConfig(env({ DATA_DIR: absolute }), { cwd: CWD }).dataDir).toBe(absolute);
  });
});

describe('loadConfig TELEGRAM_BOT_TOKEN', () => {
  it('throws a ConfigError naming TELEGRAM_BOT_TOKEN when the token is missing', () => {
    const error = configErrorOf({});
    expect(error.variable).toBe('TELEGRAM_BOT_TOKEN');
    expect(error.message).toContain('TELEGRAM_BOT_TOKEN');
    expect(error.name).toBe('ConfigError');
  });

  it('treats a blank token as missing', () => {
    expect(configErrorOf({ TELEGRAM_BOT_TOKEN: '   ' }).variable).toBe('TELEGRAM_BOT_TOKEN');
  });

  it('accepts a missing token when requireToken is false', () => {
    const config = loadConfig({}, { requireToken: false, cwd: CWD });
    expect(config.telegram.token).toBe('');
  });

  it('rejects a malformed token without quoting its value', () => {
    const malformed = 'not-a-token-but-secret-anyway';
    const error = configErrorOf({ TELEGRAM_BOT_TOKEN: malformed });
    expect(error.variable).toBe('TELEGRAM_BOT_TOKEN');
    expect(error.message).toContain('TELEGRAM_BOT_TOKEN');
    expect(error.message).not.toContain(malformed);
  });

  it('rejects a token with a character outside the Bot API alphabet without quoting it', () => {
    const malformed = '123456:ABCdef GHI';
    const error = configErrorOf({ TELEGRAM_BOT_TOKEN: malformed });
    expect(error.variable).toBe('TELEGRAM_BOT_TOKEN');
    expect(error.message).not.toContain('ABCdef');
  });

  it('still validates a token that is given when requireToken is false', () => {
    expect(configErrorOf({ TELEGRAM_BOT_TOKEN: 'garbage' }, { requireToken: false }).variable).toBe(
      'TELEGRAM_BOT_TOKEN',
    );
  });
});

describe('loadConfig webhook mode', () => {
  it('requires TELEGRAM_WEBHOOK_SECRET when PUBLIC_URL is set', () => {
    const error = configErrorOf(env({ PUBLIC_URL: 'https://bot.example.com' }));
    expect(error.variable).toBe('TELEGRAM_WEBHOOK_SECRET');
    expect(error.message).toContain('TELEGRAM_WEBHOOK_SECRET');
  });

  it('accepts PUBLIC_URL with a valid secret and drops its trailing slash', () => {
    const config = loadConfig(env({ PUBLIC_URL: 'https://bot.example.com/', TELEGRAM_WEBHOOK_SECRET: 'abc_DEF-123' }), {
      cwd: CWD,
    });
    expect(config.publicUrl).toBe('https://bot.example.com');
    expect(config.telegram.webhookSecret).toBe('abc_DEF-123');
  });

  it.each([
    ['a space', 'abc def'],
    ['a slash', 'abc/def'],
    ['a colon', 'abc:def'],
    ['more than 256 characters', 'a'.repeat(257)],
  ])('rejects a webhook secret containing %s', (_what, secret) => {
    const error = configErrorOf(env({ PUBLIC_URL: 'https://bot.example.com', TELEGRAM_WEBHOOK_SECRET: secret }));
    expect(error.variable).toBe('TELEGRAM_WEBHOOK_SECRET');
  });

  it('rejects a PUBLIC_URL that is not an http(s) URL', () => {
    expect(
      configErrorOf(env({ PUBLIC_URL: 'ftp://bot.example.com', TELEGRAM_WEBHOOK_SECRET: 'secret' })).variable,
    ).toBe('PUBLIC_URL');
  });
});

describe('loadConfig numbers and addresses', () => {
  it('rejects PORT "abc" as not a whole number', () => {
    const error = configErrorOf(env({ PORT: 'abc' }));
    expect(error.variable).toBe('PORT');
    expect(error.message).toContain('PORT');
  });

  it('rejects PORT "70000" as out of range', () => {
    const error = configErrorOf(env({ PORT: '70000' }));
    expect(error.variable).toBe('PORT');
    expect(error.message).toContain('65535');
  });

  it('reads a valid PORT as a number', () => {
    expect(loadConfig(env({ PORT: '8080' }), { cwd: CWD }).http.port).toBe(8080);
  });

  it('rejects a TEMPORAL_ADDRESS without a port', () => {
    expect(configErrorOf(env({ TEMPORAL_ADDRESS: 'temporal.internal' })).variable).toBe('TEMPORAL_ADDRESS');
  });

  it('accepts a TEMPORAL_ADDRESS of host:port', () => {
    expect(loadConfig(env({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }), { cwd: CWD }).temporal.address).toBe(
      'temporal.internal:7233',
    );
  });

  it('rejects an unknown LOG_LEVEL', () => {
    const error = configErrorOf(env({ LOG_LEVEL: 'verbose' }));
    expect(error.variable).toBe('LOG_LEVEL');
    expect(error.message).toContain('verbose');
  });

  it('accepts LOG_LEVEL debug', () => {
    expect(loadConfig(env({ LOG_LEVEL: 'debug' }), { cwd: CWD }).logLevel).toBe('debug');
  });

  it('rejects a DOWNLOAD_CONCURRENCY of 0', () => {
    expect(configErrorOf(env({ DOWNLOAD_CONCURRENCY: '0' })).variable).toBe('DOWNLOAD_CONCURRENCY');
  });

  it('reads DOWNLOAD_CONCURRENCY over the CPU-core default', () => {
    expect(loadConfig(env({ DOWNLOAD_CONCURRENCY: '3' }), { cwd: CWD }).concurrency.downloads).toBe(3);
  });

  it('reads DOWNLOAD_NICE from 0 to 19', () => {
    expect(loadConfig(env({ DOWNLOAD_NICE: '0' }), { cwd: CWD }).downloadNice).toBe(0);
    expect(loadConfig(env({ DOWNLOAD_NICE: '19' }), { cwd: CWD }).downloadNice).toBe(19);
  });

  it.each(['20', '-1', 'low', '2.5'])('rejects DOWNLOAD_NICE=%s, naming the variable', (value) => {
    const error = configErrorOf(env({ DOWNLOAD_NICE: value }));
    expect(error.variable).toBe('DOWNLOAD_NICE');
    expect(error.message).toContain('DOWNLOAD_NICE');
  });
});

describe('loadConfig YTDLP_PYTHON', () => {
  it('is the Python that resolveTools gives the download engine', () => {
    const config = loadConfig(env({ YTDLP_PYTHON: '/opt/yt-dlp/bin/python' }), { cwd: CWD });
    expect(config.tools.python).toBe('/opt/yt-dlp/bin/python');
    expect(resolveTools(config.tools).python).toBe('/opt/yt-dlp/bin/python');
  });

  it('no longer reads YTDLP_PATH: the bot runs no yt-dlp command line', () => {
    const config = loadConfig(env({ YTDLP_PATH: '/opt/elsewhere/yt-dlp' }), { cwd: CWD });
    expect(JSON.stringify(config)).not.toContain('/opt/elsewhere/yt-dlp');
    expect(resolveTools(config.tools).ytDlp).not.toBe('/opt/elsewhere/yt-dlp');
  });
});

describe('loadConfig policy overrides', () => {
  it('turns DOWNLOAD_TIMEOUT_SECONDS=5 into a "5 seconds" start-to-close timeout', () => {
    expect(
      loadConfig(env({ DOWNLOAD_TIMEOUT_SECONDS: '5' }), { cwd: CWD }).policies.download?.startToCloseTimeout,
    ).toBe('5 seconds');
  });

  it('leaves the download timeout undefined when DOWNLOAD_TIMEOUT_SECONDS is unset', () => {
    expect(loadConfig(env(), { cwd: CWD }).policies.download?.startToCloseTimeout).toBeUndefined();
  });

  it('leaves every policy override undefined when nothing is set', () => {
    const { policies } = loadConfig(env(), { cwd: CWD });
    const values = [policies.download, policies.telegram, policies.host].flatMap((group) => Object.values(group ?? {}));
    expect(values.length).toBeGreaterThan(0);
    expect(values.every((value) => value === undefined)).toBe(true);
  });

  it('reads TELEGRAM_MAX_ATTEMPTS as a number', () => {
    expect(loadConfig(env({ TELEGRAM_MAX_ATTEMPTS: '7' }), { cwd: CWD }).policies.telegram?.maximumAttempts).toBe(7);
  });

  it('rejects DOWNLOAD_TIMEOUT_SECONDS=0', () => {
    expect(configErrorOf(env({ DOWNLOAD_TIMEOUT_SECONDS: '0' })).variable).toBe('DOWNLOAD_TIMEOUT_SECONDS');
  });
});

describe('loadConfig EGRESS_ALLOWED_HOSTS', () => {
  it('trims, lowercases and drops empty entries', () => {
    const config = loadConfig(env({ EGRESS_ALLOWED_HOSTS: ' Media.Internal ,,127.0.0.1, ,LOCALHOST,' }), { cwd: CWD });
    expect(config.egressAllowedHosts).toEqual(['media.internal', '127.0.0.1', 'localhost']);
  });
});
