/**
 * Parsers of the bot's own values: Telegram chat ids, payload keys, the pseudonym key, Web UI origins,
 * the state store's PostgreSQL URL. Key material and passwords are never quoted in a problem.
 */
import type { PayloadKey } from '../../shared/payloadCodec.js';
import { InvalidValue, list, type Parser } from './parsers.js';

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const AES_256_KEY_BYTES = 32;

function decodeBase64(value: string): Buffer | undefined {
  return BASE64_PATTERN.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/**
 * Comma-separated Telegram ids: users and private chats are positive, groups negative
 * (supergroups and channels -100…). Blanks between commas are ignored; a list with no id is an
 * error (it would refuse everyone).
 */
export function chatIds(): Parser<number[] | undefined> {
  const ids = list({ entry: chatId, skipBlanks: true, accepts: 'ids, comma-separated' });
  return {
    ...ids,
    parse(raw, context) {
      const parsed = ids.parse(raw, context) ?? [];
      if (parsed.length === 0) throw new InvalidValue('lists no id: leave it unset to serve everyone');
      return [...new Set(parsed)];
    },
  };
}

/**
 * One Telegram chat id (STORAGE_CHAT_ID): a whole number, never 0; unset stays undefined. Inline
 * mode uploads there, so a typo must stop the start rather than fail every inline request.
 */
export function singleChatId(): Parser<number | undefined> {
  return {
    accepts: 'a chat id (a whole number, groups and channels negative)',
    defaultText: undefined,
    unset: () => undefined,
    parse(raw) {
      const value = raw.trim();
      if (value.includes(',')) throw new InvalidValue('must be one chat id, not a list');
      return chatId(value);
    },
  };
}

function chatId(entry: string): number {
  const id = /^-?\d{1,16}$/.test(entry) ? Number(entry) : Number.NaN;
  if (!Number.isSafeInteger(id) || id === 0) {
    throw new InvalidValue(`must be comma-separated chat or user ids (whole numbers, groups negative), got "${entry}"`);
  }
  return id;
}

/** `keyId:base64,…`; the first key encrypts, every key decrypts. */
export function payloadKeys(): Parser<PayloadKey[] | undefined> {
  const keys = list({ entry: payloadKey, accepts: 'keyId:base64, comma-separated' });
  return {
    ...keys,
    parse(raw, context) {
      const parsed = keys.parse(raw, context) ?? [];
      const ids = parsed.map((key) => key.id);
      const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
      if (repeated !== undefined) throw new InvalidValue(`names key id "${repeated}" twice: each key needs its own id`);
      return parsed;
    },
  };
}

function payloadKey(entry: string, index: number): PayloadKey {
  const where = `entry ${index + 1}`;
  const colon = entry.indexOf(':');
  if (colon === -1) throw new InvalidValue(`${where} is not keyId:base64 (e.g. k2026:$(openssl rand -base64 32))`);
  const id = entry.slice(0, colon).trim();
  if (!KEY_ID_PATTERN.test(id))
    throw new InvalidValue(`${where}: the key id must be 1-64 characters of A-Z a-z 0-9 . _ -`);
  const key = decodeBase64(entry.slice(colon + 1).trim());
  if (key?.length !== AES_256_KEY_BYTES) {
    throw new InvalidValue(
      `${where} (key id "${id}"): the key must be ${AES_256_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return { id, key };
}

/** A base64 secret of at least 32 bytes. */
export function pseudonymKey(): Parser<Buffer | undefined> {
  return {
    accepts: 'base64, 32 bytes or more',
    parse(raw) {
      const key = decodeBase64(raw);
      if (key === undefined || key.length < AES_256_KEY_BYTES) {
        throw new InvalidValue(`must be at least ${AES_256_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
      }
      return key;
    },
    unset: () => undefined,
    defaultText: undefined,
  };
}

/** Origins as browsers send them: scheme, host and port, no path. */
export function origins(): Parser<string[] | undefined> {
  return list({ entry: origin, accepts: 'origins, comma-separated' });
}

function origin(value: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.origin !== value.replace(/\/$/, '')
  ) {
    throw new InvalidValue(
      `must be comma-separated origins like http://localhost:8233 (scheme, host, port; no path), got "${value}"`,
    );
  }
  return parsed.origin;
}

/** A PostgreSQL URL, kept as written; it may hold a password, so it is never echoed. */
export function postgresUrl(): Parser<string | undefined> {
  return {
    accepts: 'postgres:// URL',
    parse(raw) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(raw);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') || !parsed.hostname) {
        throw new InvalidValue('must be a PostgreSQL URL, postgres://user:password@host:5432/database');
      }
      return raw;
    },
    unset: () => undefined,
    defaultText: undefined,
  };
}
