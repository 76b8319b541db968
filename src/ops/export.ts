/**
 * `ops export`: a run's history as JSON, in the format of `temporal workflow show --output json`
 * (proto3 JSON, `{"events": [...]}`), which `ops replay`, `npm test` and the Temporal tools read.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';

type ExportArgs = CommonFlags & { workflowId: string; file?: string; runId?: string };

export const exportCommand: Command<ExportArgs> = {
  parse(args) {
    const { values, positionals } = parseCommandArgs('export', args, { 'run-id': { type: 'string' } });
    expectPositionals('export', positionals, 1, 2, '<workflowId>');
    return { ...commonFlags(values), workflowId: positionals[0]!, file: positionals[1], runId: values['run-id'] };
  },

  async run({ workflowId, file, runId }, connect) {
    const ctx = await connect();
    let pinned: string;
    try {
      // Pin the run first, so the history and the run id reported belong together.
      pinned = runId ?? (await ctx.client.workflow.getHandle(workflowId).describe()).runId;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return {
        data: { workflowId, exported: false, reason: 'not found' },
        text: `${workflowId}: no such workflow in namespace ${ctx.namespace}`,
        exitCode: 1,
      };
    }
    const history = await ctx.client.workflow.getHandle(workflowId, pinned).fetchHistory();
    const text = `${historyToJSON(history)}\n`;
    const events = history.events?.length ?? 0;
    if (file === undefined || file === '-') {
      // The history is the output, with or without --json.
      return { data: JSON.parse(text) as unknown, text: text.trimEnd(), exitCode: 0 };
    }
    await writeFile(file, text);
    return {
      data: { workflowId, runId: pinned, file: path.resolve(file), events },
      text: `Wrote ${events} events of ${workflowId} (run ${pinned}) to ${file}`,
      exitCode: 0,
    };
  },
};
