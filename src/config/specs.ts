/**
 * Every environment variable the bot reads: how it is parsed, its default, what it means. The
 * loader's reading, the type of the values and the table in docs/configuration.md come from this
 * list (`npm run docs:config`); the tests check `.env.example` and `docker-compose.yml` against it.
 * A new variable is one entry here, then its use in loadConfig.
 */
import { availableParallelism } from 'node:os';
import { chatIds, origins, payloadKeys, postgresUrl, pseudonymKey, singleChatId } from './botParsers.js';
import { boolean, filePath, integer, list, oneOf, readableFile, seconds, text, url, type Parser } from './parsers.js';

export interface VariableSpec<T> {
  parser: Parser<T>;
  /** One line for the documentation and `.env.example`, without the default. */
  description: string;
  /** The default in words, when the parser's own value does not say it (computed, or set by a rule). */
  defaultText?: string;
  /** Never logged, never quoted in an error. */
  secret?: true;
}

/** Where the public Bot API lives. */
export const CLOUD_BOT_API_ROOT = 'https://api.telegram.org';

/** The Bot API's upload limits: 50 MB in the cloud, 2000 MB on a local Bot API server. */
export const CLOUD_BOT_API_UPLOAD_LIMIT = 50 * 1024 * 1024;
export const LOCAL_BOT_API_UPLOAD_LIMIT = 2000 * 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const PORT = { min: 1, max: 65_535 };

export const CONFIG_VARIABLES = {
  TELEGRAM_BOT_TOKEN: {
    parser: text({
      pattern: /^\d+:[A-Za-z0-9_-]+$/,
      problem: 'does not look like a bot token (expected <digits>:<letters>)',
      accepts: '<digits>:<letters>',
    }),
    description: 'Bot token from @BotFather (required by the bot and both workers).',
    secret: true,
  },
  TELEGRAM_API_ROOT: {
    parser: url(),
    description: 'Bot API root URL; a local Bot API server or an emulator.',
    defaultText: CLOUD_BOT_API_ROOT,
  },
  TELEGRAM_WEBHOOK_SECRET: {
    parser: text({
      pattern: /^[A-Za-z0-9_-]{1,256}$/,
      problem: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
      accepts: '1-256 of A-Z a-z 0-9 _ -',
    }),
    description:
      'Secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token. Required in webhook mode; 1-256 of A-Z a-z 0-9 _ -.',
    secret: true,
  },
  PUBLIC_URL: {
    parser: url(),
    description: 'Public https base URL of the webhook server. Set: webhook mode. Unset: long polling.',
  },
  PORT: {
    parser: integer({ min: 0, max: 65_535, default: 3000 }),
    description: 'Port of the webhook server.',
  },
  HOST: {
    parser: text({ default: '0.0.0.0', accepts: 'interface address' }),
    description: 'Interface the webhook server listens on.',
  },
  TEMPORAL_ADDRESS: {
    parser: text({
      pattern: /^[^\s:/]+:\d+$/,
      problem: (raw) => `must be host:port, got "${raw}"`,
      accepts: 'host:port',
    }),
    description: 'host:port of a Temporal frontend. Unset: start the embedded dev server.',
  },
  TEMPORAL_NAMESPACE: {
    parser: text({ default: 'default' }),
    description: 'Temporal namespace.',
  },
  TEMPORAL_TLS: {
    parser: boolean({ default: false }),
    description: 'true to connect to Temporal over TLS (implied by the other TLS variables and by TEMPORAL_API_KEY).',
  },
  TEMPORAL_TLS_CA: {
    parser: readableFile(),
    description: 'PEM file of the CA that signed the Temporal server certificate.',
    defaultText: 'the system CAs',
  },
  TEMPORAL_TLS_CERT: {
    parser: readableFile(),
    description: 'PEM client certificate for mTLS (with TEMPORAL_TLS_KEY).',
  },
  TEMPORAL_TLS_KEY: {
    parser: readableFile(),
    description: 'PEM private key of the mTLS client certificate.',
  },
  TEMPORAL_TLS_SERVER_NAME: {
    parser: text(),
    description: 'Server name to verify in the Temporal certificate, when it differs from the address host.',
  },
  TEMPORAL_API_KEY: {
    parser: text(),
    description: 'API key for Temporal Cloud (sent as a bearer token; implies TLS).',
    secret: true,
  },
  TEMPORAL_DEV_PORT: {
    parser: integer({ ...PORT, default: 7233 }),
    description: 'gRPC port of the embedded dev server.',
  },
  TEMPORAL_UI_PORT: {
    parser: integer({ ...PORT, default: 8233 }),
    description: 'Web UI port of the embedded dev server.',
  },
  DATA_DIR: {
    parser: filePath({ default: './data' }),
    description:
      'Where downloads (temp dirs), the embedded Temporal SQLite file and the state store (state.sqlite) live.',
  },
  STATE_DATABASE_URL: {
    parser: postgresUrl(),
    description:
      'PostgreSQL URL (postgres://user:password@host:5432/db) of the state store: media cache, quotas, chat settings and the Telegram send budget, shared by the telegram and downloads workers of every host. Unset: SQLite in DATA_DIR/state.sqlite (one host).',
    secret: true,
  },
  LOG_LEVEL: {
    parser: oneOf(LOG_LEVELS, { default: 'info' }),
    description: `pino level: ${LOG_LEVELS.join(', ')}.`,
  },
  METRICS_PORT: {
    parser: integer(PORT),
    description:
      'Port of the Prometheus /metrics endpoint of each process (SDK and bot metrics). Unset: no metrics endpoint.',
  },
  HEALTH_PORT: {
    parser: integer(PORT),
    description: 'Port of /healthz and /readyz on worker processes (the webhook serves them on PORT). Unset: none.',
  },
  SHUTDOWN_GRACE_SECONDS: {
    parser: integer({ min: 0, max: 3_600, default: 30 }),
    description: 'On SIGTERM, how long running activities may finish before they are cancelled.',
  },
  TELEGRAM_LOCAL_BOT_API: {
    parser: boolean({ default: false }),
    description:
      'true when TELEGRAM_API_ROOT is a local Bot API server (telegram-bot-api --local): uploads up to 2000 MB. Needs TELEGRAM_API_ROOT set to that server.',
  },
  MAX_UPLOAD_BYTES: {
    parser: integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    description: `Largest file sent to Telegram; more than ${CLOUD_BOT_API_UPLOAD_LIMIT} needs TELEGRAM_LOCAL_BOT_API=true, more than ${LOCAL_BOT_API_UPLOAD_LIMIT} is refused.`,
    defaultText: `${CLOUD_BOT_API_UPLOAD_LIMIT} (the cloud Bot API 50 MB limit), or ${LOCAL_BOT_API_UPLOAD_LIMIT} with TELEGRAM_LOCAL_BOT_API`,
  },
  MAX_ALBUM_ITEMS: {
    parser: integer({ min: 1, max: 100, default: 10 }),
    description: 'Most items sent from one gallery or playlist link.',
  },
  MAX_PLAYLIST_ITEMS: {
    parser: integer({ min: 1, max: 100, default: 20 }),
    description:
      'Most entries one /playlist delivers (each as its own media); a range asking for more gets the first this many of it, and the person is told how many were left out.',
  },
  MAX_SPLIT_PARTS: {
    parser: integer({ min: 1, max: 100, default: 10 }),
    description:
      'Most parts a video over MAX_UPLOAD_BYTES is split into (chats with split on); a video that needs more is refused as too large.',
  },
  PICKER_TIMEOUT_SECONDS: {
    parser: integer({ min: 5, max: 3600, default: 120 }),
    description:
      'In chats that chose “ask each time” in /settings: how long the quality buttons wait for a press before the chat’s default is sent.',
  },
  YTDLP_COOKIES: {
    // The file's path is configuration, its content a secret.
    parser: readableFile(),
    description: 'A cookies.txt for login-gated content; read only (each download uses a copy), never logged.',
  },
  WORKER_QUEUE: {
    // Read by the worker command itself, which checks it only when no --queue is given.
    parser: text({ accepts: 'downloads or telegram' }),
    description:
      'Task queue a `npm run worker` process serves when it is given no --queue: downloads or telegram (--queue wins). Unset: --queue is required.',
  },
  DOWNLOAD_CONCURRENCY: {
    // The warm engine made a download's start-up cheap: one per core keeps the cores busy.
    parser: integer({ min: 1, max: 64, default: availableParallelism() }),
    description: 'Concurrent downloads per downloads worker process.',
    defaultText: 'the number of CPU cores',
  },
  DOWNLOAD_NICE: {
    parser: integer({ min: 0, max: 19, default: 10 }),
    description:
      'Niceness (0–19) of the yt-dlp job processes and ffmpeg: the Temporal server, the workflows and the webhook come first.',
  },
  TELEGRAM_CONCURRENCY: {
    parser: integer({ min: 1, max: 256, default: 4 }),
    description: 'Concurrent Bot API calls per telegram worker process.',
  },
  TELEGRAM_CHAT_SEND_INTERVAL_MS: {
    parser: integer({ min: 0, max: 60_000, default: 1_000 }),
    description:
      'Least time between two messages the bot sends to one chat, counted by every worker of every host together (the send budget in the state store). Telegram allows about one a second.',
  },
  TELEGRAM_GROUP_SENDS_PER_MINUTE: {
    parser: integer({ min: 1, max: 1_000, default: 20 }),
    description:
      'Most messages the bot sends to one group (chat id < 0) in any 60 s, all hosts together; an album counts as its items. Telegram allows about 20.',
  },
  TELEGRAM_SENDS_PER_SECOND: {
    parser: integer({ min: 1, max: 1_000, default: 30 }),
    description:
      'Most messages the bot sends in any second, to all chats and from all hosts together. Telegram allows about 30.',
  },
  WORKFLOW_CACHE_SIZE: {
    // Media-cache and settings entities stay open for weeks; the SDK's default cache (sized from
    // the heap, ~2,300 here) keeps every one of them in memory, so a worker grows with each
    // distinct link. Evicted entities replay a short history when touched again.
    parser: integer({ min: 0, max: 100_000, default: 100 }),
    description:
      'Workflow executions a telegram worker keeps in memory between their tasks (sticky cache); idle ones beyond it are evicted and replayed when touched again.',
  },
  // Unset, a policy variable leaves the policy's own value (workflows/policies.ts) in place; a test
  // checks that the defaults shown here are those values.
  DOWNLOAD_TIMEOUT_SECONDS: {
    parser: seconds(),
    description: 'Start-to-close timeout of one download attempt (download, conversion, gallery).',
    defaultText: '600',
  },
  DOWNLOAD_HEARTBEAT_SECONDS: {
    parser: seconds(),
    description: 'A download that reports no progress for this long is retried.',
    defaultText: '15',
  },
  DOWNLOAD_MAX_ATTEMPTS: {
    parser: integer({ min: 1, max: 20 }),
    description: 'Download attempts for transient failures.',
    defaultText: '2',
  },
  DOWNLOAD_RETRY_SECONDS: {
    parser: seconds(),
    description: 'Wait before the second download attempt (x3 for each further one).',
    defaultText: '5',
  },
  TELEGRAM_TIMEOUT_SECONDS: {
    parser: seconds(),
    description: 'Start-to-close timeout of one Bot API call.',
    defaultText: '10',
  },
  TELEGRAM_MAX_ATTEMPTS: {
    parser: integer({ min: 1, max: 20 }),
    description: 'Attempts for a Bot API call.',
    defaultText: '3',
  },
  TELEGRAM_RETRY_SECONDS: {
    parser: seconds(),
    description: 'Wait before retrying a failed Bot API call (x2 each time).',
    defaultText: '1',
  },
  UPLOAD_TIMEOUT_SECONDS: {
    parser: seconds(),
    description: 'Start-to-close timeout of one media upload.',
    defaultText: '300',
  },
  HOST_QUEUE_TIMEOUT_SECONDS: {
    parser: seconds(),
    description: 'How long a send or cleanup waits for the download host before downloading again elsewhere.',
    defaultText: '60',
  },
  ALLOWED_CHAT_IDS: {
    parser: chatIds(),
    description:
      'Comma-separated chat or user ids the bot serves (groups are negative); anyone else gets one polite refusal per hour and nothing starts. Unset: everyone.',
  },
  STORAGE_CHAT_ID: {
    parser: singleChatId(),
    description:
      'Inline mode: the chat (a private channel or group with the bot in it) that new inline media is uploaded to before it replaces the inline message. Unset: inline queries offer cached media only.',
  },
  QUOTA_CONCURRENT_REQUESTS: {
    parser: integer({ min: 0, max: 10_000, default: 3 }),
    description: 'Requests (messages with links) one user may have running at once. 0: no limit.',
  },
  QUOTA_REQUESTS_PER_HOUR: {
    parser: integer({ min: 0, max: 1_000_000, default: 30 }),
    description: 'Links one user may send in any hour (each link of a message counts). 0: no limit.',
  },
  WEBHOOK_RATE_LIMIT: {
    parser: integer({ min: 0, max: 1_000_000, default: 120 }),
    description:
      "Webhook requests per minute from one source address; Telegram's delivery networks are exempt. 0: off.",
  },
  TRUST_PROXY: {
    parser: integer({ min: 0, max: 10, default: 0 }),
    description:
      "Behind a reverse proxy: how many proxy hops to trust in X-Forwarded-For for the client address. 0: the socket's address.",
  },
  MIN_FREE_DISK_MB: {
    // Up to 1 PiB: "absurdly high" is a valid way to stop all downloads on a host.
    parser: integer({ min: 0, max: 1024 ** 3, default: 1024 }),
    description: 'Downloads wait (retryable failure) while DATA_DIR has less free space than this.',
  },
  FFMPEG_CONCURRENCY: {
    parser: integer({ min: 1, max: 64, default: 1 }),
    description: 'Concurrent ffmpeg conversions per downloads worker process.',
  },
  PAYLOAD_CODEC_KEYS: {
    parser: payloadKeys(),
    description:
      'Comma-separated keyId:base64 AES-256 keys (32 bytes) that encrypt workflow payloads; the first encrypts, all decrypt (rotation). Unset: plaintext payloads.',
    secret: true,
  },
  CHAT_ID_PSEUDONYM_KEY: {
    parser: pseudonymKey(),
    description:
      'Base64 secret (32 bytes or more) that turns chat ids into stable pseudonyms in workflow ids and the ChatId search attribute. Required with PAYLOAD_CODEC_KEYS; keep it when rotating those (a new one changes every id).',
    secret: true,
  },
  CODEC_AUTH_TOKEN: {
    parser: text({
      pattern: /^[\x21-\x7e]{16,512}$/,
      problem: 'must be 16-512 printable characters without spaces (openssl rand -hex 32)',
      accepts: '16-512 printable characters',
    }),
    description:
      'Bearer token the codec server (/codec/decode, /codec/encode) requires. Required when the codec server runs.',
    secret: true,
  },
  CODEC_PORT: {
    parser: integer(PORT),
    description:
      'Port of the codec server for the Web UI and the temporal CLI. Unset: none (npm start with PAYLOAD_CODEC_KEYS: 8234).',
  },
  CODEC_CORS_ORIGINS: {
    parser: origins(),
    description: 'Web UI origins allowed to call the codec server.',
    defaultText: 'the embedded Web UI, http://localhost:8233,http://127.0.0.1:8233 (following TEMPORAL_UI_PORT)',
  },
  CODEC_ALLOW_UI_WITHOUT_TOKEN: {
    parser: boolean(),
    description:
      'true: the codec server also answers requests without a token from a CODEC_CORS_ORIGINS origin (the Web UI cannot send one); only where nothing but this host reaches its port.',
    defaultText: 'true when it listens on loopback, else false',
  },
  EGRESS_ALLOWED_HOSTS: {
    parser: list({
      entry: (host) => host.toLowerCase(),
      skipBlanks: true,
      default: [],
      accepts: 'hosts, comma-separated',
    }),
    description:
      'Comma-separated hosts that may be downloaded from although they are loopback/private (tests, internal hosts).',
  },
  YTDLP_PYTHON: {
    parser: text({ accepts: 'executable' }),
    description:
      'The Python the download engine runs in; it must import yt_dlp, and gallery_dl for photo posts (scripts/setup.sh installs both).',
    defaultText: '.tools/venv/bin/python, then python3',
  },
  FFMPEG_PATH: {
    parser: text({ accepts: 'executable' }),
    description: 'ffmpeg executable.',
    defaultText: '.tools/bin/ffmpeg, then PATH',
  },
  FFPROBE_PATH: {
    parser: text({ accepts: 'executable' }),
    description: 'ffprobe executable.',
    defaultText: '.tools/bin/ffprobe, then PATH',
  },
  TEMPORAL_CLI_PATH: {
    parser: text({ accepts: 'executable' }),
    description: 'temporal CLI executable for the embedded server.',
    defaultText: '.tools/bin/temporal, then PATH',
  },
  DENO_PATH: {
    parser: text({ accepts: 'executable' }),
    description: "Deno executable, the JavaScript runtime yt-dlp solves YouTube's challenges with.",
    defaultText: ".tools/bin/deno, then PATH; none found: the worker's Node if 22 or later",
  },
  ADMIN_CHAT_IDS: {
    parser: chatIds(),
    description:
      'Comma-separated chat or user ids told of each yt-dlp switch or refused candidate (the yt-dlp update). Unset: nobody is told.',
  },
  YTDLP_UPDATE_SCHEDULE: {
    parser: text({
      default: '24h',
      pattern: /^(off|\d+[smhd]|@\w+|(\S+\s+){4}\S+)$/,
      problem: (raw) => `must be off, an interval (e.g. 24h, 30m) or a cron expression (5 fields), got "${raw}"`,
      accepts: 'off, interval (24h) or cron',
    }),
    description:
      'How often the yt-dlp update runs (a Temporal Schedule, pausable in the Web UI): an interval like 24h, or a cron expression like `0 4 * * *`. off: no schedule (an existing one is deleted).',
  },
  YTDLP_UPDATE_INDEX: {
    parser: text({ accepts: 'index URL or folder' }),
    description:
      "Where the yt-dlp update looks for new versions: a package index URL, or a folder of wheels (pip --no-index --find-links). Unset: pip's configured index.",
  },
  YTDLP_CANARY_URLS: {
    parser: list({ skipBlanks: true, default: [], accepts: 'URLs, comma-separated' }),
    description:
      'Comma-separated real links a yt-dlp candidate must download before it is switched to (besides the loopback canary, always run). For machines with internet.',
  },
} satisfies Record<string, VariableSpec<unknown>>;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

/** Each variable's parsed value, typed by its parser. */
export type ConfigValues = {
  [Name in ConfigVariable]: (typeof CONFIG_VARIABLES)[Name] extends VariableSpec<infer T> ? T : never;
};
