import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { chooseWorkerQueue } from '../../src/cli/workerQueue.js';

const QUEUES = ['downloads', 'telegram'];
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('chooseWorkerQueue', () => {
  it('takes --queue, else WORKER_QUEUE; the flag wins', () => {
    expect(chooseWorkerQueue('downloads', {}, QUEUES)).toEqual({ queue: 'downloads' });
    expect(chooseWorkerQueue(undefined, { WORKER_QUEUE: 'telegram' }, QUEUES)).toEqual({ queue: 'telegram' });
    expect(chooseWorkerQueue('downloads', { WORKER_QUEUE: 'telegram' }, QUEUES)).toEqual({ queue: 'downloads' });
    // An env value the flag overrides is not checked: the flag is what the process serves.
    expect(chooseWorkerQueue('telegram', { WORKER_QUEUE: 'bogus' }, QUEUES)).toEqual({ queue: 'telegram' });
  });

  it('names both --queue and WORKER_QUEUE when neither is given (an empty variable is unset)', () => {
    for (const env of [{}, { WORKER_QUEUE: '' }, { WORKER_QUEUE: '  ' }]) {
      expect(chooseWorkerQueue(undefined, env, QUEUES)).toEqual({
        error: 'no task queue: pass --queue downloads|telegram or set WORKER_QUEUE',
      });
    }
  });

  it('names where a wrong queue came from', () => {
    expect(chooseWorkerQueue('uploads', { WORKER_QUEUE: 'telegram' }, QUEUES)).toEqual({
      error: '--queue must be downloads|telegram, got "uploads"',
    });
    expect(chooseWorkerQueue(undefined, { WORKER_QUEUE: 'uploads' }, QUEUES)).toEqual({
      error: 'WORKER_QUEUE must be downloads|telegram, got "uploads" (--queue overrides it)',
    });
  });
});

describe('npm run worker without a queue', () => {
  it('exits 2 before reading the config or connecting, naming --queue and WORKER_QUEUE', async () => {
    // Tried: the worker CLI itself, with no --queue, WORKER_QUEUE empty and no token (the queue is checked first).
    const run = await execa(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts'], {
      cwd: ROOT,
      reject: false,
      env: { WORKER_QUEUE: '', TELEGRAM_BOT_TOKEN: '', TEMPORAL_ADDRESS: '127.0.0.1:1' },
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: no task queue: pass --queue downloads|telegram or set WORKER_QUEUE');
    expect(run.stdout).toBe('');
  }, 30_000);
});
