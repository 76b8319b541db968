/**
 * Prometheus metrics of a process: the Temporal SDK's own (workers, pollers, task latencies,
 * `temporal_*`) and the bot's (`media_bot_*`, see ./names.ts), served by the SDK runtime's
 * exporter on METRICS_PORT at `/metrics`. One endpoint per process, no extra dependency.
 *
 * Where the bot's metrics come from:
 * - requests and links by outcome: a workflow interceptor (./workflowInterceptors.ts) through the
 *   workflow `metricMeter` (replay-aware in SDK 1.24), on the process that runs workflow tasks;
 * - download bytes and seconds: `downloadMedia`, through the activity context's `metricMeter`;
 * - webhook latency: the webhook server, through {@link botMetricMeter}.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import type { RuntimeOptions } from '@temporalio/worker';
import { HISTOGRAM_BUCKETS } from '../../shared/metricNames.js';

export * from '../../shared/metricNames.js';

/** The workflow interceptor module the telegram worker bundles with the workflows. */
export const WORKFLOW_METRICS_INTERCEPTOR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  'workflowInterceptors.ts',
);

let meter: MetricMeter = noopMetricMeter;

/** Runtime telemetry options that serve `/metrics` on `host:port`; undefined when metrics are off. */
export function metricsTelemetry(
  port: number | undefined,
  host = '0.0.0.0',
): RuntimeOptions['telemetryOptions'] | undefined {
  if (port === undefined) return undefined;
  return {
    metrics: {
      prometheus: {
        bindAddress: `${host.includes(':') ? `[${host}]` : host}:${port}`,
        histogramBucketOverrides: HISTOGRAM_BUCKETS,
      },
    },
  };
}

/** Called once the Runtime is installed: the bot's own metrics go to its meter. */
export function useMetricMeter(runtimeMeter: MetricMeter): void {
  meter = runtimeMeter;
}

/** The process's meter: the SDK runtime's when METRICS_PORT is set, a no-op otherwise (and in tests). */
export function botMetricMeter(): MetricMeter {
  return meter;
}
