/**
 * The embedded dev server's start-up failure, with the real `temporal` binary: its Web UI port is
 * taken by another listener, so the server exits at once. What was tried: the error must carry the
 * server's own reason (its stderr), not just "exited", and leave nothing listening.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logger.js';
import { DevServerExitedError, isListening, startDevServer } from '../../src/temporal/devServer.js';
import { resolveTools } from '../../src/tools.js';
import { freePort } from '../faults/support/processes.js';

function listen(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

it('a taken Web UI port: the start-up error names the port and the bind failure, and nothing is left listening', async () => {
  const blocker = await listen();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-devserver-'));
  try {
    const uiPort = (blocker.address() as net.AddressInfo).port;
    const port = await freePort();
    const start = startDevServer({
      temporalPath: resolveTools().temporal,
      dataDir,
      port,
      uiPort,
      namespace: 'default',
      logger: createLogger('silent', 'test'),
    });
    const error = await start.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(DevServerExitedError);
    expect((error as DevServerExitedError).stderr).toMatch(new RegExp(`UI port ${uiPort}.*address already in use`));
    expect((error as Error).message).toContain('address already in use');
    expect(await isListening(port)).toBe(false);
  } finally {
    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
