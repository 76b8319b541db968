import {
  destination as pinoDestination,
  pino,
  stdSerializers,
  type DestinationStream,
  type Logger,
  type LoggerOptions,
} from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { redactSecrets } from '../shared/redact.js';

export type { Logger } from 'pino';

/**
 * The one pino logger of a process. Every message and string field passes through
 * {@link redactSecrets}, so a token quoted by a library error cannot reach the log.
 */
export function createLogger(level: string, name = 'media-bot', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name,
    level,
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args;
        // `log.error(err)` and `log.error(err, 'msg')`: keep pino's shape, an `err` field and a message.
        const normalized =
          first instanceof Error ? [{ err: first }, ...(rest.length > 0 ? rest : [first.message])] : args;
        method.apply(
          this,
          normalized.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : redactDeep(arg))) as Parameters<
            typeof method
          >,
        );
      },
    },
    // Errors were serialized (and redacted) in the hook above; pino's default would re-serialize
    // the plain result and call it an "Object".
    serializers: { err: (value: unknown) => value },
  };
  return pino(options, destination ?? standardOutput());
}

/**
 * pino's own stdout stream, except that a terminal which went away (closed: EIO, or a reader
 * gone: EPIPE) silences the log instead of throwing. A closed terminal sends SIGHUP, and the
 * drain that follows must not die on its first log line.
 */
function standardOutput(): DestinationStream {
  const stream = pinoDestination({ dest: 1, sync: false });
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EIO' && error.code !== 'EPIPE') throw error;
    const silent = () => true;
    Object.assign(stream, { write: silent, flushSync: () => undefined, end: () => undefined });
  });
  return stream;
}

/**
 * What pino's error serializer returns, for the error and for every error nested in its fields
 * (grammy's HttpError keeps fetch's error, whose message is the Bot API URL, in `error`): plain
 * data, but on a prototype of its own.
 */
const SERIALIZED_ERROR = Object.getPrototypeOf(stdSerializers.err(new Error('prototype probe'))) as object;

/**
 * Redacts every string in a log argument. Errors become pino's standard shape (type, message,
 * stack, cause) first; other class instances (Date, Buffer, …) are left for pino to serialize.
 */
function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  if (value instanceof Error) return redactDeep({ ...stdSerializers.err(value) }, depth + 1);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null && prototype !== SERIALIZED_ERROR) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, depth + 1)]));
}

/** Temporal's Runtime and workflow/activity `log` calls, written through the same pino logger. */
export function temporalLoggerFrom(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const pinoLevel = level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
    logger[pinoLevel](meta ?? {}, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
