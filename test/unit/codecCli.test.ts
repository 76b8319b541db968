import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { encryptionEnvironment } from '../support/codecKeys.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run codec', () => {
  it('exits 2 naming CODEC_AUTH_TOKEN when it is missing (not an unhandled rejection)', async () => {
    // Tried: the codec server's command with encryption keys but no token, the bot's own CLI.
    const { CODEC_AUTH_TOKEN: _token, ...withoutToken } = encryptionEnvironment();
    const run = await execa(process.execPath, ['--import', 'tsx', 'src/cli/codec.ts'], {
      cwd: ROOT,
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '', ...withoutToken, CODEC_PORT: '18234', LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^Configuration error: CODEC_AUTH_TOKEN/m);
  }, 40_000);
});
