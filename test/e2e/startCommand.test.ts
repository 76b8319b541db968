import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { startBotApiEmulator, type BotApiEmulator } from '../support/botApiEmulator.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { mediaRequestWorkflowId } from '../../shared/workflowIds.js';
import { downloadEngines, downloadJobs, processesMentioning } from './support/operations.js';
import { freeStartPorts, queueLink, START_SCRIPT, startCommandEnv } from './support/startCommand.js';

/**
 * Workflow ids the Web UI server lists for a visibility query (GET, as the UI's pages do; the UI
 * server proxies Temporal's HTTP API). Polled for up to 10 s: visibility trails a run by a moment.
 */
async function uiListedWorkflowIds(uiPort: number, query: string): Promise<string[]> {
  const url = `http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { executions?: { execution?: { workflowId?: string } }[] };
    const ids = (body.executions ?? []).map((execution) => execution.execution?.workflowId ?? '');
    if (ids.length > 0 || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The pids whose parent is `pid` (`pgrep -P`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

let emulator: BotApiEmulator;
let media: MediaServer;
let dataDir: string;

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  media = await startMediaServer((await createMediaFixtures()).dir);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-start-'));
});

afterAll(async () => {
  await Promise.all([emulator?.close(), media?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * `npm start`'s process (`node src/cli/start.ts`) against the emulator, on free ports, with `env`
 * added; `viaNpm`: `npm start` itself, as a person types it (npm in front, forwarding signals).
 */
async function startBot(
  env: Record<string, string> = {},
  options: { detached?: boolean; viaNpm?: boolean } = {},
): Promise<{ bot: ResultPromise; uiPort: number }> {
  const ports = await freeStartPorts();
  const [file, args] = options.viaNpm ? ['npm', ['start']] : ['node', ['--import', 'tsx', START_SCRIPT]];
  const bot: ResultPromise = execa(file, args, {
    reject: false,
    all: true,
    detached: options.detached ?? false,
    // Not execa's default 5 s: the drain may take up to SHUTDOWN_GRACE_SECONDS (30 s), and one CI
    // run on a fresh clone took over 5 s (1.2 s usually); a hang still ends in SIGKILL.
    forceKillAfterDelay: 30_000,
    env: startCommandEnv(emulator, dataDir, ports, env),
  });
  return { bot, uiPort: ports.ui };
}

describe('the all-in-one start command', () => {
  it('runs the embedded Temporal server with its Web UI, the workers and long polling, and stops all of it on SIGTERM', async () => {
    const { bot, uiPort } = await startBot();
    try {
      queueLink(emulator, 77, 1, media.url('clip.mp4'));
      const video = await emulator.waitFor('sendVideo', 60_000);
      expect(video.failed).toBe(false);

      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      expect(ui.status).toBe(200);
      // The run is listed where the Web UI's own pages read it: the UI server's HTTP API.
      expect(
        await uiListedWorkflowIds(uiPort, `WorkflowId = '${mediaRequestWorkflowId({ chatId: 77, messageId: 1 })}'`),
      ).toEqual([mediaRequestWorkflowId({ chatId: 77, messageId: 1 })]);
      expect(processesMentioning(path.join(dataDir, 'temporal.sqlite'))).toHaveLength(1);
      // The downloads worker's warm engine, which must go with it.
      expect(downloadEngines(dataDir)).toHaveLength(1);
    } finally {
      bot.kill('SIGTERM');
    }
    const signalledAt = Date.now();
    const exited = await bot;
    process.stdout.write(
      `[start command] SIGTERM → exit ${exited.exitCode ?? exited.signal} after ${Date.now() - signalledAt} ms\n`,
    );
    if (exited.exitCode !== 0)
      process.stdout.write(
        `[start command] did not exit cleanly; its last lines:\n${String(exited.all).split('\n').slice(-30).join('\n')}\n`,
      );
    expect({ exitCode: exited.exitCode, signal: exited.signal }).toEqual({ exitCode: 0, signal: undefined });
    expect(exited.all).toContain('shutting down');
    expect(processesMentioning(path.join(dataDir, 'temporal.sqlite'))).toEqual([]);
    expect(downloadJobs(dataDir)).toEqual([]);
    expect(downloadEngines(dataDir)).toEqual([]);
    expect(processesMentioning(`${dataDir}/downloads`)).toEqual([]);
  });

  it('on Ctrl-C (SIGINT to the whole foreground process group) keeps Temporal up until the workers have drained, then stops it', async () => {
    // Tried: `npm start`'s process tree as a terminal runs it, its own process group, with a
    // download running (a throttled file), and Ctrl-C sent to the group as a terminal does.
    media.throttle('tone.mp3', 2_000);
    const { bot } = await startBot({ SHUTDOWN_GRACE_SECONDS: '3' }, { detached: true });
    const server = path.join(dataDir, 'temporal.sqlite');
    try {
      queueLink(emulator, 78, 2, media.url('tone.mp3'));
      const deadline = Date.now() + 60_000;
      // A download is running: the engine's job child for it.
      while (downloadJobs(dataDir).length === 0) {
        if (Date.now() > deadline) throw new Error('the download did not start');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(processesMentioning(server)).toHaveLength(1);
    } finally {
      process.kill(-bot.pid!, 'SIGINT');
    }
    // The downloads worker lets the running download go on for its 3 s grace: Temporal must still
    // be there for it (a server that took the Ctrl-C itself would be gone by now).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(processesMentioning(server)).toHaveLength(1);

    const exited = await bot;
    expect({ exitCode: exited.exitCode, signal: exited.signal }).toEqual({ exitCode: 0, signal: undefined });
    expect(exited.all).toContain('"signal":"SIGINT","msg":"shutting down"');
    expect(processesMentioning(server)).toEqual([]);
    expect(downloadJobs(dataDir)).toEqual([]);
    expect(downloadEngines(dataDir)).toEqual([]);
    expect(processesMentioning(`${dataDir}/downloads`)).toEqual([]);
  });

  it('`npm start` stopped once drains and exits 0, though the signal reaches the bot twice', async () => {
    // Tried: `npm start` itself in its own process group, as a terminal or a process manager runs
    // it, and SIGTERM to the group. The bot gets it from the group signal and again from npm, which
    // forwards it; when both land before the bot's handler runs the kernel merges them, so the
    // copy is sent here once more, 200 ms later, as npm's forward arrives on a busy machine. It is
    // the same stop, not a second one asking to exit at once (exit 1, no drain).
    const { bot } = await startBot({}, { detached: true, viaNpm: true });
    try {
      queueLink(emulator, 79, 3, media.url('clip.mp4'));
      const video = await emulator.waitFor(
        (call) => call.method === 'sendVideo' && Number(call.params.chat_id) === 79,
        120_000,
      );
      expect(video.failed).toBe(false);
    } finally {
      process.kill(-bot.pid!, 'SIGTERM');
    }
    const [startProcess] = childrenOf(bot.pid!);
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (startProcess !== undefined) process.kill(startProcess, 'SIGTERM');
    const exited = await bot;
    expect(startProcess).toBeDefined();
    expect({ exitCode: exited.exitCode, signal: exited.signal }).toEqual({ exitCode: 0, signal: undefined });
    expect(String(exited.all).match(/"msg":"shutting down"/g)).toHaveLength(1);
    expect(exited.all).not.toContain('second signal');
    expect(processesMentioning(path.join(dataDir, 'temporal.sqlite'))).toEqual([]);
    expect(downloadEngines(dataDir)).toEqual([]);
  });
});
