import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { PolicyOverrides } from '../shared/policyOverrides.js';
import type { QuotaLimits } from '../shared/quotaWindow.js';
import type { PayloadKey } from '../shared/payloadCodec.js';

/**
 * Every environment variable the bot reads, with what it means. `.env.example`,
 * `docker-compose.yml` and the README are checked against this list by the tests.
 */
export const CONFIG_VARIABLES = {
  TELEGRAM_BOT_TOKEN: 'Bot token from @BotFather (required by the bot and both workers).',
  TELEGRAM_API_ROOT: 'Bot API root URL; a local Bot API server or an emulator. Default https://api.telegram.org.',
  TELEGRAM_WEBHOOK_SECRET:
    'Secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token. Required in webhook mode; 1-256 of A-Z a-z 0-9 _ -.',
  PUBLIC_URL: 'Public https base URL of the webhook server. Set: webhook mode. Unset: long polling.',
  PORT: 'Port of the webhook server. Default 3000.',
  HOST: 'Interface the webhook server listens on. Default 0.0.0.0.',
  TEMPORAL_ADDRESS: 'host:port of a Temporal frontend. Unset: start the embedded dev server.',
  TEMPORAL_NAMESPACE: 'Temporal namespace. Default "default".',
  TEMPORAL_TLS:
    'true to connect to Temporal over TLS (implied by the other TLS variables and by TEMPORAL_API_KEY). Default false.',
  TEMPORAL_TLS_CA: 'PEM file of the CA that signed the Temporal server certificate (default: the system CAs).',
  TEMPORAL_TLS_CERT: 'PEM client certificate for mTLS (with TEMPORAL_TLS_KEY).',
  TEMPORAL_TLS_KEY: 'PEM private key of the mTLS client certificate.',
  TEMPORAL_TLS_SERVER_NAME: 'Server name to verify in the Temporal certificate, when it differs from the address host.',
  TEMPORAL_API_KEY: 'API key for Temporal Cloud (sent as a bearer token; implies TLS). A secret: never logged.',
  TEMPORAL_DEV_PORT: 'gRPC port of the embedded dev server. Default 7233.',
  TEMPORAL_UI_PORT: 'Web UI port of the embedded dev server. Default 8233.',
  DATA_DIR:
    'Where downloads (temp dirs), the embedded Temporal SQLite file and the state store (state.sqlite) live. Default ./data.',
  STATE_DATABASE_URL:
    'PostgreSQL URL (postgres://user:password@host:5432/db) of the state store: media cache, quotas, chat settings, shared by the telegram workers of every host. Unset: SQLite in DATA_DIR/state.sqlite (one host). The password is a secret: never logged.',
  LOG_LEVEL: 'pino level: fatal, error, warn, info, debug, trace. Default info.',
  METRICS_PORT:
    'Port of the Prometheus /metrics endpoint of each process (SDK and bot metrics). Unset: no metrics endpoint.',
  HEALTH_PORT: 'Port of /healthz and /readyz on worker processes (the webhook serves them on PORT). Unset: none.',
  SHUTDOWN_GRACE_SECONDS: 'On SIGTERM, how long running activities may finish before they are cancelled. Default 30.',
  TELEGRAM_LOCAL_BOT_API:
    'true when TELEGRAM_API_ROOT is a local Bot API server (telegram-bot-api --local): uploads up to 2000 MB. Needs TELEGRAM_API_ROOT set to that server. Default false.',
  MAX_UPLOAD_BYTES:
    'Largest file sent to Telegram. Default 52428800 (the cloud Bot API 50 MB limit), or 2097152000 with TELEGRAM_LOCAL_BOT_API; more than 52428800 needs TELEGRAM_LOCAL_BOT_API=true, more than 2097152000 is refused.',
  MAX_ALBUM_ITEMS: 'Most items sent from one gallery or playlist link. Default 10.',
  YTDLP_COOKIES: 'A cookies.txt for login-gated content; read only (each download uses a copy), never logged.',
  WORKER_QUEUE:
    'Task queue a `npm run worker` process serves when it is given no --queue: downloads or telegram (--queue wins). Unset: --queue is required.',
  DOWNLOAD_CONCURRENCY: 'Concurrent downloads per downloads worker process. Default: the number of CPU cores.',
  DOWNLOAD_NICE:
    'Niceness (0–19) of the yt-dlp job processes and ffmpeg: the Temporal server, the workflows and the webhook come first. Default 10.',
  TELEGRAM_CONCURRENCY: 'Concurrent Bot API calls per telegram worker process. Default 4.',
  WORKFLOW_CACHE_SIZE:
    'Workflow executions a telegram worker keeps in memory between their tasks (sticky cache); idle ones beyond it are evicted and replayed when touched again. Default 100.',
  DOWNLOAD_TIMEOUT_SECONDS:
    'Start-to-close timeout of one download attempt (download, conversion, gallery). Default 600.',
  DOWNLOAD_HEARTBEAT_SECONDS: 'A download that reports no progress for this long is retried. Default 15.',
  DOWNLOAD_MAX_ATTEMPTS: 'Download attempts for transient failures. Default 2.',
  DOWNLOAD_RETRY_SECONDS: 'Wait before the second download attempt (x3 for each further one). Default 5.',
  TELEGRAM_TIMEOUT_SECONDS: 'Start-to-close timeout of one Bot API call. Default 10.',
  TELEGRAM_MAX_ATTEMPTS: 'Attempts for a Bot API call. Default 3.',
  TELEGRAM_RETRY_SECONDS: 'Wait before retrying a failed Bot API call (x2 each time). Default 1.',
  UPLOAD_TIMEOUT_SECONDS: 'Start-to-close timeout of one media upload. Default 300.',
  HOST_QUEUE_TIMEOUT_SECONDS:
    'How long a send or cleanup waits for the download host before downloading again elsewhere. Default 60.',
  ALLOWED_CHAT_IDS:
    'Comma-separated chat or user ids the bot serves (groups are negative); anyone else gets one polite refusal per hour and nothing starts. Unset: everyone.',
  QUOTA_CONCURRENT_REQUESTS:
    'Requests (messages with links) one user may have running at once. 0: no limit. Default 3.',
  QUOTA_REQUESTS_PER_HOUR:
    'Links one user may send in any hour (each link of a message counts). 0: no limit. Default 30.',
  WEBHOOK_RATE_LIMIT:
    "Webhook requests per minute from one source address; Telegram's delivery networks are exempt. 0: off. Default 120.",
  TRUST_PROXY:
    "Behind a reverse proxy: how many proxy hops to trust in X-Forwarded-For for the client address. Default 0 (the socket's address).",
  MIN_FREE_DISK_MB: 'Downloads wait (retryable failure) while DATA_DIR has less free space than this. Default 1024.',
  FFMPEG_CONCURRENCY: 'Concurrent ffmpeg conversions per downloads worker process. Default 1.',
  PAYLOAD_CODEC_KEYS:
    'Comma-separated keyId:base64 AES-256 keys (32 bytes) that encrypt workflow payloads; the first encrypts, all decrypt (rotation). A secret. Unset: plaintext payloads.',
  CHAT_ID_PSEUDONYM_KEY:
    'Base64 secret (32 bytes or more) that turns chat ids into stable pseudonyms in workflow ids and the ChatId search attribute. A secret. Required with PAYLOAD_CODEC_KEYS; keep it when rotating those (a new one changes every id).',
  CODEC_AUTH_TOKEN:
    'Bearer token the codec server (/codec/decode, /codec/encode) requires. A secret. Required when the codec server runs.',
  CODEC_PORT:
    'Port of the codec server for the Web UI and the temporal CLI. Unset: none (npm start with PAYLOAD_CODEC_KEYS: 8234).',
  CODEC_CORS_ORIGINS:
    'Web UI origins allowed to call the codec server. Default http://localhost:8233,http://127.0.0.1:8233.',
  CODEC_ALLOW_UI_WITHOUT_TOKEN:
    'true: the codec server also answers requests without a token from a CODEC_CORS_ORIGINS origin (the Web UI cannot send one); only where nothing but this host reaches its port. Default: true when it listens on loopback, else false.',
  EGRESS_ALLOWED_HOSTS:
    'Comma-separated hosts that may be downloaded from although they are loopback/private (tests, internal hosts).',
  YTDLP_PYTHON:
    'The Python the download engine runs in; it must import yt_dlp. Default: .tools/venv/bin/python, then python3.',
  FFMPEG_PATH: 'ffmpeg executable. Default: .tools/bin/ffmpeg, then PATH.',
  FFPROBE_PATH: 'ffprobe executable. Default: .tools/bin/ffprobe, then PATH.',
  TEMPORAL_CLI_PATH: 'temporal CLI executable for the embedded server. Default: .tools/bin/temporal, then PATH.',
  DENO_PATH:
    "Deno executable, the JavaScript runtime yt-dlp solves YouTube's challenges with. Default: .tools/bin/deno, then PATH; none found: the worker's Node if 22 or later.",
} as const;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

export interface Config {
  telegram: {
    token: string;
    apiRoot: string;
    webhookSecret: string | undefined;
  };
  /** Set: webhook mode, Telegram posts to `${publicUrl}/telegram/webhook`. */
  publicUrl: string | undefined;
  http: { host: string; port: number };
  webhook: {
    /** Requests per minute from one source address (Telegram's networks exempt); 0: no limit. */
    rateLimitPerMinute: number;
    /** Proxy hops trusted in X-Forwarded-For; 0: the socket's address, the header ignored. */
    trustProxyHops: number;
  };
  temporal: {
    /** Undefined: the embedded dev server is started and used. */
    address: string | undefined;
    namespace: string;
    /** Undefined: plain connection (the embedded server, a local cluster). */
    tls: { caFile?: string; certFile?: string; keyFile?: string; serverName?: string } | undefined;
    apiKey: string | undefined;
    devPort: number;
    uiPort: number;
  };
  dataDir: string;
  /** The state store's PostgreSQL; undefined: SQLite under `dataDir`. */
  stateDatabaseUrl: string | undefined;
  logLevel: string;
  metricsPort: number | undefined;
  healthPort: number | undefined;
  shutdownGraceSeconds: number;
  maxUploadBytes: number;
  localBotApi: boolean;
  albumCap: number;
  ytDlpCookies: string | undefined;
  concurrency: { downloads: number; telegram: number };
  /** Concurrent ffmpeg conversions per downloads worker process. */
  ffmpegConcurrency: number;
  /** DOWNLOAD_NICE: niceness of yt-dlp's job processes and ffmpeg. */
  downloadNice: number;
  /** A download does not start while DATA_DIR has less free space than this (MiB); 0: no check. */
  minFreeDiskMb: number;
  /** The telegram worker's `maxCachedWorkflows`. */
  workflowCacheSize: number;
  policies: PolicyOverrides;
  /** Chats and users the bot serves (a message passes when its chat or its sender is listed); undefined: everyone. */
  allowedChatIds: number[] | undefined;
  /** Per-user limits, carried in each MediaRequestWorkflow's input. */
  quota: QuotaLimits;
  egressAllowedHosts: string[];
  tools: { python?: string; ffmpeg?: string; ffprobe?: string; temporal?: string; deno?: string };
  /** Undefined: payloads are stored as plaintext and ids show chat ids (development only). */
  payloadEncryption: { keys: PayloadKey[]; chatIdPseudonymKey: Buffer } | undefined;
  /** The codec server that decodes payloads for the Web UI and the temporal CLI. */
  codecServer: {
    authToken: string | undefined;
    port: number | undefined;
    corsOrigins: string[];
    /** Token-less requests from `corsOrigins`; undefined: allowed exactly when it listens on loopback. */
    allowUiWithoutToken: boolean | undefined;
  };
}

/** Thrown when the environment is unusable; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: ConfigVariable,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Where the public Bot API lives. */
export const CLOUD_BOT_API_ROOT = 'https://api.telegram.org';

/** The Bot API's upload limits: 50 MB in the cloud, 2000 MB on a local Bot API server. */
export const CLOUD_BOT_API_UPLOAD_LIMIT = 50 * 1024 * 1024;
export const LOCAL_BOT_API_UPLOAD_LIMIT = 2000 * 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const BOT_TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]+$/;

function read(env: Env, name: ConfigVariable): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function readInteger(env: Env, name: ConfigVariable, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readSeconds(env: Env, name: ConfigVariable, min = 1, max = 86_400): string | undefined {
  if (read(env, name) === undefined) return undefined;
  return `${readInteger(env, name, 0, min, max)} seconds`;
}

function readUrl(env: Env, name: ConfigVariable, fallback?: string): string | undefined {
  const raw = read(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

export interface LoadConfigOptions {
  /** The Temporal server alone needs no bot token; everything else does. */
  requireToken?: boolean;
  /** Resolve a relative DATA_DIR against this folder (default: the working directory). */
  cwd?: string;
}

/**
 * Reads and validates the configuration once, at start. Throws a {@link ConfigError} naming the
 * first variable that is missing or malformed.
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const requireToken = options.requireToken ?? true;
  const token = read(env, 'TELEGRAM_BOT_TOKEN');
  if (requireToken && token === undefined) {
    throw new ConfigError('TELEGRAM_BOT_TOKEN', 'is required: create a bot with @BotFather and set its token');
  }
  if (token !== undefined && !BOT_TOKEN_PATTERN.test(token)) {
    // The value itself is a secret: never echo it.
    throw new ConfigError('TELEGRAM_BOT_TOKEN', 'does not look like a bot token (expected <digits>:<letters>)');
  }

  const publicUrl = readUrl(env, 'PUBLIC_URL');
  const webhookSecret = read(env, 'TELEGRAM_WEBHOOK_SECRET');
  if (webhookSecret !== undefined && !WEBHOOK_SECRET_PATTERN.test(webhookSecret)) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET', 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
  }
  if (publicUrl !== undefined && webhookSecret === undefined) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET', 'is required in webhook mode (PUBLIC_URL is set)');
  }

  const temporalAddress = read(env, 'TEMPORAL_ADDRESS');
  if (temporalAddress !== undefined && !/^[^\s:/]+:\d+$/.test(temporalAddress)) {
    throw new ConfigError('TEMPORAL_ADDRESS', `must be host:port, got "${temporalAddress}"`);
  }

  const logLevel = read(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const dataDir = path.resolve(options.cwd ?? process.cwd(), read(env, 'DATA_DIR') ?? 'data');
  const { apiRoot, localBotApi, maxUploadBytes } = readBotApi(env);
  const uiPort = readInteger(env, 'TEMPORAL_UI_PORT', 8233, 1, 65_535);

  return {
    telegram: {
      token: token ?? '',
      apiRoot,
      webhookSecret,
    },
    publicUrl,
    http: { host: read(env, 'HOST') ?? '0.0.0.0', port: readInteger(env, 'PORT', 3000, 0, 65_535) },
    webhook: {
      rateLimitPerMinute: readInteger(env, 'WEBHOOK_RATE_LIMIT', 120, 0, 1_000_000),
      trustProxyHops: readInteger(env, 'TRUST_PROXY', 0, 0, 10),
    },
    temporal: {
      address: temporalAddress,
      namespace: read(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      tls: readTls(env, options.cwd),
      apiKey: read(env, 'TEMPORAL_API_KEY'),
      devPort: readInteger(env, 'TEMPORAL_DEV_PORT', 7233, 1, 65_535),
      uiPort,
    },
    dataDir,
    stateDatabaseUrl: readDatabaseUrl(env, 'STATE_DATABASE_URL'),
    logLevel,
    metricsPort: optionalInteger(env, 'METRICS_PORT', 1, 65_535),
    healthPort: optionalInteger(env, 'HEALTH_PORT', 1, 65_535),
    shutdownGraceSeconds: readInteger(env, 'SHUTDOWN_GRACE_SECONDS', 30, 0, 3_600),
    maxUploadBytes,
    localBotApi,
    albumCap: readInteger(env, 'MAX_ALBUM_ITEMS', 10, 1, 100),
    // The cookies file's path is configuration, its content a secret.
    ytDlpCookies: readFilePath(env, 'YTDLP_COOKIES', options.cwd),
    concurrency: {
      // yt-dlp's jobs are CPU-bound start-ups no more (the warm engine): one per core keeps both busy.
      downloads: readInteger(env, 'DOWNLOAD_CONCURRENCY', availableParallelism(), 1, 64),
      telegram: readInteger(env, 'TELEGRAM_CONCURRENCY', 4, 1, 256),
    },
    ffmpegConcurrency: readInteger(env, 'FFMPEG_CONCURRENCY', 1, 1, 64),
    downloadNice: readInteger(env, 'DOWNLOAD_NICE', 10, 0, 19),
    // Up to 1 PiB: "absurdly high" is a valid way to stop all downloads on a host.
    minFreeDiskMb: readInteger(env, 'MIN_FREE_DISK_MB', 1024, 0, 1024 ** 3),
    // Media-cache and settings entities stay open for weeks; the SDK's default cache (sized from
    // the heap, ~2,300 here) keeps every one of them in memory, so a worker grows with each
    // distinct link. Evicted entities replay a short history when touched again.
    workflowCacheSize: readInteger(env, 'WORKFLOW_CACHE_SIZE', 100, 0, 100_000),
    policies: {
      download: {
        startToCloseTimeout: readSeconds(env, 'DOWNLOAD_TIMEOUT_SECONDS'),
        heartbeatTimeout: readSeconds(env, 'DOWNLOAD_HEARTBEAT_SECONDS'),
        maximumAttempts: optionalInteger(env, 'DOWNLOAD_MAX_ATTEMPTS', 1, 20),
        initialInterval: readSeconds(env, 'DOWNLOAD_RETRY_SECONDS'),
      },
      telegram: {
        startToCloseTimeout: readSeconds(env, 'TELEGRAM_TIMEOUT_SECONDS'),
        maximumAttempts: optionalInteger(env, 'TELEGRAM_MAX_ATTEMPTS', 1, 20),
        initialInterval: readSeconds(env, 'TELEGRAM_RETRY_SECONDS'),
      },
      host: {
        uploadTimeout: readSeconds(env, 'UPLOAD_TIMEOUT_SECONDS'),
        scheduleToStartTimeout: readSeconds(env, 'HOST_QUEUE_TIMEOUT_SECONDS'),
      },
    },
    allowedChatIds: readIdList(env, 'ALLOWED_CHAT_IDS'),
    quota: {
      concurrentRequests: readInteger(env, 'QUOTA_CONCURRENT_REQUESTS', 3, 0, 10_000),
      requestsPerHour: readInteger(env, 'QUOTA_REQUESTS_PER_HOUR', 30, 0, 1_000_000),
    },
    egressAllowedHosts: (readList(env, 'EGRESS_ALLOWED_HOSTS') ?? []).map((host) => host.toLowerCase()).filter(Boolean),
    tools: {
      python: read(env, 'YTDLP_PYTHON'),
      ffmpeg: read(env, 'FFMPEG_PATH'),
      ffprobe: read(env, 'FFPROBE_PATH'),
      temporal: read(env, 'TEMPORAL_CLI_PATH'),
      deno: read(env, 'DENO_PATH'),
    },
    payloadEncryption: readPayloadEncryption(env),
    codecServer: readCodecServer(env, uiPort),
  };
}

function readDatabaseUrl(env: Env, name: ConfigVariable): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // The value may hold a password: never echo it.
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname) {
    throw new ConfigError(name, 'must be a PostgreSQL URL, postgres://user:password@host:5432/database');
  }
  return raw;
}

function optionalInteger(env: Env, name: ConfigVariable, min: number, max: number): number | undefined {
  return read(env, name) === undefined ? undefined : readInteger(env, name, 0, min, max);
}

/** A comma-separated variable's entries, trimmed; blank ones are kept (each list says what a blank means). */
function readList(env: Env, name: ConfigVariable): string[] | undefined {
  return read(env, name)
    ?.split(',')
    .map((entry) => entry.trim());
}

/**
 * Comma-separated Telegram ids: users and private chats are positive, groups negative
 * (supergroups and channels -100…). Blanks between commas are ignored; a list with no id is an
 * error (it would refuse everyone).
 */
function readIdList(env: Env, name: ConfigVariable): number[] | undefined {
  const entries = readList(env, name)?.filter(Boolean);
  if (entries === undefined) return undefined;
  if (entries.length === 0) throw new ConfigError(name, 'lists no id: leave it unset to serve everyone');
  const ids = entries.map((entry) => {
    const id = /^-?\d{1,16}$/.test(entry) ? Number(entry) : Number.NaN;
    if (!Number.isSafeInteger(id) || id === 0) {
      throw new ConfigError(
        name,
        `must be comma-separated chat or user ids (whole numbers, groups negative), got "${entry}"`,
      );
    }
    return id;
  });
  return [...new Set(ids)];
}

/**
 * The Bot API server and the upload limit, checked together: the cloud Bot API takes 50 MB, a
 * local Bot API server (at an address of its own) 2000 MB. A limit the server does not accept
 * would only show as a refused upload, after the whole download.
 */
function readBotApi(env: Env): { apiRoot: string; localBotApi: boolean; maxUploadBytes: number } {
  const localBotApi = readBoolean(env, 'TELEGRAM_LOCAL_BOT_API');
  const apiRoot = readUrl(env, 'TELEGRAM_API_ROOT', CLOUD_BOT_API_ROOT)!;
  if (localBotApi && read(env, 'TELEGRAM_API_ROOT') === undefined) {
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
  const maxUploadBytes = readInteger(
    env,
    'MAX_UPLOAD_BYTES',
    localBotApi ? LOCAL_BOT_API_UPLOAD_LIMIT : CLOUD_BOT_API_UPLOAD_LIMIT,
    1,
    Number.MAX_SAFE_INTEGER,
  );
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

function readBoolean(env: Env, name: ConfigVariable): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readFilePath(env: Env, name: ConfigVariable, cwd?: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const file = path.resolve(cwd ?? process.cwd(), raw);
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new ConfigError(name, `names a file that does not exist or cannot be read: ${file}`);
  }
  return file;
}

/** TLS to Temporal: on when asked for, when any TLS file is given, or with an API key (Temporal Cloud). */
function readTls(env: Env, cwd?: string): Config['temporal']['tls'] {
  const tls = {
    caFile: readFilePath(env, 'TEMPORAL_TLS_CA', cwd),
    certFile: readFilePath(env, 'TEMPORAL_TLS_CERT', cwd),
    keyFile: readFilePath(env, 'TEMPORAL_TLS_KEY', cwd),
    serverName: read(env, 'TEMPORAL_TLS_SERVER_NAME'),
  };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new ConfigError(
      tls.certFile ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT',
      'is required with the other one for mTLS',
    );
  }
  const wanted =
    readBoolean(env, 'TEMPORAL_TLS') ||
    Object.values(tls).some((value) => value !== undefined) ||
    read(env, 'TEMPORAL_API_KEY') !== undefined;
  return wanted ? tls : undefined;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const AES_256_KEY_BYTES = 32;
const CODEC_TOKEN_PATTERN = /^[\x21-\x7e]{16,512}$/;

/** `keyId:base64,…`; the first key encrypts, every key decrypts. Key values are never echoed. */
function readPayloadEncryption(env: Env): Config['payloadEncryption'] {
  const entries = readList(env, 'PAYLOAD_CODEC_KEYS');
  const pseudonymKey = read(env, 'CHAT_ID_PSEUDONYM_KEY');
  if (entries === undefined) {
    if (pseudonymKey !== undefined) {
      throw new ConfigError(
        'CHAT_ID_PSEUDONYM_KEY',
        'is set but PAYLOAD_CODEC_KEYS is not: pseudonymous ids go with encrypted payloads, set both or neither',
      );
    }
    return undefined;
  }
  const keys = entries.map((entry, index): PayloadKey => {
    const where = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon === -1)
      throw new ConfigError(
        'PAYLOAD_CODEC_KEYS',
        `${where} is not keyId:base64 (e.g. k2026:$(openssl rand -base64 32))`,
      );
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID_PATTERN.test(id))
      throw new ConfigError('PAYLOAD_CODEC_KEYS', `${where}: the key id must be 1-64 characters of A-Z a-z 0-9 . _ -`);
    const key = decodeBase64(entry.slice(colon + 1).trim());
    if (key?.length !== AES_256_KEY_BYTES) {
      throw new ConfigError(
        'PAYLOAD_CODEC_KEYS',
        `${where} (key id "${id}"): the key must be ${AES_256_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return { id, key };
  });
  const ids = keys.map((key) => key.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined)
    throw new ConfigError('PAYLOAD_CODEC_KEYS', `names key id "${repeated}" twice: each key needs its own id`);
  if (pseudonymKey === undefined) {
    throw new ConfigError(
      'CHAT_ID_PSEUDONYM_KEY',
      'is required with PAYLOAD_CODEC_KEYS (openssl rand -base64 32; keep it when rotating the payload keys)',
    );
  }
  const chatIdPseudonymKey = decodeBase64(pseudonymKey);
  if (chatIdPseudonymKey === undefined || chatIdPseudonymKey.length < AES_256_KEY_BYTES) {
    throw new ConfigError(
      'CHAT_ID_PSEUDONYM_KEY',
      `must be at least ${AES_256_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return { keys, chatIdPseudonymKey };
}

function decodeBase64(value: string): Buffer | undefined {
  return BASE64_PATTERN.test(value) ? Buffer.from(value, 'base64') : undefined;
}

function readCodecServer(env: Env, uiPort: number): Config['codecServer'] {
  const authToken = read(env, 'CODEC_AUTH_TOKEN');
  if (authToken !== undefined && !CODEC_TOKEN_PATTERN.test(authToken)) {
    throw new ConfigError(
      'CODEC_AUTH_TOKEN',
      'must be 16-512 printable characters without spaces (openssl rand -hex 32)',
    );
  }
  const origins = readList(env, 'CODEC_CORS_ORIGINS');
  const allowUi = read(env, 'CODEC_ALLOW_UI_WITHOUT_TOKEN');
  return {
    authToken,
    port: optionalInteger(env, 'CODEC_PORT', 1, 65_535),
    // The embedded Web UI, wherever TEMPORAL_UI_PORT puts it.
    corsOrigins:
      origins === undefined ? [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`] : origins.map(readOrigin),
    allowUiWithoutToken: allowUi === undefined ? undefined : readBoolean(env, 'CODEC_ALLOW_UI_WITHOUT_TOKEN'),
  };
}

/** An origin as browsers send it: scheme, host and port, no path. */
function readOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value.replace(/\/$/, '')) {
    throw new ConfigError(
      'CODEC_CORS_ORIGINS',
      `must be comma-separated origins like http://localhost:8233 (scheme, host, port; no path), got "${value}"`,
    );
  }
  return url.origin;
}

/**
 * The codec server's settings once it is going to run: keys to decode with and a token to check.
 * `defaultPort`: `npm start` serves it on 8234 when keys are set and CODEC_PORT is not.
 */
export function codecServerSettings(
  config: Config,
  defaultPort?: number,
): { port: number; authToken: string; encryption: NonNullable<Config['payloadEncryption']> } {
  const port = config.codecServer.port ?? defaultPort;
  if (port === undefined) throw new ConfigError('CODEC_PORT', 'is required to run the codec server');
  if (!config.payloadEncryption)
    throw new ConfigError('PAYLOAD_CODEC_KEYS', 'is required by the codec server: it decodes with those keys');
  if (config.codecServer.authToken === undefined) {
    throw new ConfigError('CODEC_AUTH_TOKEN', 'is required when the codec server runs (openssl rand -hex 32)');
  }
  return { port, authToken: config.codecServer.authToken, encryption: config.payloadEncryption };
}
