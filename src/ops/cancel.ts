/** `ops cancel`: asks a running request to stop; the workflow tells the person and cleans up. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { expectPositionals, parseCommandArgs } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';

type CancelArgs = CommonFlags & { workflowId: string };

export const cancelCommand: Command<CancelArgs> = {
  parse(args) {
    const { values, positionals } = parseCommandArgs('cancel', args, {});
    expectPositionals('cancel', positionals, 1, 1, '<workflowId>');
    return { ...commonFlags(values), workflowId: positionals[0]! };
  },

  async run({ workflowId }, connect) {
    const ctx = await connect();
    let description;
    try {
      description = await ctx.client.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return {
        data: { workflowId, cancelRequested: false, reason: 'not found' },
        text: `${workflowId}: no such workflow in namespace ${ctx.namespace}`,
        exitCode: 1,
      };
    }
    const { runId, status } = description;
    if (status.name !== 'RUNNING') {
      return {
        data: { workflowId, runId, status: status.name, cancelRequested: false, reason: 'not running' },
        text: `${workflowId} is ${status.name.toLowerCase()}, not running: nothing to cancel`,
        exitCode: 1,
      };
    }
    // Pinned to the run just described: a newer run (a retry) is never cancelled by mistake.
    await ctx.client.workflow.getHandle(workflowId, runId).cancel();
    return {
      data: { workflowId, runId, status: status.name, cancelRequested: true },
      text: `Cancellation requested for ${workflowId} (run ${runId}): the download stops, the person reads that it was cancelled, the files are removed.`,
      exitCode: 0,
    };
  },
};
