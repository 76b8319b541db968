/**
 * The bot's own Prometheus metrics, next to the Temporal SDK's (`temporal_*`) on the same
 * `/metrics` endpoint. Dependency-free: imported by the workflow interceptor (bundled into the
 * workflow sandbox), by activities and by the webhook.
 */

/** Counter: media requests (MediaRequestWorkflow runs) that ended, by `outcome` and `failure_type`. */
export const REQUESTS_TOTAL = 'media_bot_requests_total';
/** Counter: links of those requests, by `outcome` and `failure_type` (a message may carry up to 10). */
export const LINKS_TOTAL = 'media_bot_links_total';
/** Counter: bytes of the media files downloads produced (successful attempts). */
export const DOWNLOAD_BYTES_TOTAL = 'media_bot_download_bytes_total';
/** Histogram: seconds one download attempt took, by `outcome` (ok, failed, cancelled). */
export const DOWNLOAD_SECONDS = 'media_bot_download_seconds';
/** Histogram: seconds the webhook took to answer Telegram, by HTTP `status`. */
export const WEBHOOK_SECONDS = 'media_bot_webhook_seconds';

/** Bucket boundaries (seconds) of the bot's histograms. */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [DOWNLOAD_SECONDS]: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200],
  [WEBHOOK_SECONDS]: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
};
