/**
 * What the ops commands read from Temporal about MediaRequestWorkflow runs: visibility queries,
 * the start and close events of a run, and the facts an operator wants from them.
 */
import type { WorkflowExecutionInfo, WorkflowService } from '@temporalio/client';
import {
  decodeArrayFromPayloads,
  decodeOptionalFailureToOptionalError,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import {
  ChatIdAttribute,
  FailureTypeAttribute,
  mediaHostOf,
  MediaHostAttribute,
} from '../../shared/searchAttributes.js';
import { MEDIA_REQUEST_WORKFLOW, type MediaRequestInput } from '../../shared/contracts/mediaRequest.js';
import { PLAIN_CHAT_IDS, type ChatIds } from '../../shared/chatPseudonyms.js';
import { mediaRequestIdPrefix } from '../../shared/workflowIds.js';
import type { OpsContext } from './context.js';

type HistoryResponse = Awaited<ReturnType<WorkflowService['getWorkflowExecutionHistory']>>;
type HistoryEvent = NonNullable<NonNullable<HistoryResponse['history']>['events']>[number];
type Failure = NonNullable<NonNullable<HistoryEvent['workflowExecutionFailedEventAttributes']>['failure']>;

/** HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT */
const CLOSE_EVENT_ONLY = 2;

/** A visibility query over MediaRequestWorkflow runs. */
export function mediaRequestQuery(...clauses: (string | undefined)[]): string {
  return [
    `WorkflowType = "${MEDIA_REQUEST_WORKFLOW}"`,
    ...clauses.filter((clause): clause is string => Boolean(clause)),
  ].join(' AND ');
}

export function closedSince(since: Date): string {
  return `CloseTime > "${since.toISOString()}"`;
}

/** `media-request-<chat>-<message>` (group chat ids are negative). */
export function chatIdFromWorkflowId(workflowId: string): number | undefined {
  const match = /^media-request-(-?\d+)-\d+$/.exec(workflowId);
  return match ? Number(match[1]) : undefined;
}

/**
 * A filter on one chat: by the ChatId attribute when the server has it, else by the workflow id.
 * Runs started without the attribute (before it existed, or by hand) are matched by their
 * workflow id: a clause on ChatId alone would silently skip them. With payload encryption both
 * carry the chat's pseudonym (`chats`), computed here from the id.
 */
export function chatClause(
  chatId: number | undefined,
  known: ReadonlySet<string> | undefined,
  chats: ChatIds = PLAIN_CHAT_IDS,
): string | undefined {
  if (chatId === undefined) return undefined;
  const byWorkflowId = `WorkflowId STARTS_WITH "${mediaRequestIdPrefix(chatId, chats)}"`;
  if (!known?.has(ChatIdAttribute.name)) return byWorkflowId;
  return `(${ChatIdAttribute.name} = ${chats.searchValue(chatId)} OR (${ChatIdAttribute.name} IS NULL AND ${byWorkflowId}))`;
}

/**
 * A filter on the failure type, for the server when it has the FailureType attribute. Runs
 * without it (closed before the outcome patch, or never tagged) are let through: their type is
 * read from the run's failure and filtered on the client.
 */
export function failureTypeClause(
  type: string | undefined,
  known: ReadonlySet<string> | undefined,
): string | undefined {
  if (type === undefined || !known?.has(FailureTypeAttribute.name)) return undefined;
  return `(${FailureTypeAttribute.name} = "${type}" OR ${FailureTypeAttribute.name} IS NULL)`;
}

/** The failure type (innermost ApplicationFailure type, outermost first) and the message of a run's failure. */
export function readFailure(failure: Failure | null | undefined): { type?: string; message: string } {
  let type: string | undefined;
  for (let current = failure; current && !type; current = current.cause) {
    type = current.applicationFailureInfo?.type || undefined;
    if (!type && current.timeoutFailureInfo) type = 'Timeout';
  }
  return { type, message: failure?.message ?? '' };
}

/** The event that closed a run (one event, not the whole history). */
export async function closeEvent(
  ctx: OpsContext,
  workflowId: string,
  runId: string,
): Promise<HistoryEvent | undefined> {
  const response = await ctx.client.workflowService.getWorkflowExecutionHistory({
    namespace: ctx.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: CLOSE_EVENT_ONLY,
  });
  return response.history?.events?.[0] ?? undefined;
}

/**
 * The failure recorded in a closed run's last event (failed, timed out or terminated). With
 * payload encryption its message is an encrypted payload ("Encoded failure" in the event): it is
 * decoded with the client's converter; without the keys it stays "Encoded failure".
 */
export async function runFailure(
  ctx: OpsContext,
  workflowId: string,
  runId: string,
): Promise<{ type?: string; message: string }> {
  const event = await closeEvent(ctx, workflowId, runId);
  if (event?.workflowExecutionFailedEventAttributes) {
    const { failure } = event.workflowExecutionFailedEventAttributes;
    const read = readFailure(failure);
    const decoded = await decodeOptionalFailureToOptionalError(ctx.client.options.loadedDataConverter, failure).catch(
      () => undefined,
    );
    return { ...read, message: decoded?.message ?? read.message };
  }
  if (event?.workflowExecutionTimedOutEventAttributes) return { type: 'Timeout', message: 'the workflow timed out' };
  if (event?.workflowExecutionTerminatedEventAttributes)
    return { type: 'Terminated', message: event.workflowExecutionTerminatedEventAttributes.reason ?? 'terminated' };
  return { message: '' };
}

/** The arguments a run was started with, read (and decrypted) from its WorkflowExecutionStarted event. */
export async function startArguments(ctx: OpsContext, workflowId: string, runId: string): Promise<unknown[]> {
  const response = await ctx.client.workflowService.getWorkflowExecutionHistory({
    namespace: ctx.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${workflowId} (run ${runId}) has no WorkflowExecutionStarted event`);
  return decodeArrayFromPayloads(ctx.client.options.loadedDataConverter, started.input?.payloads);
}

export interface FailedRun {
  workflowId: string;
  runId: string;
  chatId: number | null;
  mediaHost: string | null;
  failureType: string | null;
  reason: string;
  closeTime: string | null;
}

/**
 * A failed run as an operator reads it. The search attributes are used when the run carries them;
 * otherwise the chat comes from the workflow id, the host from the first link of the input and
 * the failure type from the ApplicationFailure that ended the run. With pseudonymous chat ids
 * (`chats`) the ChatId attribute is a pseudonym: the chat is the input's, when it could be read.
 */
export function describeFailedRun(
  info: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'closeTime' | 'typedSearchAttributes'>,
  failure: { type?: string; message: string },
  input?: Partial<MediaRequestInput>,
  chats: ChatIds = PLAIN_CHAT_IDS,
): FailedRun {
  const attributes = info.typedSearchAttributes;
  const chatId = chats.pseudonymous
    ? input?.chatId
    : (attributes.get(ChatIdAttribute) ?? input?.chatId ?? chatIdFromWorkflowId(info.workflowId));
  const firstLink = input?.links?.[0];
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    chatId: chatId ?? null,
    mediaHost: attributes.get(MediaHostAttribute) ?? (firstLink ? mediaHostOf(firstLink) : null),
    failureType: attributes.get(FailureTypeAttribute) ?? failure.type ?? null,
    reason: failure.message,
    closeTime: info.closeTime?.toISOString() ?? null,
  };
}

/** Runs `work` over `items`, `concurrency` at a time, results in order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** At most `limit` runs matching `query`: running ones first, then the most recently closed. */
export async function listRuns(ctx: OpsContext, query: string, limit: number): Promise<WorkflowExecutionInfo[]> {
  const runs: WorkflowExecutionInfo[] = [];
  for await (const info of ctx.client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    runs.push(info);
    if (runs.length >= limit) break;
  }
  // Running runs (no close time) first, then by close time; ties by start time.
  const key = (run: WorkflowExecutionInfo) => run.closeTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return runs.sort((a, b) => key(b) - key(a) || b.startTime.getTime() - a.startTime.getTime());
}
