/**
 * Removes secrets from text before it reaches a log, an error or a workflow history. Bot API
 * URLs embed the token (`/bot<token>/method`, `/file/bot<token>/…`), and HTTP client errors
 * quote the URL, so the pattern is scrubbed even when the token itself is not known here.
 */
const BOT_PATH = /\/(file\/)?bot\d+:[A-Za-z0-9_-]+/g;
// Anywhere, also inside URL-encoded text (`%2Fbot123:…`); a token is digits:35 characters.
const BARE_TOKEN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

const knownSecrets = new Set<string>();

/** Remembers a secret (bot token, webhook secret) so every later redaction removes it. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) knownSecrets.add(secret);
}

export function redactSecrets(text: string): string {
  let result = text.replace(BOT_PATH, (_match, file: string | undefined) => `/${file ?? ''}bot<redacted>`);
  result = result.replace(BARE_TOKEN, '<redacted>');
  for (const secret of knownSecrets) result = result.split(secret).join('<redacted>');
  return result;
}
