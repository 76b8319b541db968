/**
 * `npm start`'s process (`node --import tsx src/cli/start.ts`, what `npm start` execs) against
 * the Bot API emulator, in long-polling mode, with the embedded Temporal server on free ports:
 * what test/e2e/startCommand.test.ts and test/e2e/restartAfterKill.test.ts start.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BotApiEmulator } from '../../support/botApiEmulator.js';
import { linkUpdate } from '../../faults/support/faultStack.js';
import { freePort, startCli, type CliProcess, type StartCliOptions } from '../../faults/support/processes.js';
import { LOCK_FILE, parseLockRecord, type LockRecord } from '../../../src/temporal/devServerLock.js';

export const START_SCRIPT = 'src/cli/start.ts';
/** The log line after which `npm start` serves: Temporal up, workers polling, the bot receiving updates. */
export function readyMessageFor(env: Record<string, string>): string {
  return env.TEMPORAL_ADDRESS
    ? 'media bot running'
    : `media bot running; Temporal Web UI at http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
}

export interface StartPorts {
  grpc: number;
  ui: number;
}

export async function freeStartPorts(): Promise<StartPorts> {
  return { grpc: await freePort(), ui: await freePort() };
}

/** The environment of one `npm start`: the emulator, DATA_DIR, the embedded server's ports, loopback media allowed, and `extra`. */
export function startCommandEnv(
  emulator: Pick<BotApiEmulator, 'apiRoot' | 'token'>,
  dataDir: string,
  ports: StartPorts,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(ports.grpc),
    TEMPORAL_UI_PORT: String(ports.ui),
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A private message with one link, waiting in the emulator for the bot's long poll. */
export function queueLink(emulator: BotApiEmulator, chatId: number, messageId: number, url: string): void {
  emulator.queueUpdate(linkUpdate(url, chatId, messageId));
}

export interface StartedBot {
  proc: CliProcess;
  /** From spawning the process to its "media bot running" line. */
  readyMs: number;
}

/** Starts `npm start`'s process in a process group of its own (as a terminal runs it) and waits until it serves. */
export async function startAllInOne(
  name: string,
  env: Record<string, string>,
  options: StartCliOptions = {},
): Promise<StartedBot> {
  const spawnedAt = Date.now();
  const proc = await startCli(name, START_SCRIPT, [], env, { readyMessage: readyMessageFor(env), ...options });
  return { proc, readyMs: Date.now() - spawnedAt };
}

/** DATA_DIR's lock file (src/temporal/devServerLock.ts), if there is one. */
export async function readLock(dataDir: string): Promise<LockRecord | undefined> {
  const text = await readFile(path.join(dataDir, LOCK_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseLockRecord(text);
}
