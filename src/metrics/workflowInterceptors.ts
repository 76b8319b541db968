/**
 * Workflow interceptor (bundled into the workflow sandbox by the telegram worker): counts every
 * MediaRequestWorkflow run that ends, by outcome and failure type, through the workflow's
 * `metricMeter`. That meter skips replays, so a run counts once however often a worker replays
 * its history, and its values land on the worker's Prometheus endpoint like the SDK's own.
 * It only observes the result: no commands, nothing that could change a replay.
 */
import {
  ApplicationFailure,
  isCancellation,
  metricMeter,
  TemporalFailure,
  workflowInfo,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { MEDIA_REQUEST_WORKFLOW } from '../../shared/contracts/mediaRequest.js';
import { LINKS_TOTAL, REQUESTS_TOTAL } from '../../shared/metricNames.js';

interface LinkTally {
  outcome?: unknown;
  failureType?: unknown;
}

function countLinks(links: unknown): void {
  if (!Array.isArray(links)) return;
  const counter = metricMeter.createCounter(
    LINKS_TOTAL,
    undefined,
    'Links of media requests that ended, by outcome and failure type.',
  );
  for (const link of links as LinkTally[]) {
    counter.add(1, {
      outcome: String(link.outcome ?? 'unknown'),
      failure_type: typeof link.failureType === 'string' ? link.failureType : '',
    });
  }
}

function countRequest(outcome: string, failureType = ''): void {
  metricMeter
    .createCounter(
      REQUESTS_TOTAL,
      undefined,
      'Media requests (MediaRequestWorkflow runs) that ended, by outcome and failure type.',
    )
    .add(1, { outcome, failure_type: failureType });
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        if (workflowInfo().workflowType !== MEDIA_REQUEST_WORKFLOW) return next(input);
        try {
          const result = (await next(input)) as { outcome?: unknown; links?: unknown } | undefined;
          countRequest(String(result?.outcome ?? 'delivered'));
          countLinks(result?.links);
          return result;
        } catch (error) {
          if (isCancellation(error)) {
            countRequest('cancelled');
          } else if (error instanceof TemporalFailure) {
            // Only a TemporalFailure fails the run; anything else fails the workflow task, which is retried.
            const type = error instanceof ApplicationFailure ? (error.type ?? 'Error') : error.name;
            countRequest('failed', type);
            const details =
              error instanceof ApplicationFailure ? (error.details?.[0] as { links?: unknown } | undefined) : undefined;
            countLinks(details?.links);
          }
          throw error;
        }
      },
    },
  ],
});
