import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { fakeBotToken } from '../support/fakeSecrets.js';
import { configErrorOf } from '../support/configErrors.js';

const CWD = path.resolve('/srv/media-bot');
const TOKEN = fakeBotToken();

function load(extra: Record<string, string>) {
  return loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...extra }, { cwd: CWD });
}

function errorOf(extra: Record<string, string>): ConfigError {
  return configErrorOf({ TELEGRAM_BOT_TOKEN: TOKEN, ...extra });
}

describe('the abuse limits in the configuration', () => {
  it('default to 120 webhook requests a minute per address, no trusted proxy, a 1024 MB disk floor and one ffmpeg', () => {
    const config = load({});
    expect(config.webhook).toEqual({ rateLimitPerMinute: 120, trustProxyHops: 0 });
    expect(config.minFreeDiskMb).toBe(1024);
    expect(config.ffmpegConcurrency).toBe(1);
  });

  it('reads the values set', () => {
    const config = load({
      WEBHOOK_RATE_LIMIT: '30',
      TRUST_PROXY: '2',
      MIN_FREE_DISK_MB: '5000',
      FFMPEG_CONCURRENCY: '3',
    });
    expect(config.webhook).toEqual({ rateLimitPerMinute: 30, trustProxyHops: 2 });
    expect(config.minFreeDiskMb).toBe(5000);
    expect(config.ffmpegConcurrency).toBe(3);
  });

  it('takes 0 as "off" for the rate limit and the disk floor', () => {
    const config = load({ WEBHOOK_RATE_LIMIT: '0', MIN_FREE_DISK_MB: '0' });
    expect(config.webhook.rateLimitPerMinute).toBe(0);
    expect(config.minFreeDiskMb).toBe(0);
  });

  it('refuses malformed values with an error that names the variable', () => {
    // Tried: words, negative numbers, fractions, TRUST_PROXY=true (the Express habit), no ffmpeg at all.
    const cases: Array<[Record<string, string>, string]> = [
      [{ WEBHOOK_RATE_LIMIT: 'lots' }, 'WEBHOOK_RATE_LIMIT'],
      [{ WEBHOOK_RATE_LIMIT: '-1' }, 'WEBHOOK_RATE_LIMIT'],
      [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
      [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
      [{ MIN_FREE_DISK_MB: '1.5' }, 'MIN_FREE_DISK_MB'],
      [{ FFMPEG_CONCURRENCY: '0' }, 'FFMPEG_CONCURRENCY'],
      [{ FFMPEG_CONCURRENCY: 'two' }, 'FFMPEG_CONCURRENCY'],
    ];
    for (const [extra, variable] of cases) {
      const error = errorOf(extra);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(variable)).toBe(true);
    }
  });
});
