/**
 * Secrets for tests, built at run time so that nothing shaped like a real bot token is
 * committed: `<digits>:<35 characters>`, the shape the bot and its redaction expect.
 */
export function fakeBotToken(botId = '123456789'): string {
  return `${botId}:${'Fake'.repeat(9)}`;
}

/** Where tests pretend the Bot API lives: a local Bot API server on loopback, like the emulator. */
export const TEST_API_ROOT = 'http://127.0.0.1:8081';
