/** `ops failed`: the requests that ended Failed, with chat, link host, failure type and reason (the old `queue:failed`). */
import { MediaHostAttribute } from '../../shared/searchAttributes.js';
import type { MediaRequestInput } from '../../shared/contracts/mediaRequest.js';
import { expectPositionals, parseChat, parseCommandArgs, parseFailureType, parseLimit, parseSince } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';
import type { OpsContext } from './context.js';
import { oneLine, table, utc } from './output.js';
import {
  chatClause,
  closedSince,
  describeFailedRun,
  failureTypeClause,
  listRuns,
  mapConcurrently,
  mediaRequestQuery,
  runFailure,
  startArguments,
  type FailedRun,
} from './runs.js';

export interface FailedFilter {
  since: Date;
  type?: string;
  chatId?: number;
  limit: number;
}

export const FILTER_OPTIONS = {
  since: { type: 'string' },
  type: { type: 'string' },
  chat: { type: 'string' },
  limit: { type: 'string' },
} as const;

export function parseFailedFilter(
  values: { since?: string; type?: string; chat?: string; limit?: string },
  now: Date,
): FailedFilter {
  return {
    since: parseSince(values.since ?? '1h', now),
    type: parseFailureType(values.type),
    chatId: parseChat(values.chat),
    limit: parseLimit(values.limit, 100),
  };
}

export interface FailedRuns {
  runs: FailedRun[];
  /** The server had `limit` runs or more to give: there may be failed runs this answer leaves out. */
  limitReached: boolean;
}

/**
 * Failed MediaRequestWorkflow runs closed since `filter.since`, newest first (at most
 * `filter.limit` read from the server). Filters by failure type and chat on the server when the
 * search attributes exist there; runs without them are read too and filtered here.
 */
export async function findFailedRuns(ctx: OpsContext, filter: FailedFilter): Promise<FailedRuns> {
  const known = await ctx.searchAttributes();
  const query = mediaRequestQuery(
    'ExecutionStatus = "Failed"',
    closedSince(filter.since),
    failureTypeClause(filter.type, known),
    chatClause(filter.chatId, known, ctx.chats),
  );
  const infos = await listRuns(ctx, query, filter.limit);
  const runs = await mapConcurrently(infos, 8, async (info) => {
    const failure = await runFailure(ctx, info.workflowId, info.runId);
    // A run without the MediaHost attribute (started before it existed): the input's first link.
    // Pseudonymous chat ids: the real chat is only in the (encrypted) input.
    const input =
      info.typedSearchAttributes.get(MediaHostAttribute) === undefined || ctx.chats.pseudonymous
        ? ((await startArguments(ctx, info.workflowId, info.runId).catch(() => []))[0] as
            Partial<MediaRequestInput> | undefined)
        : undefined;
    return describeFailedRun(info, failure, input, ctx.chats);
  });
  return {
    runs: filter.type === undefined ? runs : runs.filter((run) => run.failureType === filter.type),
    limitReached: infos.length >= filter.limit,
  };
}

/** What to tell an operator on stderr when the limit cut the list short. */
export function limitWarning(filter: FailedFilter): string {
  return `stopped at --limit ${filter.limit}: more failed requests since ${utc(filter.since)} may exist (raise --limit, or narrow --since, --type or --chat)`;
}

export function failedTable(failed: FailedRun[]): string {
  return table(
    ['WORKFLOW ID', 'CHAT', 'HOST', 'FAILURE TYPE', 'CLOSED', 'REASON'],
    failed.map((run) => [
      run.workflowId,
      run.chatId === null ? '-' : String(run.chatId),
      run.mediaHost ?? '-',
      run.failureType ?? '-',
      utc(run.closeTime ? new Date(run.closeTime) : undefined),
      oneLine(run.reason, 70),
    ]),
  );
}

type FailedArgs = CommonFlags & FailedFilter;

export const failedCommand: Command<FailedArgs> = {
  parse(args, now) {
    const { values, positionals } = parseCommandArgs('failed', args, FILTER_OPTIONS);
    expectPositionals('failed', positionals, 0, 0);
    return { ...commonFlags(values), ...parseFailedFilter(values, now) };
  },

  async run(filter, connect) {
    const { runs: failed, limitReached } = await findFailedRuns(await connect(), filter);
    const heading = `${failed.length} failed request${failed.length === 1 ? '' : 's'} since ${utc(filter.since)}${filter.type ? ` of type ${filter.type}` : ''}`;
    return {
      data: { since: filter.since.toISOString(), type: filter.type ?? null, limitReached, failed },
      text: failed.length === 0 ? heading : `${failedTable(failed)}\n\n${heading}`,
      warnings: limitReached ? [limitWarning(filter)] : [],
      exitCode: 0,
    };
  },
};
