/**
 * `ops replay`: runs the current workflow code against exported histories, the check that a
 * workflow change is safe for the runs already in flight. Exit 1 when any history does not replay
 * (a determinism error: the code would schedule different commands than the history recorded).
 */
import { readFile } from 'node:fs/promises';
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { dataConverterFor } from '../temporal/dataConverter.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';
import { oneLine, table } from './output.js';

export interface ReplayFileResult {
  file: string;
  workflowId: string | null;
  workflowType: string | null;
  /** ok; nondeterministic: a determinism error; failed: the replay failed otherwise; unreadable: not a history file. */
  result: 'ok' | 'nondeterministic' | 'failed' | 'unreadable';
  /** What went wrong, in one sentence (Core's `[TMPRL1100] Nondeterminism error: …` when there is one). */
  error: string | null;
  /** The SDK's full message. */
  detail: string | null;
}

function essentials(message: string): string {
  return /message: "(\[TMPRL\d+\][^"]*)"/.exec(message)?.[1] ?? message;
}

type History = ReturnType<typeof historyFromJSON>;

async function load(file: string): Promise<{ history: History } | { error: string }> {
  try {
    const history = historyFromJSON(JSON.parse(await readFile(file, 'utf8')));
    if (!history.events?.[0]?.workflowExecutionStartedEventAttributes)
      return { error: 'no WorkflowExecutionStarted event: not an exported history' };
    return { history };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Replays each file (in order) with the workflows of src/worker/workers.ts WORKFLOWS_PATH.
 * `dataConverter` decrypts histories recorded with payload encryption (plaintext ones replay either way).
 */
export async function replayFiles(files: string[], dataConverter: DataConverter = {}): Promise<ReplayFileResult[]> {
  const results = new Map<string, ReplayFileResult>();
  const histories: { workflowId: string; history: History }[] = [];
  // Replay id → file.
  const fileOf = new Map<string, string>();
  for (const file of files) {
    const loaded = await load(file);
    if ('error' in loaded) {
      results.set(file, {
        file,
        workflowId: null,
        workflowType: null,
        result: 'unreadable',
        error: loaded.error,
        detail: null,
      });
      continue;
    }
    const started = loaded.history.events?.[0]?.workflowExecutionStartedEventAttributes;
    results.set(file, {
      file,
      workflowId: started?.workflowId || null,
      workflowType: started?.workflowType?.name ?? null,
      result: 'ok',
      error: null,
      detail: null,
    });
    // A run replays under its own id (a playlist names its entries after it); the file names the
    // replay when another file holds a run of the same id.
    const replayId = started?.workflowId && !fileOf.has(started.workflowId) ? started.workflowId : file;
    fileOf.set(replayId, file);
    histories.push({ workflowId: replayId, history: loaded.history });
  }
  if (histories.length > 0) {
    // Loaded only here: the other commands never need the worker's native runtime.
    const [{ Worker }, { WORKFLOWS_PATH }] = await Promise.all([
      import('@temporalio/worker'),
      import('../worker/workers.js'),
    ]);
    for await (const replayed of Worker.runReplayHistories(
      { workflowsPath: WORKFLOWS_PATH, dataConverter },
      histories,
    )) {
      const entry = results.get(fileOf.get(replayed.workflowId) ?? replayed.workflowId);
      if (!entry || !replayed.error) continue;
      entry.result = replayed.error.name === 'DeterminismViolationError' ? 'nondeterministic' : 'failed';
      entry.error = essentials(replayed.error.message);
      entry.detail = replayed.error.message;
    }
  }
  return files.map((file) => results.get(file)!);
}

type ReplayArgs = CommonFlags & { files: string[] };

export const replayCommand: Command<ReplayArgs> = {
  parse(args) {
    const { values, positionals } = parseCommandArgs('replay', args, {});
    expectPositionals(
      'replay',
      positionals,
      1,
      Infinity,
      '<file...> (histories exported with `ops export` or `temporal workflow show --output json`)',
    );
    return { ...commonFlags(values), files: [...new Set(positionals)] };
  },

  async run({ files }, _connect, config) {
    const results = await replayFiles(files, dataConverterFor(config.payloadEncryption));
    const bad = results.filter((result) => result.result !== 'ok');
    const summary =
      bad.length === 0
        ? `${results.length} of ${results.length} histories replay cleanly against the current workflow code.`
        : `${bad.length} of ${results.length} histories do not replay: deploying this workflow code would break runs like them. ` +
          'Guard the change with patched() (docs/changing-workflows.md) or keep the old code.';
    const text = `${table(
      ['FILE', 'WORKFLOW ID', 'RESULT', 'ERROR'],
      results.map((result) => [
        result.file,
        result.workflowId ?? '-',
        result.result,
        result.error ? oneLine(result.error, 160) : '',
      ]),
    )}\n\n${summary}`;
    return { data: { ok: bad.length === 0, results }, text, exitCode: bad.length === 0 ? 0 : 1 };
  },
};
