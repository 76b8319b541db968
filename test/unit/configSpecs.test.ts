/**
 * The variable specs as documentation: the table in docs/configuration.md is the one they give,
 * the defaults they show are the ones the code uses, and a secret is never quoted back.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configTable, documentedDefault, TABLE_END, TABLE_START, withConfigTable } from '../../src/config/docs.js';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type ConfigVariable } from '../../src/config/index.js';
import { downloadPolicy, hostUploadPolicy, telegramPolicy } from '../../workflows/policies.js';
import { inMilliseconds } from '../support/durations.js';
import { fakeBotToken } from '../support/fakeSecrets.js';

const TOKEN = fakeBotToken();
const NAMES = Object.keys(CONFIG_VARIABLES) as ConfigVariable[];
const DOCS = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

describe('docs/configuration.md', () => {
  it('holds the table of every variable that the specs give', () => {
    const committed = fs.readFileSync(DOCS, 'utf8');
    if (withConfigTable(committed) !== committed) {
      throw new Error(
        `docs/configuration.md: the table between ${TABLE_START} and ${TABLE_END} is not what src/config/specs.ts gives; run \`npm run docs:config\``,
      );
    }
  });

  it('lists every variable once, in the order of the specs', () => {
    const listed = [...configTable().matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
    expect(listed).toEqual(NAMES);
  });

  it('keeps the text around the table when it rewrites it', () => {
    const page = `# Title\n\nBefore.\n\n${TABLE_START}\nold table\n${TABLE_END}\n\nAfter.\n`;
    const rewritten = withConfigTable(page);
    expect(rewritten).toBe(`# Title\n\nBefore.\n\n${TABLE_START}\n${configTable()}\n${TABLE_END}\n\nAfter.\n`);
    expect(withConfigTable(rewritten)).toBe(rewritten);
    expect(() => withConfigTable('# Title\n')).toThrow(/markers/);
  });
});

describe('the documented defaults of the policy variables', () => {
  const policies = (env: Record<string, string>) => {
    const { policies: overrides } = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, ...env }, { cwd: '/srv/media-bot' });
    return [downloadPolicy(overrides), telegramPolicy(overrides), hostUploadPolicy('host', overrides)];
  };

  it.each([
    'DOWNLOAD_TIMEOUT_SECONDS',
    'DOWNLOAD_HEARTBEAT_SECONDS',
    'DOWNLOAD_MAX_ATTEMPTS',
    'DOWNLOAD_RETRY_SECONDS',
    'TELEGRAM_TIMEOUT_SECONDS',
    'TELEGRAM_MAX_ATTEMPTS',
    'TELEGRAM_RETRY_SECONDS',
    'UPLOAD_TIMEOUT_SECONDS',
    'HOST_QUEUE_TIMEOUT_SECONDS',
  ] as const)('%s: set to its documented default, it changes no policy', (name) => {
    const shown = documentedDefault(name);
    expect(shown).toMatch(/^\d+$/);
    expect(inMilliseconds(policies({ [name]: shown! }))).toEqual(inMilliseconds(policies({})));
  });
});

describe('secret variables', () => {
  const secrets = NAMES.filter((name) => 'secret' in CONFIG_VARIABLES[name]);

  it('are the tokens, keys and the database URL', () => {
    expect(secrets).toEqual([
      'TELEGRAM_BOT_TOKEN',
      'TELEGRAM_WEBHOOK_SECRET',
      'TEMPORAL_API_KEY',
      'STATE_DATABASE_URL',
      'PAYLOAD_CODEC_KEYS',
      'CHAT_ID_PSEUDONYM_KEY',
      'CODEC_AUTH_TOKEN',
    ]);
  });

  it.each(secrets)('%s: a refused value is never quoted in the error', (name) => {
    // Tried: values no parser accepts, one with a key id in front of the secret part.
    for (const value of ['hunter2 is my secret!', 'k1:hunter2 is my secret!', 'ftp://user:hunter2@db/x']) {
      let message: string | undefined;
      try {
        loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, [name]: value }, { cwd: '/srv/media-bot' });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        message = error.message;
      }
      if (message === undefined) continue;
      expect(message.startsWith(name)).toBe(true);
      expect(message).not.toContain('hunter2');
    }
  });
});
