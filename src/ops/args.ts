import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A wrong command line: the usage is printed and the exit code is 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run ops -- <command> [options]

Commands:
  status [--since 1h]                     task queues (backlog, pollers) and runs in the window
  failed [--since 1h] [--type T] [--chat N] [--limit 100]
                                          failed requests: chat, link host, failure type, reason
  retry <workflowId>                      run a failed request again: same id, same input
  retry --all-failed [--since 1h] [--type T] [--chat N] [--limit 100] [--dry-run]
                                          run every failed request of the window again
  cancel <workflowId>                     cancel a running request
  export <workflowId> [file] [--run-id R] its history as JSON (as \`temporal workflow show --output json\`)
  replay <file...>                        replay exported histories against the current workflow code
  chat <chatId>                           how Temporal names a chat (its pseudonym with PAYLOAD_CODEC_KEYS);
                                          a group's negative id after --: chat -- -1001234567890
  ytdlp                                   this host's yt-dlp: in use, previous, last candidate and canary
  ytdlp rollback                          go back to the previous yt-dlp (new jobs use it)

Options:
  --json        machine-readable output
  --since       a window back from now (90s, 30m, 1h, 2d) or a date (2026-11-27T18:00:00Z)
  -h, --help    this text

Connects like the bot: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE,
TEMPORAL_TLS, TEMPORAL_TLS_CA/CERT/KEY/SERVER_NAME, TEMPORAL_API_KEY (Temporal Cloud).
With PAYLOAD_CODEC_KEYS and CHAT_ID_PSEUDONYM_KEY (as the bot has them) it reads encrypted runs.
Exit codes: 0 ok, 1 the operation failed (e.g. a refused retry, nondeterminism), 2 usage error.
`;

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** node:util parseArgs, with every complaint turned into a {@link UsageError}. */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true } as const);
  } catch (error) {
    // Node's advice on '--' is noise here: the first sentence names the problem.
    throw new UsageError(
      `${command}: ${(error instanceof Error ? error.message : String(error)).split('. To specify')[0]}`,
    );
  }
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from `now` (`90s`, `30m`, `1h`, `2d`, `1h30m`) or an ISO date. */
export function parseSince(value: string, now: Date): Date {
  const trimmed = value.trim();
  if (/^(\d+[smhd])+$/.test(trimmed)) {
    let ms = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) ms += Number(amount) * (UNITS[unit ?? 's'] ?? 0);
    return new Date(now.getTime() - ms);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const date = new Date(trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(`--since must be a duration like 30m, 1h, 2d or an ISO date, got "${value}"`);
}

export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--limit must be a positive whole number, got "${value}"`);
  return Number(value);
}

export function parseChat(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--chat must be a chat id (a whole number), got "${value}"`);
  return Number(value);
}

/** Failure types are identifiers (ContentUnavailable); anything else cannot be one and is not quoted into a query. */
export function parseFailureType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(value))
    throw new UsageError(`--type must be a failure type like ContentUnavailable, got "${value}"`);
  return value;
}

/** Between `min` and `max` positional arguments, else a usage error. */
export function expectPositionals(
  command: string,
  positionals: string[],
  min: number,
  max: number,
  what = 'argument',
): void {
  if (positionals.length < min) throw new UsageError(`${command}: missing ${what}`);
  if (positionals.length > max)
    throw new UsageError(`${command}: unexpected argument ${positionals.slice(max).join(' ')}`);
}
