/**
 * YTDLP_UPDATE_SCHEDULE as the operator writes it, and the Schedule spec it becomes.
 */
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { ytDlpScheduleSpec } from '../../src/temporal/ytDlpSchedule.js';
import { indexArgs } from '../../activities/adapters/ytDlpVenvs.js';
import { fakeBotToken } from '../support/fakeSecrets.js';

const load = (env: Record<string, string>) =>
  loadConfig({ TELEGRAM_BOT_TOKEN: fakeBotToken(), ...env }, { cwd: '/srv/media-bot' }).ytDlpUpdate;

describe('YTDLP_UPDATE_SCHEDULE', () => {
  it('is daily by default, with nobody told and no real canary', () => {
    expect(load({})).toEqual({ schedule: '24h', index: undefined, canaryUrls: [], adminChatIds: [] });
    expect(ytDlpScheduleSpec('24h')).toEqual({ intervals: [{ every: '24h' }] });
  });

  it.each(['off', '30m', '12h', '2d', '0 4 * * *', '@daily'])('accepts %s', (value) => {
    expect(load({ YTDLP_UPDATE_SCHEDULE: value }).schedule).toBe(value);
  });

  it('turns a cron expression into one', () => {
    expect(ytDlpScheduleSpec('0 4 * * *')).toEqual({ cronExpressions: ['0 4 * * *'] });
  });

  it.each(['daily', '24', '0 4 * *', 'every day'])('refuses %s, naming the variable', (value) => {
    expect(() => load({ YTDLP_UPDATE_SCHEDULE: value })).toThrow(ConfigError);
    expect(() => load({ YTDLP_UPDATE_SCHEDULE: value })).toThrow(/YTDLP_UPDATE_SCHEDULE/);
  });
});

describe('ADMIN_CHAT_IDS, YTDLP_CANARY_URLS and YTDLP_UPDATE_INDEX', () => {
  it('are read into the update settings', () => {
    expect(
      load({
        ADMIN_CHAT_IDS: '42, -1001234567890',
        YTDLP_CANARY_URLS: 'https://example.com/a, https://example.com/b',
        YTDLP_UPDATE_INDEX: '/srv/wheels',
      }),
    ).toEqual({
      schedule: '24h',
      index: '/srv/wheels',
      canaryUrls: ['https://example.com/a', 'https://example.com/b'],
      adminChatIds: [42, -1001234567890],
    });
  });

  it('refuse an admin id that is not a chat id', () => {
    expect(() => load({ ADMIN_CHAT_IDS: '42,abc' })).toThrow(/ADMIN_CHAT_IDS/);
  });

  it('tell pip an index URL, or a wheel folder without any index', () => {
    expect(indexArgs(undefined)).toEqual([]);
    expect(indexArgs('https://pypi.example/simple')).toEqual(['--index-url', 'https://pypi.example/simple']);
    expect(indexArgs('/srv/wheels')).toEqual(['--no-index', '--find-links', '/srv/wheels']);
  });
});
