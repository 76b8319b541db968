/**
 * `npm run bench:e2e-overhead`: what Temporal and the workflow add to one request, end to end.
 *
 * Pipeline: the webhook POST of an update with a link to a small mp4 (3 s, 320×240 H.264/AAC,
 * 45 kB) on a loopback media server, until the Bot API emulator has answered the upload; the
 * webhook, a telegram worker and a downloads worker are separate processes (the project's CLI),
 * Temporal is the embedded dev server (SQLite, WAL).
 * Bare baseline: a process that runs `fetchMedia` with the cold yt-dlp command line as the bot
 * ran it before the warm engine (bench/lib/coldCliEngine.ts: `yt-dlp -J`, then a download run
 * from the info JSON; the same ffprobe and thumbnail) and the same upload (grammy sendVideo,
 * streamed, with thumbnail and metadata) to the same emulator, no Temporal, no status messages.
 * Issue 11's target: the pipeline (warm engine) takes at most 0.8× the bare cold CLI's time.
 * At each concurrency c (c requests in flight at all times, closed loop), the two alternate in
 * rounds so both see the same machine; medians and their ratio are printed. Every link is
 * unique (the bot would otherwise answer a repeated link from its file_id cache).
 */
import { numbers, positive, readOptions } from './lib/args.js';
import { printConditions } from './lib/conditions.js';
import { pipelineDriver, startBareRunner, type Timing } from './lib/drive.js';
import { breakdownOf, medianBreakdown, type Breakdown } from './lib/history.js';
import { startBenchStack } from './lib/stack.js';
import { median, ms, percentile, ratio, table } from './lib/stats.js';
import { runBounded } from '../test/faults/support/httpClient.js';

const options = readOptions('node --import tsx bench/e2e-overhead.ts [options]', {
  concurrency: { default: '1,2,4,8', help: 'requests in flight at once' },
  requests: { default: '12', help: 'requests per concurrency level and side (at least 2 rounds of c)' },
  rounds: { default: '2', help: 'the requests of a level are split into this many alternating pipeline/bare rounds' },
});
const levels = numbers(options.concurrency);
const perLevel = positive(options.requests, 'requests');
const rounds = positive(options.rounds, 'rounds');
const maxConcurrency = Math.max(...levels);

printConditions('end-to-end overhead (bench/e2e-overhead.ts)', {
  levels: `concurrency ${levels.join(', ')}; max(${perLevel}, 2c) requests per level and side, in ${rounds} alternating rounds`,
  workers: `telegram worker (default ${4} slots), downloads worker with ${maxConcurrency} slots (no queueing at the highest level), webhook; each its own process`,
  media: 'clip.mp4 from test/support/mediaFixtures.ts (3 s 320x240 H.264/AAC, 45 kB), a unique URL per request',
});

const stack = await startBenchStack();
try {
  const { url } = await stack.startWebhook();
  await stack.startWorker('telegram');
  await stack.startWorker('downloads', { concurrency: maxConcurrency });
  const pipeline = pipelineDriver(stack, url);
  const bare = await startBareRunner(stack);
  const link = () => stack.media.uniqueUrl('clip.mp4');

  // Warm-up: JIT, connections, the workflow cache, yt-dlp's files in the page cache.
  for (let i = 0; i < 3; i++) {
    await pipeline.request(link());
    await bare.request(link());
  }

  const rows: Array<Array<string | number>> = [];
  const medians: Array<{ c: number; pipeline: number; bare: number }> = [];
  const breakdowns = new Map<number, Breakdown[]>();
  for (const c of levels) {
    const total = Math.max(perLevel, 2 * c);
    const results = { pipeline: [] as Timing[], bare: [] as Timing[] };
    for (let round = 0; round < rounds; round++) {
      const count = Math.ceil(total / rounds);
      results.pipeline.push(...(await runBounded(count, c, () => pipeline.request(link()))));
      results.bare.push(...(await runBounded(count, c, () => bare.request(link()))));
    }
    const found = await Promise.all(
      results.pipeline.map((t) => (t.workflowId ? breakdownOf(stack.client, t.workflowId) : undefined)),
    );
    breakdowns.set(
      c,
      found.filter((b): b is Breakdown => b !== undefined),
    );
    const p = results.pipeline.map((t) => t.ms);
    const b = results.bare.map((t) => t.ms);
    const acks = results.pipeline.map((t) => t.ackMs ?? Number.NaN).filter(Number.isFinite);
    medians.push({ c, pipeline: median(p), bare: median(b) });
    rows.push([
      c,
      p.length,
      ms(median(p)),
      ms(median(b)),
      ratio(median(p), median(b)),
      ms(median(p) - median(b)),
      ms(percentile(p, 0.9)),
      ms(percentile(b, 0.9)),
      ms(median(acks)),
      median(p) <= 0.8 * median(b) ? 'met' : 'missed',
    ]);
    console.log(
      `  c=${c}: pipeline median ${ms(median(p))}, bare median ${ms(median(b))}, ratio ${ratio(median(p), median(b))}`,
    );
  }
  pipeline.close();

  console.log('\n## Webhook POST → upload answered by the Bot API emulator (medians; same run, alternating rounds)');
  console.log(
    table(
      [
        'c',
        'n/side',
        'pipeline',
        'bare',
        'ratio',
        'added',
        'pipeline p90',
        'bare p90',
        'POST → "⏳" answered',
        'target <= 0.8x',
      ],
      rows,
    ),
  );
  console.log(
    '\n"added" is what Temporal, the workflow and its extra Bot API calls ("⏳", progress edits, delete) cost per request.',
  );
  console.log(
    '\n## Where a pipeline request spends its time (medians from the workflow histories; parts overlap where the workflow runs things in parallel)',
  );
  const parts = levels.map((c) => new Map(medianBreakdown(breakdowns.get(c) ?? [])));
  const labels = [...new Set(parts.flatMap((part) => [...part.keys()]))];
  console.log(
    table(
      ['part', ...levels.map((c) => `c=${c}`)],
      labels.map((label) => [label, ...parts.map((part) => ms(part.get(label) ?? Number.NaN))]),
    ),
  );
} finally {
  await stack.stop();
}
