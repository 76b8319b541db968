/**
 * One request, end to end, the two ways the benches compare: through the bot (webhook POST →
 * Temporal → workers → upload) and through the bare runner (download + upload, nothing else).
 * Both are timed in this process until the emulator has answered the upload.
 */
import type { RecordedCall } from '../../test/support/botApiEmulator.js';
import { requestKey } from '../../test/faults/support/deliveries.js';
import { createPoster } from '../../test/faults/support/httpClient.js';
import { startCli, type CliProcess } from '../../test/faults/support/processes.js';
import { WEBHOOK_PATH } from '../../src/http/app.js';
import type { BareJob } from './bareRunner.js';
import { captureStart, linkUpdate, WEBHOOK_SECRET, type BenchStack } from './stack.js';

export interface Timing {
  /** Start to the upload answered by the emulator. */
  ms: number;
  /** Start to the "⏳" acknowledgement answered (pipeline only). */
  ackMs?: number;
  /** The request's workflow (pipeline only). */
  workflowId?: string;
}

const isUpload = (key: string) => (call: RecordedCall) =>
  call.method === 'sendVideo' && call.status === 200 && requestKey(call) === key;
const isAck = (key: string) => (call: RecordedCall) =>
  call.method === 'sendMessage' &&
  call.status === 200 &&
  `${String(call.params.chat_id)}:${String((call.params.reply_parameters as { message_id?: unknown } | undefined)?.message_id)}` ===
    key;

let nextChat = 50_000_000;

export function pipelineDriver(stack: BenchStack, webhookUrl: string, timeoutMs = 300_000) {
  const poster = createPoster(webhookUrl, {
    maxSockets: 64,
    headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
  });
  return {
    async request(url: string): Promise<Timing> {
      const update = linkUpdate(url, nextChat++);
      const key = `${update.message!.chat.id}:${update.message!.message_id}`;
      const started = performance.now();
      let ackMs: number | undefined;
      const ack = stack.emulator.waitFor(isAck(key), timeoutMs).then(() => {
        ackMs = performance.now() - started;
      });
      const uploaded = stack.emulator.waitFor(isUpload(key), timeoutMs);
      // Neither may become an unhandled rejection if the request fails before they settle.
      ack.catch(() => undefined);
      uploaded.catch(() => undefined);
      const response = await poster.post(WEBHOOK_PATH, JSON.stringify(update));
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      await uploaded;
      const ms = performance.now() - started;
      await ack;
      const { workflowId } = (await captureStart(stack.config, update)).options;
      return { ms, ackMs, workflowId };
    },
    close: () => poster.close(),
  };
}

export interface BareRunner {
  proc: CliProcess;
  request(url: string): Promise<Timing>;
  stop(): Promise<void>;
}

export async function startBareRunner(
  stack: BenchStack,
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<BareRunner> {
  const proc = await startCli('bare-runner', 'bench/lib/bareRunner.ts', [], stack.env(env), { ipc: true });
  stack.processes.push(proc);
  const waiting = new Map<number, (answer: { ok: boolean; error?: string }) => void>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bare runner did not start:\n${proc.output()}`)), 60_000);
    proc.child.on('message', (message: { ready?: boolean; id?: number; ok?: boolean; error?: string }) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve();
      } else if (message.id !== undefined) {
        waiting.get(message.id)?.({ ok: message.ok ?? false, error: message.error });
        waiting.delete(message.id);
      }
    });
  });
  let nextId = 0;
  return {
    proc,
    async request(url) {
      const chatId = nextChat++;
      const job: BareJob = { id: nextId++, url, chatId, messageId: 1 };
      const started = performance.now();
      const uploaded = stack.emulator.waitFor(isUpload(`${chatId}:1`), timeoutMs).then(() => performance.now());
      uploaded.catch(() => undefined);
      const answer = new Promise<{ ok: boolean; error?: string }>((resolve) => waiting.set(job.id, resolve));
      proc.child.send(job);
      const { ok, error } = await answer;
      if (!ok) throw new Error(`bare runner: ${error}`);
      return { ms: (await uploaded) - started };
    },
    stop: () => proc.stop(5_000),
  };
}
