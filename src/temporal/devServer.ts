import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../workflows/searchAttributes.js';
import type { Logger } from '../logger.js';

export interface DevServerOptions {
  temporalPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The codec server the Web UI decodes encrypted payloads with (`…/codec`); none: payloads show as stored. */
  uiCodecEndpoint?: string;
  logger: Logger;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  dbFile: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STDERR_TAIL_LINES = 20;

/** The server process ended before it answered: a port taken by another process, a bad flag, a locked file. */
export class DevServerExitedError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`the Temporal dev server exited during start-up (${command})${stderr ? `:\n${stderr}` : ''}`);
    this.name = 'DevServerExitedError';
  }
}

/**
 * Starts the embedded Temporal dev server (`temporal server start-dev`) with its state in a
 * SQLite file under DATA_DIR and the Web UI, and waits until it answers. WAL with
 * synchronous=NORMAL keeps every acknowledged write across a process crash (only an OS crash
 * can lose the last transactions) and is many times faster than the default rollback journal.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  if (await isListening(options.port)) {
    throw new Error(
      `port ${options.port} is already in use: another Temporal server may be running. ` +
        `Set TEMPORAL_ADDRESS=${address} to use it, or TEMPORAL_DEV_PORT to start one on another port.`,
    );
  }
  await mkdir(options.dataDir, { recursive: true });
  const dbFile = path.join(options.dataDir, 'temporal.sqlite');
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
  const child: ResultPromise = execa(options.temporalPath, args, {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    // SIGTERM lets it flush SQLite; a server that hangs on shutdown is killed after 5 s.
    forceKillAfterDelay: 5_000,
    // A process group of its own: a terminal's Ctrl-C goes to the whole foreground group, and the
    // server must not stop before the workers have drained (they report to it); we stop it last.
    detached: true,
  });
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
  void child.then(() => {
    exited = true;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new DevServerExitedError(`${options.temporalPath} ${args.join(' ')}`, stderrTail.join('\n'));
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not answer on ${address} within ${READY_TIMEOUT_MS / 1000} s`, { cause: error });
      }
      await sleep(250);
    }
  }
  const uiUrl = `http://127.0.0.1:${options.uiPort}`;
  options.logger.info({ address, uiUrl, dbFile }, 'embedded Temporal dev server is up');

  return {
    address,
    uiUrl,
    dbFile,
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
