import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle } from '../support/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const HISTORIES_DIR = path.join(here, '../histories');

/** The committed histories, exported from real runs with `temporal workflow show --output json`. */
async function recordedHistories() {
  const files = (await readdir(HISTORIES_DIR)).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (name) => ({
      workflowId: name.replace(/\.json$/, ''),
      text: await readFile(path.join(HISTORIES_DIR, name), 'utf8'),
    })),
  );
}

async function replayAll(bundle: Awaited<ReturnType<typeof workflowBundle>>): Promise<ReplayResult[]> {
  const histories = (await recordedHistories()).map(({ workflowId, text }) => ({ workflowId, history: JSON.parse(text) as unknown }));
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) results.push(result);
  return results;
}

describe('recorded workflow histories', () => {
  it('cover the delivered, cached, retried, failed, partial and cancelled paths', async () => {
    const names = (await recordedHistories()).map((history) => history.workflowId);
    expect(names).toEqual(
      expect.arrayContaining([
        'delivered-video',
        'delivered-from-cache',
        'delivered-after-retries',
        'failed-content-unavailable',
        'failed-unsupported-url',
        'partial-two-links',
        'cancelled-mid-download',
      ]),
    );
  });

  it('replay cleanly against the current workflow code', async () => {
    const results = await replayAll(await workflowBundle());
    expect(results.length).toBeGreaterThanOrEqual(7);
    expect(results.map((result) => ({ id: result.workflowId, error: result.error?.message }))).toEqual(
      results.map((result) => ({ id: result.workflowId, error: undefined })),
    );
  });

  it('fail to replay against a workflow that reorders its activities', async () => {
    const incompatible = await bundleWorkflowCode({
      workflowsPath: path.join(here, '../support/incompatible-workflows/index.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const results = await replayAll(incompatible);
    expect(results.length).toBeGreaterThanOrEqual(7);
    for (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  });

  it('do not contain the bot token', async () => {
    for (const { workflowId, text } of await recordedHistories()) {
      const decoded = text.replace(/"data": "([A-Za-z0-9+/=]+)"/g, (_match, data: string) => Buffer.from(data, 'base64').toString('utf8'));
      expect({ workflowId, leaks: decoded.includes('TEST-token') || /bot\d+:/.test(decoded) }).toEqual({ workflowId, leaks: false });
      expect(decoded).toContain('http://127.0.0.1:');
    }
  });
});
