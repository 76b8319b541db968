/**
 * The rules that span variables, over their parsed values: each names the variable to change.
 * A single variable's format is its parser's business (specs.ts).
 */
import type { PayloadKey } from '../../shared/payloadCodec.js';
import { ConfigError } from './errors.js';
import {
  CLOUD_BOT_API_ROOT,
  CLOUD_BOT_API_UPLOAD_LIMIT,
  LOCAL_BOT_API_UPLOAD_LIMIT,
  type ConfigValues,
} from './specs.js';

/** The Temporal server alone needs no bot token; everything else does. */
export function requireBotToken(values: Pick<ConfigValues, 'TELEGRAM_BOT_TOKEN'>, required: boolean): void {
  if (required && values.TELEGRAM_BOT_TOKEN === undefined) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN', 'is required: create a bot with @BotFather and set its token');
  }
}

/** Webhook mode: Telegram must echo a secret, or anyone could post updates. */
export function requireWebhookSecret(values: Pick<ConfigValues, 'PUBLIC_URL' | 'TELEGRAM_WEBHOOK_SECRET'>): void {
  if (values.PUBLIC_URL !== undefined && values.TELEGRAM_WEBHOOK_SECRET === undefined) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET', 'is required in webhook mode (PUBLIC_URL is set)');
  }
}

/**
 * The Bot API server and the upload limit, checked together: the cloud Bot API takes 50 MB, a
 * local Bot API server (at an address of its own) 2000 MB. A limit the server does not accept
 * would only show as a refused upload, after the whole download.
 */
export function botApi(
  values: Pick<ConfigValues, 'TELEGRAM_API_ROOT' | 'TELEGRAM_LOCAL_BOT_API' | 'MAX_UPLOAD_BYTES'>,
): { apiRoot: string; localBotApi: boolean; maxUploadBytes: number } {
  const localBotApi = values.TELEGRAM_LOCAL_BOT_API;
  const apiRoot = values.TELEGRAM_API_ROOT ?? CLOUD_BOT_API_ROOT;
  if (localBotApi && values.TELEGRAM_API_ROOT === undefined) {
    throw new ConfigError(
      'TELEGRAM_API_ROOT',
      'is required with TELEGRAM_LOCAL_BOT_API=true: the address of your local Bot API server (telegram-bot-api --local)',
    );
  }
  if (localBotApi && new URL(apiRoot).hostname === new URL(CLOUD_BOT_API_ROOT).hostname) {
    throw new ConfigError(
      'TELEGRAM_API_ROOT',
      `must be your local Bot API server with TELEGRAM_LOCAL_BOT_API=true, not the public Bot API (${CLOUD_BOT_API_ROOT}), which takes at most 50 MB`,
    );
  }
  const maxUploadBytes =
    values.MAX_UPLOAD_BYTES ?? (localBotApi ? LOCAL_BOT_API_UPLOAD_LIMIT : CLOUD_BOT_API_UPLOAD_LIMIT);
  if (maxUploadBytes > LOCAL_BOT_API_UPLOAD_LIMIT) {
    throw new ConfigError(
      'MAX_UPLOAD_BYTES',
      `must be at most ${LOCAL_BOT_API_UPLOAD_LIMIT} (2000 MB, the most any Bot API server accepts), got ${maxUploadBytes}`,
    );
  }
  if (!localBotApi && maxUploadBytes > CLOUD_BOT_API_UPLOAD_LIMIT) {
    throw new ConfigError(
      'MAX_UPLOAD_BYTES',
      `is ${maxUploadBytes}, above the cloud Bot API's ${CLOUD_BOT_API_UPLOAD_LIMIT} (50 MB): lower it, or run a local Bot API server and set TELEGRAM_LOCAL_BOT_API=true and TELEGRAM_API_ROOT`,
    );
  }
  return { apiRoot, localBotApi, maxUploadBytes };
}

/** Undefined: a plain connection (the embedded server, a local cluster). */
export type TemporalTls = { caFile?: string; certFile?: string; keyFile?: string; serverName?: string } | undefined;

/** TLS to Temporal: on when asked for, when any TLS file is given, or with an API key (Temporal Cloud). */
export function temporalTls(
  values: Pick<
    ConfigValues,
    | 'TEMPORAL_TLS'
    | 'TEMPORAL_TLS_CA'
    | 'TEMPORAL_TLS_CERT'
    | 'TEMPORAL_TLS_KEY'
    | 'TEMPORAL_TLS_SERVER_NAME'
    | 'TEMPORAL_API_KEY'
  >,
): TemporalTls {
  const tls = {
    caFile: values.TEMPORAL_TLS_CA,
    certFile: values.TEMPORAL_TLS_CERT,
    keyFile: values.TEMPORAL_TLS_KEY,
    serverName: values.TEMPORAL_TLS_SERVER_NAME,
  };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new ConfigError(
      tls.certFile ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT',
      'is required with the other one for mTLS',
    );
  }
  const wanted =
    values.TEMPORAL_TLS ||
    Object.values(tls).some((value) => value !== undefined) ||
    values.TEMPORAL_API_KEY !== undefined;
  return wanted ? tls : undefined;
}

export interface PayloadEncryption {
  keys: PayloadKey[];
  chatIdPseudonymKey: Buffer;
}

/** Encrypted payloads and pseudonymous ids go together: both keys or neither. */
export function payloadEncryption(
  values: Pick<ConfigValues, 'PAYLOAD_CODEC_KEYS' | 'CHAT_ID_PSEUDONYM_KEY'>,
): PayloadEncryption | undefined {
  const keys = values.PAYLOAD_CODEC_KEYS;
  const chatIdPseudonymKey = values.CHAT_ID_PSEUDONYM_KEY;
  if (keys === undefined) {
    if (chatIdPseudonymKey !== undefined) {
      throw new ConfigError(
        'CHAT_ID_PSEUDONYM_KEY',
        'is set but PAYLOAD_CODEC_KEYS is not: pseudonymous ids go with encrypted payloads, set both or neither',
      );
    }
    return undefined;
  }
  if (chatIdPseudonymKey === undefined) {
    throw new ConfigError(
      'CHAT_ID_PSEUDONYM_KEY',
      'is required with PAYLOAD_CODEC_KEYS (openssl rand -base64 32; keep it when rotating the payload keys)',
    );
  }
  return { keys, chatIdPseudonymKey };
}

/** The Web UI origins the codec server answers; by default the embedded UI's, wherever TEMPORAL_UI_PORT puts it. */
export function codecCorsOrigins(values: Pick<ConfigValues, 'CODEC_CORS_ORIGINS' | 'TEMPORAL_UI_PORT'>): string[] {
  const uiPort = values.TEMPORAL_UI_PORT;
  return values.CODEC_CORS_ORIGINS ?? [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
}

/**
 * The codec server's settings once it is going to run: keys to decode with and a token to check.
 * `defaultPort`: `npm start` serves it on 8234 when keys are set and CODEC_PORT is not.
 */
export function codecServerSettings(
  config: {
    codecServer: { port: number | undefined; authToken: string | undefined };
    payloadEncryption: PayloadEncryption | undefined;
  },
  defaultPort?: number,
): { port: number; authToken: string; encryption: PayloadEncryption } {
  const port = config.codecServer.port ?? defaultPort;
  if (port === undefined) throw new ConfigError('CODEC_PORT', 'is required to run the codec server');
  if (!config.payloadEncryption)
    throw new ConfigError('PAYLOAD_CODEC_KEYS', 'is required by the codec server: it decodes with those keys');
  if (config.codecServer.authToken === undefined) {
    throw new ConfigError('CODEC_AUTH_TOKEN', 'is required when the codec server runs (openssl rand -hex 32)');
  }
  return { port, authToken: config.codecServer.authToken, encryption: config.payloadEncryption };
}
