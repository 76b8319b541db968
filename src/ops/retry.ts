/**
 * `ops retry`: runs a failed request again (the old `queue:retry`). The new run has the same
 * workflow id and the same input, read from the failed run's WorkflowExecutionStarted event, and
 * is started with WorkflowIdReusePolicy ALLOW_DUPLICATE_FAILED_ONLY and conflict policy FAIL:
 * Temporal itself refuses it while a run of that id is running or after one completed, so a
 * delivered request is never delivered twice, whatever two operators do at the same time.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { FailureType } from '../../shared/failures.js';
import { ChatIdAttribute, mediaHostOf, MediaHostAttribute } from '../../shared/searchAttributes.js';
import type { MediaRequestInput } from '../../shared/contracts/mediaRequest.js';
import type { ChatIds } from '../../shared/chatPseudonyms.js';
import { expectPositionals, parseCommandArgs, UsageError } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';
import type { OpsContext } from './context.js';
import { FILTER_OPTIONS, findFailedRuns, limitWarning, parseFailedFilter, type FailedFilter } from './failed.js';
import { table, utc } from './output.js';
import { mapConcurrently, startArguments } from './runs.js';

/** Runs that ended without delivering and that nobody chose to stop. */
const RETRYABLE: readonly WorkflowExecutionStatusName[] = ['FAILED', 'TIMED_OUT', 'TERMINATED'];

const REFUSALS: Partial<Record<WorkflowExecutionStatusName, string>> = {
  RUNNING: 'is running; a request is never started twice',
  COMPLETED: 'completed (delivered); a delivered request is never started again',
  CANCELLED: 'was cancelled (by the person or an operator); not started again',
};

export const DUPLICATES_NOTE =
  'A retry is a new run with the same workflow id and input, started with WorkflowIdReusePolicy ALLOW_DUPLICATE_FAILED_ONLY: ' +
  'Temporal refuses it while the request runs or once it was delivered, so nothing is started or sent twice.';

export interface RetryOutcome {
  workflowId: string;
  /** retried: a new run started; would-retry: --dry-run; skipped: --all-failed found it retried already; refused: not retryable. */
  result: 'retried' | 'would-retry' | 'skipped' | 'refused';
  /** Status of the latest run before the retry. */
  previousStatus: WorkflowExecutionStatusName | null;
  previousRunId: string | null;
  /** The new run. */
  runId: string | null;
  reason: string | null;
}

/** ChatId and MediaHost as the starter sets them: the failed run's values, else from its input. */
function keptSearchAttributes(
  current: { get: (key: typeof ChatIdAttribute | typeof MediaHostAttribute) => string | number | undefined },
  input: Partial<MediaRequestInput> | undefined,
  known: ReadonlySet<string> | undefined,
  chats: ChatIds,
): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [];
  const fromInput =
    known?.has(ChatIdAttribute.name) && input?.chatId !== undefined ? chats.searchValue(input.chatId) : undefined;
  const chatId = (current.get(ChatIdAttribute) as number | undefined) ?? fromInput;
  if (typeof chatId === 'number') pairs.push({ key: ChatIdAttribute, value: chatId });
  const firstLink = input?.links?.[0];
  const host =
    (current.get(MediaHostAttribute) as string | undefined) ??
    (known?.has(MediaHostAttribute.name) && firstLink ? mediaHostOf(firstLink) : undefined);
  if (host !== undefined) pairs.push({ key: MediaHostAttribute, value: host });
  return pairs;
}

export async function retryRequest(
  ctx: OpsContext,
  workflowId: string,
  options: { dryRun?: boolean } = {},
): Promise<RetryOutcome> {
  const outcome = (result: RetryOutcome['result'], rest: Partial<RetryOutcome>): RetryOutcome => ({
    workflowId,
    result,
    previousStatus: null,
    previousRunId: null,
    runId: null,
    reason: null,
    ...rest,
  });
  let description;
  try {
    description = await ctx.client.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      return outcome('refused', { reason: 'no such workflow in this namespace' });
    throw error;
  }
  const previous = { previousStatus: description.status.name, previousRunId: description.runId };
  if (!RETRYABLE.includes(description.status.name)) {
    return outcome('refused', {
      ...previous,
      reason: REFUSALS[description.status.name] ?? `is ${description.status.name}; only failed runs are retried`,
    });
  }
  const args = await startArguments(ctx, workflowId, description.runId);
  if (options.dryRun) return outcome('would-retry', previous);

  const typedSearchAttributes = keptSearchAttributes(
    description.typedSearchAttributes,
    args[0] as Partial<MediaRequestInput> | undefined,
    await ctx.searchAttributes(),
    ctx.chats,
  );
  const staticSummary = await description.staticSummary().catch(() => undefined);
  try {
    const handle = await ctx.client.workflow.start(description.type, {
      taskQueue: description.taskQueue,
      workflowId,
      args,
      // The guard against duplicates is Temporal's, not this check's: see DUPLICATES_NOTE.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      workflowIdConflictPolicy: 'FAIL',
      ...(typedSearchAttributes.length > 0 ? { typedSearchAttributes } : {}),
      ...(staticSummary ? { staticSummary } : {}),
    });
    return outcome('retried', { ...previous, runId: handle.firstExecutionRunId });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return outcome('refused', {
        ...previous,
        reason: 'Temporal refused the start: a run of this id is running or completed (ALLOW_DUPLICATE_FAILED_ONLY)',
      });
    }
    throw error;
  }
}

/**
 * Every request that failed in the window, once per workflow id; those retried since are skipped.
 * Quota refusals are left out unless asked for with `--type QuotaExceeded`: the person was told to
 * send the link again, and a retry would deliver it a second time.
 */
export async function retryAllFailed(
  ctx: OpsContext,
  filter: FailedFilter,
  options: { dryRun?: boolean } = {},
): Promise<{ outcomes: RetryOutcome[]; limitReached: boolean }> {
  const { runs, limitReached } = await findFailedRuns(ctx, filter);
  const failed = runs.filter((run) => filter.type !== undefined || run.failureType !== FailureType.QuotaExceeded);
  const ids = [...new Set(failed.map((run) => run.workflowId))];
  const outcomes = await mapConcurrently(ids, 4, (workflowId) => retryRequest(ctx, workflowId, options));
  // A failed run whose id has a newer run (running, delivered, cancelled): retried already.
  return {
    outcomes: outcomes.map((outcome) =>
      outcome.result === 'refused' && outcome.previousStatus !== null && !RETRYABLE.includes(outcome.previousStatus)
        ? { ...outcome, result: 'skipped', reason: `retried already: the latest run ${outcome.reason}` }
        : outcome,
    ),
    limitReached,
  };
}

export function retryText(outcomes: RetryOutcome[]): string {
  if (outcomes.length === 0) return `Nothing to retry.\n${DUPLICATES_NOTE}`;
  const rows = outcomes.map((outcome) => [
    outcome.workflowId,
    outcome.result,
    outcome.result === 'retried'
      ? `new run ${outcome.runId} (the ${outcome.previousStatus?.toLowerCase()} run was ${outcome.previousRunId})`
      : outcome.result === 'would-retry'
        ? `latest run ${outcome.previousRunId} is ${outcome.previousStatus?.toLowerCase()}`
        : (outcome.reason ?? ''),
  ]);
  return `${table(['WORKFLOW ID', 'RESULT', 'DETAIL'], rows)}\n\n${DUPLICATES_NOTE}`;
}

type RetryArgs = CommonFlags &
  ({ workflowId: string; all?: undefined } | { all: FailedFilter & { dryRun: boolean }; workflowId?: undefined });

export const retryCommand: Command<RetryArgs> = {
  parse(args, now) {
    const { values, positionals } = parseCommandArgs('retry', args, {
      ...FILTER_OPTIONS,
      'all-failed': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    });
    const common = commonFlags(values);
    if (values['all-failed']) {
      expectPositionals('retry --all-failed', positionals, 0, 0);
      return { ...common, all: { ...parseFailedFilter(values, now), dryRun: values['dry-run'] === true } };
    }
    const filters = (['since', 'type', 'chat', 'limit', 'dry-run'] as const).filter(
      (name) => values[name] !== undefined && values[name] !== false,
    );
    if (filters.length > 0) throw new UsageError(`retry: --${filters[0]} goes with --all-failed`);
    expectPositionals('retry', positionals, 1, 1, '<workflowId> (or --all-failed)');
    return { ...common, workflowId: positionals[0]! };
  },

  async run(parsed, connect) {
    const ctx = await connect();
    const { outcomes, limitReached } = parsed.all
      ? await retryAllFailed(ctx, parsed.all, { dryRun: parsed.all.dryRun })
      : { outcomes: [await retryRequest(ctx, parsed.workflowId)], limitReached: false };
    const refused = outcomes.some((outcome) => outcome.result === 'refused');
    const header = parsed.all
      ? `Failed requests since ${utc(parsed.all.since)}${parsed.all.type ? ` of type ${parsed.all.type}` : ''}${parsed.all.dryRun ? ' (dry run: nothing started)' : ''}\n`
      : '';
    return {
      data: {
        retried: outcomes.filter((outcome) => outcome.result === 'retried').length,
        limitReached,
        outcomes,
        note: DUPLICATES_NOTE,
      },
      text: header + retryText(outcomes),
      // Running it again would not reach the rest: the runs retried now stay Failed, and first.
      warnings: parsed.all && limitReached ? [limitWarning(parsed.all)] : [],
      exitCode: refused ? 1 : 0,
    };
  },
};
