/**
 * The configuration, read and validated once, at start: the variables (specs.ts) through their
 * parsers, the rules that span several of them (rules.ts), then the shape the processes use.
 */
import type { PolicyOverrides } from '../../shared/policyOverrides.js';
import type { QuotaLimits } from '../../shared/quotaWindow.js';
import { readVariables, type Env } from './read.js';
import {
  botApi,
  codecCorsOrigins,
  payloadEncryption,
  requireBotToken,
  requireWebhookSecret,
  temporalTls,
} from './rules.js';
import type { ConfigValues } from './specs.js';

export { ConfigError } from './errors.js';
export { codecServerSettings, type PayloadEncryption } from './rules.js';
export {
  CLOUD_BOT_API_ROOT,
  CLOUD_BOT_API_UPLOAD_LIMIT,
  CONFIG_VARIABLES,
  LOCAL_BOT_API_UPLOAD_LIMIT,
  type ConfigValues,
  type ConfigVariable,
  type VariableSpec,
} from './specs.js';

export interface LoadConfigOptions {
  /** The Temporal server alone needs no bot token; everything else does. */
  requireToken?: boolean;
  /** Resolve relative paths (DATA_DIR, the TLS and cookies files) against this folder (default: the working directory). */
  cwd?: string;
}

export type Config = ReturnType<typeof loadConfig>;

/**
 * Reads and validates the configuration once, at start. Throws a {@link ConfigError} naming the
 * first variable that is missing or malformed.
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}) {
  const values = readVariables(env, { cwd: options.cwd ?? process.cwd() });
  requireBotToken(values, options.requireToken ?? true);
  requireWebhookSecret(values);
  const { apiRoot, localBotApi, maxUploadBytes } = botApi(values);

  return {
    telegram: {
      token: values.TELEGRAM_BOT_TOKEN ?? '',
      apiRoot,
      webhookSecret: values.TELEGRAM_WEBHOOK_SECRET,
    },
    /** Set: webhook mode, Telegram posts to `${publicUrl}/telegram/webhook`. */
    publicUrl: values.PUBLIC_URL,
    http: { host: values.HOST, port: values.PORT },
    webhook: {
      /** Requests per minute from one source address (Telegram's networks exempt); 0: no limit. */
      rateLimitPerMinute: values.WEBHOOK_RATE_LIMIT,
      /** Proxy hops trusted in X-Forwarded-For; 0: the socket's address, the header ignored. */
      trustProxyHops: values.TRUST_PROXY,
    },
    temporal: {
      /** Undefined: the embedded dev server is started and used. */
      address: values.TEMPORAL_ADDRESS,
      namespace: values.TEMPORAL_NAMESPACE,
      tls: temporalTls(values),
      apiKey: values.TEMPORAL_API_KEY,
      devPort: values.TEMPORAL_DEV_PORT,
      uiPort: values.TEMPORAL_UI_PORT,
    },
    dataDir: values.DATA_DIR,
    /** The state store's PostgreSQL; undefined: SQLite under `dataDir`. */
    stateDatabaseUrl: values.STATE_DATABASE_URL,
    logLevel: values.LOG_LEVEL,
    metricsPort: values.METRICS_PORT,
    healthPort: values.HEALTH_PORT,
    shutdownGraceSeconds: values.SHUTDOWN_GRACE_SECONDS,
    maxUploadBytes,
    localBotApi,
    albumCap: values.MAX_ALBUM_ITEMS,
    /** The most entries one /playlist delivers. */
    maxPlaylistItems: values.MAX_PLAYLIST_ITEMS,
    /** The most parts a video over the upload limit is split into. */
    maxSplitParts: values.MAX_SPLIT_PARTS,
    /** How long the quality picker waits for a press (chats that ask each time). */
    pickerTimeoutSeconds: values.PICKER_TIMEOUT_SECONDS,
    ytDlpCookies: values.YTDLP_COOKIES,
    concurrency: { downloads: values.DOWNLOAD_CONCURRENCY, telegram: values.TELEGRAM_CONCURRENCY },
    /** Concurrent ffmpeg conversions per downloads worker process. */
    ffmpegConcurrency: values.FFMPEG_CONCURRENCY,
    /** DOWNLOAD_NICE: niceness of yt-dlp's job processes and ffmpeg. */
    downloadNice: values.DOWNLOAD_NICE,
    /** A download does not start while DATA_DIR has less free space than this (MiB); 0: no check. */
    minFreeDiskMb: values.MIN_FREE_DISK_MB,
    /** Telegram's budgets, shared by every process through the state store (activities/adapters/sendBudget.ts). */
    sendBudget: {
      chatIntervalMs: values.TELEGRAM_CHAT_SEND_INTERVAL_MS,
      groupSendsPerWindow: values.TELEGRAM_GROUP_SENDS_PER_MINUTE,
      globalSendsPerWindow: values.TELEGRAM_SENDS_PER_SECOND,
    },
    /** The telegram worker's `maxCachedWorkflows`. */
    workflowCacheSize: values.WORKFLOW_CACHE_SIZE,
    policies: policyOverrides(values),
    /** Chats and users the bot serves (a message passes when its chat or its sender is listed); undefined: everyone. */
    allowedChatIds: values.ALLOWED_CHAT_IDS,
    /** STORAGE_CHAT_ID: where inline mode uploads new media; undefined: inline offers cached media only. */
    storageChatId: values.STORAGE_CHAT_ID,
    /** Per-user limits, carried in each MediaRequestWorkflow's input. */
    quota: {
      concurrentRequests: values.QUOTA_CONCURRENT_REQUESTS,
      requestsPerHour: values.QUOTA_REQUESTS_PER_HOUR,
    } satisfies QuotaLimits,
    egressAllowedHosts: values.EGRESS_ALLOWED_HOSTS,
    /** The yt-dlp update (workflows/ytDlpUpdate.ts). */
    ytDlpUpdate: {
      /** `off`, an interval (`24h`) or a cron expression. */
      schedule: values.YTDLP_UPDATE_SCHEDULE,
      index: values.YTDLP_UPDATE_INDEX,
      canaryUrls: values.YTDLP_CANARY_URLS,
      adminChatIds: values.ADMIN_CHAT_IDS ?? [],
    },
    /** Unset tools are looked for by resolveTools (.tools/, then PATH). */
    tools: unsetAsOptional({
      python: values.YTDLP_PYTHON,
      ffmpeg: values.FFMPEG_PATH,
      ffprobe: values.FFPROBE_PATH,
      temporal: values.TEMPORAL_CLI_PATH,
      deno: values.DENO_PATH,
    }),
    /** Undefined: payloads are stored as plaintext and ids show chat ids (development only). */
    payloadEncryption: payloadEncryption(values),
    /** The codec server that decodes payloads for the Web UI and the temporal CLI. */
    codecServer: {
      authToken: values.CODEC_AUTH_TOKEN,
      port: values.CODEC_PORT,
      corsOrigins: codecCorsOrigins(values),
      /** Token-less requests from `corsOrigins`; undefined: allowed exactly when it listens on loopback. */
      allowUiWithoutToken: values.CODEC_ALLOW_UI_WITHOUT_TOKEN,
    },
  };
}

/** The policy variables, carried in each workflow input; undefined: the policy's own value. */
function policyOverrides(values: ConfigValues): PolicyOverrides {
  return {
    download: {
      startToCloseTimeout: values.DOWNLOAD_TIMEOUT_SECONDS,
      heartbeatTimeout: values.DOWNLOAD_HEARTBEAT_SECONDS,
      maximumAttempts: values.DOWNLOAD_MAX_ATTEMPTS,
      initialInterval: values.DOWNLOAD_RETRY_SECONDS,
    },
    telegram: {
      startToCloseTimeout: values.TELEGRAM_TIMEOUT_SECONDS,
      maximumAttempts: values.TELEGRAM_MAX_ATTEMPTS,
      initialInterval: values.TELEGRAM_RETRY_SECONDS,
    },
    host: {
      uploadTimeout: values.UPLOAD_TIMEOUT_SECONDS,
      scheduleToStartTimeout: values.HOST_QUEUE_TIMEOUT_SECONDS,
    },
  };
}

/** The same object, its possibly-undefined fields typed as optional ones (callers may pass `{}`). */
function unsetAsOptional<T extends object>(value: T): { [Key in keyof T]?: Exclude<T[Key], undefined> } {
  return value;
}
