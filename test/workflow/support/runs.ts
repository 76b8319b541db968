/** Running a MediaRequestWorkflow on the tier's workers, and reading how it ended. */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MediaRequestWorkflow } from '../../../workflows/index.js';
import { TELEGRAM_QUEUE } from '../../../shared/taskQueues.js';
import type { MediaRequestInput, MediaRequestResult } from '../../../shared/contracts/mediaRequest.js';
import type { QueueActivities, WorkflowTier } from './workflowEnvironment.js';

/** Starts the request as the webhook does (on the `telegram` queue) and waits for its result. */
export function executeRequest(
  tier: WorkflowTier,
  input: MediaRequestInput,
  queues: QueueActivities,
): Promise<MediaRequestResult> {
  return tier.withWorkers(queues, () =>
    tier.client.workflow.execute(MediaRequestWorkflow, {
      taskQueue: TELEGRAM_QUEUE,
      workflowId: tier.uniqueId('media-request'),
      args: [input],
    }),
  );
}

/** Starts the request, lets `during` act on the running run, then waits for its result. */
export function duringRequest<T>(
  tier: WorkflowTier,
  input: MediaRequestInput,
  queues: QueueActivities,
  during: (handle: WorkflowHandle<typeof MediaRequestWorkflow>) => Promise<T>,
): Promise<MediaRequestResult> {
  return tier.withWorkers(queues, async () => {
    const handle = await tier.client.workflow.start(MediaRequestWorkflow, {
      taskQueue: TELEGRAM_QUEUE,
      workflowId: tier.uniqueId('media-request'),
      args: [input],
    });
    await during(handle);
    return handle.result();
  });
}

/** The typed failure a run ended with (the workflow's own ApplicationFailure). */
export async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure)) {
    throw new Error(`expected the run to fail with an ApplicationFailure, got ${String(error)}`);
  }
  return error.cause;
}

/** Whether a run ended cancelled. */
export async function endedCancelled(run: Promise<unknown>): Promise<boolean> {
  const error = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  return error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure;
}
