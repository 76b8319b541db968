import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../shared/searchAttributes.js';
import { dieWithParent } from '../../activities/adapters/parentDeath.js';
import { processInfo } from '../../activities/adapters/processInfo.js';
import type { Logger } from '../logger.js';
import { acquireDataDirLock, type ServerRecord } from './devServerLock.js';

export interface DevServerOptions {
  temporalPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The codec server the Web UI decodes encrypted payloads with (`…/codec`); none: payloads show as stored. */
  uiCodecEndpoint?: string;
  logger: Logger;
  /**
   * The server died and could not be started again (or died too often): the caller should end,
   * non-zero. Default: only logged.
   */
  onFailure?: (error: Error) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STDERR_TAIL_LINES = 20;
/**
 * A server that dies on its own is started again, up to this many times within the window; one
 * more death means something keeps killing it (memory, a broken file), and the run ends.
 */
export const MAX_RESTARTS = 3;
/** How long to wait before the one more try when the server exits during start-up. */
const SECOND_LAUNCH_DELAY_MS = 2_000;
export const RESTART_WINDOW_MS = 10 * 60 * 1000;

/** The server process ended before it answered: a port taken by another process, a bad flag, a locked file. */
export class DevServerExitedError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    /** How it ended: "exit code 1", "killed by SIGTERM". */
    readonly exit: string,
  ) {
    super(`the Temporal dev server exited during start-up (${exit}; ${command})${stderr ? `:\n${stderr}` : ''}`);
    this.name = 'DevServerExitedError';
  }
}

/** Something else listens on the port: another Temporal server, not ours. It is left alone. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    const address = `127.0.0.1:${port}`;
    super(
      `port ${port} is already in use: another Temporal server may be running. ` +
        `Set TEMPORAL_ADDRESS=${address} to use it, or TEMPORAL_DEV_PORT to start one on another port.`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Starts the embedded Temporal dev server (`temporal server start-dev`) with its state in a
 * SQLite file under DATA_DIR and the Web UI, and waits until it answers. WAL with
 * synchronous=NORMAL keeps every acknowledged write across a process crash (only an OS crash
 * can lose the last transactions) and is many times faster than the default rollback journal.
 *
 * The run takes DATA_DIR's lock file first (src/temporal/devServerLock.ts): a live run on the same
 * DATA_DIR is refused, the server a crashed run left is stopped. The server dies with this process
 * (parent-death signal), and if it dies alone it is started again on the same ports and file.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { logger, port } = options;
  const address = `127.0.0.1:${port}`;
  await mkdir(options.dataDir, { recursive: true });
  const dbFile = path.join(options.dataDir, 'temporal.sqlite');
  const lock = await acquireDataDirLock(options.dataDir, logger);
  const launchOnce = async () => {
    if (await isListening(port)) throw new PortInUseError(port);
    return launch(options, dbFile, (server) => lock.recordServer(server));
  };
  let current: Launched;
  try {
    current = await launchOnce().catch(async (error: unknown) => {
      if (!(error instanceof DevServerExitedError)) throw error;
      // Once more after a pause: right after a hard kill, what the killed run's server held (its
      // ports, the SQLite file) can take a moment to be let go of. A second exit is the answer.
      logger.warn({ err: error }, `${error.message}: trying once more in ${SECOND_LAUNCH_DELAY_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, SECOND_LAUNCH_DELAY_MS));
      return launchOnce();
    });
  } catch (error) {
    await lock.release();
    throw error;
  }
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;
  logger.info({ address, uiUrl, dbFile, pid: current.pid }, 'embedded Temporal dev server is up');

  let stopping = false;
  let restarting: Promise<void> | undefined;
  let restarts: number[] = [];
  const fail = (error: Error) => {
    logger.fatal({ err: error }, error.message);
    void lock.release().finally(() => options.onFailure?.(error));
  };
  const supervise = (server: Launched) => {
    void server.exited.then((exit) => {
      if (stopping) return;
      const now = Date.now();
      restarts = restarts.filter((at) => now - at < RESTART_WINDOW_MS);
      if (restarts.length >= MAX_RESTARTS) {
        fail(
          new Error(
            `the embedded Temporal server exited (${exit}) ${MAX_RESTARTS + 1} times within ${RESTART_WINDOW_MS / 60_000} minutes: giving up`,
          ),
        );
        return;
      }
      restarts.push(now);
      logger.error(
        { exit, restart: restarts.length, maxRestarts: MAX_RESTARTS, address, dbFile },
        `the embedded Temporal server exited unexpectedly (${exit}): starting it again on ${address} with the same SQLite file`,
      );
      restarting = launchOnce().then(
        (next) => {
          current = next;
          logger.info(
            { address, pid: next.pid, restart: restarts.length },
            'embedded Temporal dev server restarted; the workers reconnect by themselves',
          );
          if (stopping) return next.stop();
          supervise(next);
        },
        (error: unknown) =>
          fail(
            new Error(
              `the embedded Temporal server could not be started again: ${error instanceof Error ? error.message : String(error)}`,
              { cause: error },
            ),
          ),
      );
    });
  };
  supervise(current);

  return {
    address,
    uiUrl,
    dbFile,
    async stop() {
      stopping = true;
      await restarting?.catch(() => undefined);
      await current.stop();
      await lock.release();
    },
  };
}

interface Launched {
  pid: number;
  /** Resolves once the process is gone, with how it ended ("exit code 1", "killed by SIGKILL"). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** One server process, started and answering. `started` records it (before it answers: a crash during start-up leaves a record too). */
async function launch(
  options: DevServerOptions,
  dbFile: string,
  started: (server: ServerRecord) => Promise<void>,
): Promise<Launched> {
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
    ...Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
  // SIGTERM when we die, however we die: the server closes its SQLite file and frees its ports.
  const command = dieWithParent(options.temporalPath, args, 'SIGTERM');
  const child: ResultPromise = execa(command.file, command.args, {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    // SIGTERM lets it flush SQLite; a server that hangs on shutdown is killed after 5 s.
    forceKillAfterDelay: 5_000,
    // A process group of its own: a terminal's Ctrl-C goes to the whole foreground group, and the
    // server must not stop before the workers have drained (they report to it); we stop it last.
    detached: true,
  });
  command.follow(child);
  // execa does not clean up a detached process when this one exits: if we exit without stop()
  // (a crash), the server goes with us rather than holding its ports and SQLite file.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  void child.finally(() => process.removeListener('exit', killOnExit));
  // The last lines it wrote go into the start-up error: with logging off (tests) they are the only trace.
  const stderrTail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8').trim();
    options.logger.warn({ source: 'temporal' }, text);
    stderrTail.push(...text.split('\n'));
    stderrTail.splice(0, Math.max(0, stderrTail.length - STDERR_TAIL_LINES));
  });
  let exited = false;
  const ended = child.then((result) => {
    exited = true;
    return result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
  });
  const pid = child.pid;
  const info = pid === undefined ? undefined : processInfo(pid);
  if (pid !== undefined && info) {
    await started({
      pid,
      startTime: info.startTime,
      binary: options.temporalPath,
      dbFile,
      port: options.port,
      uiPort: options.uiPort,
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      const exit = await ended;
      // Its last words may still be in the pipe when the exit is seen.
      await new Promise((resolve) => setTimeout(resolve, 200));
      throw new DevServerExitedError(`${options.temporalPath} ${args.join(' ')}`, stderrTail.join('\n'), exit);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s`, {
          cause: error,
        });
      }
      await sleep(250);
    }
  }
  return {
    pid: pid!,
    exited: ended,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await child;
    },
  };
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
