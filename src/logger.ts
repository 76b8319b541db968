import { pino, stdSerializers, type Logger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { redactSecrets } from './redact.js';

export type { Logger } from 'pino';

/**
 * The one pino logger of a process. Every message and string field passes through
 * {@link redactSecrets}, so a token quoted by a library error cannot reach the log.
 */
export function createLogger(level: string, name = 'media-bot'): Logger {
  return pino({
    name,
    level,
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : redactDeep(arg))) as Parameters<typeof method>,
        );
      },
    },
    serializers: { err: (err: unknown) => redactDeep(stdSerializers.err(err as Error)) },
  });
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactSecrets(value.message), stack: redactSecrets(value.stack ?? '') };
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
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
