/**
 * `npm run bench:memory`: resident memory (RSS, from /proc) of a downloads worker and a telegram
 * worker process, as the project's CLI starts them with the production defaults. The downloads
 * worker's figure is its whole process tree: the Node process, its warm yt-dlp engine (the
 * `ytdlp-engine` process under it) and whatever job children and ffmpeg run at the moment of the
 * reading; the engine's own RSS is shown on a line of its own.
 *   1. idle, after start-up;
 *   2. after a warm-up batch, and after N jobs in all (growth against both);
 *   3. while one downloads and uploads a 1.5 GB file in local-Bot-API mode
 *      (MAX_UPLOAD_BYTES=2097152000, the emulator accepting 2000 MiB and keeping none of the
 *      bytes, only their SHA-256), sampled every 100 ms, peak from VmHWM (reset just before).
 * Jobs are full requests (unique links to a small mp4 on loopback, started with the webhook's
 * exact start options), a few in flight at a time, each waited for until the emulator has
 * answered its upload.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { requestKey } from '../test/faults/support/deliveries.js';
import { runBounded } from '../test/faults/support/httpClient.js';
import { readMemory, resetPeakRss } from '../test/faults/support/processes.js';
import { positive, readOptions } from './lib/args.js';
import { benchMediaDir, bigMp4 } from './lib/benchMedia.js';
import { printConditions } from './lib/conditions.js';
import { engineUnder, treeMemory } from './lib/engineProcess.js';
import { captureStart, linkUpdate, startBenchStack } from './lib/stack.js';
import { median, mib, table } from './lib/stats.js';

const options = readOptions('node --import tsx bench/memory.ts [options]', {
  jobs: { default: '200', help: 'jobs in all, warm-up included (issue 11 asks for 2000)' },
  warmup: { default: '50', help: 'jobs before the "warm" reading' },
  'in-flight': { default: '4', help: 'jobs in flight at a time' },
  'big-mb': { default: '1500', help: 'size of the large file, MB (10^6 bytes); 0 skips that part' },
  settle: { default: '10', help: 'seconds of quiet before each reading' },
});
const jobs = positive(options.jobs, 'jobs');
const warmup = Math.min(jobs, positive(options.warmup, 'warmup'));
const inFlight = positive(options['in-flight'], 'in-flight');
const bigMb = Number(options['big-mb']);
const settleMs = positive(options.settle, 'settle') * 1000;
const MAX_UPLOAD_BYTES = 2_097_152_000;

printConditions('worker memory (bench/memory.ts)', {
  workers:
    'one downloads worker (DOWNLOAD_CONCURRENCY default: the CPU cores) with its yt-dlp engine, and one telegram worker (TELEGRAM_CONCURRENCY default 4), each `node --import tsx src/cli/worker.ts`',
  jobs: `${jobs} in all (${warmup} warm-up), ${inFlight} in flight, clip.mp4 (45 kB) at a unique URL each`,
  'large file':
    bigMb > 0
      ? `${bigMb} MB H.264 mp4, local Bot API mode: MAX_UPLOAD_BYTES=${MAX_UPLOAD_BYTES}, emulator uploadLimitBytes 2000 MiB, keepBytesUpTo 1 MiB`
      : 'skipped',
  measure:
    'VmRSS and VmHWM from /proc/<pid>/status (the downloads worker: summed over its process tree, engine included; forked children share pages, so the sum is an upper bound); ' +
    'readings are the median of 5 samples 1 s apart after the settle time',
});

const mediaDir = await benchMediaDir();
const big = bigMb > 0 ? await bigMp4(bigMb) : undefined;
const stack = await startBenchStack({
  mediaDir,
  emulator: { uploadLimitBytes: 2000 * 1024 * 1024, keepBytesUpTo: 1024 * 1024 },
  // Above the cloud 50 MB, the limit needs local Bot API mode (the emulator plays the local server).
  env: {
    TELEGRAM_LOCAL_BOT_API: 'true',
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    DOWNLOAD_TIMEOUT_SECONDS: '900',
    UPLOAD_TIMEOUT_SECONDS: '900',
  },
});
try {
  const telegram = await stack.startWorker('telegram');
  const downloads = await stack.startWorker('downloads');
  if (engineUnder(downloads.pid) === undefined) throw new Error('the downloads worker has no yt-dlp engine under it');
  // Looked up at each reading: an engine that died is replaced by a new one at the next job.
  const enginePeak = () => {
    const pid = engineUnder(downloads.pid);
    return pid === undefined ? 0 : readMemory(pid).peakRss;
  };
  /** The lines of the tables; `rssNow` and `peaksNow` read them, in this order, from one look at /proc. */
  const lines = [
    'downloads worker (process + yt-dlp engine + job children)',
    '  of which the yt-dlp engine',
    'telegram worker',
  ];
  const rssNow = () => {
    const tree = treeMemory(downloads.pid);
    return [tree.total, tree.engine, readMemory(telegram.pid).rss];
  };
  const peaksNow = () => {
    const engine = enginePeak();
    // The peak of a tree is not the sum of its peaks: the worker's and the engine's, added, bound it from above.
    return [readMemory(downloads.pid).peakRss + engine, engine, readMemory(telegram.pid).peakRss];
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
  const reading = async () => {
    const samples: number[][] = [];
    for (let i = 0; i < 5; i++) {
      samples.push(rssNow());
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    return lines.map((_, column) => median(samples.map((row) => row[column]!)));
  };

  let chat = 70_000_000;
  const job = async (url: string, timeoutMs = 300_000) => {
    const update = linkUpdate(url, chat++);
    const key = `${update.message!.chat.id}:${update.message!.message_id}`;
    const uploaded = stack.emulator.waitFor(
      (call) => ['sendVideo', 'sendDocument'].includes(call.method) && call.status === 200 && requestKey(call) === key,
      timeoutMs,
    );
    const { workflow, options: startOptions } = await captureStart(stack.config, update);
    await stack.client.workflow.start(workflow, startOptions);
    return uploaded;
  };
  const runJobs = async (count: number, done: { n: number }) =>
    runBounded(count, inFlight, async () => {
      await job(stack.media.uniqueUrl('clip.mp4'));
      done.n += 1;
      // RSS along the way: whether a worker levels off or keeps growing shows only in the series.
      if (done.n % 100 === 0) {
        const rss = rssNow();
        console.log(`  ${done.n} jobs done: ${lines.map((name, i) => `${name.trim()} ${mib(rss[i]!)}`).join(', ')}`);
      }
    });

  await settle();
  const idle = await reading();
  const done = { n: 0 };
  const started = performance.now();
  await runJobs(warmup, done);
  await settle();
  const warm = await reading();
  await runJobs(jobs - warmup, done);
  const jobsSeconds = (performance.now() - started) / 1000;
  await settle();
  const after = await reading();
  const peakDuringJobs = peaksNow();

  // What stays in a telegram worker's workflow cache: the workflows that are still running.
  const running = new Map<string, number>();
  for await (const execution of stack.client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    running.set(execution.type, (running.get(execution.type) ?? 0) + 1);
  }
  const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)} %`;
  console.log(`\n## RSS, ${jobs} jobs in ${jobsSeconds.toFixed(0)} s (${((jobs / jobsSeconds) * 60).toFixed(0)}/min)`);
  console.log(
    table(
      [
        'process',
        'idle',
        `after ${warmup} (warm)`,
        `after ${jobs}`,
        'growth vs idle',
        'growth vs warm',
        'peak (VmHWM)',
      ],
      lines.map((name, i) => [
        name,
        mib(idle[i]!),
        mib(warm[i]!),
        mib(after[i]!),
        pct(after[i]!, idle[i]!),
        pct(after[i]!, warm[i]!),
        mib(peakDuringJobs[i]!),
      ]),
    ),
  );
  console.log(
    `workflows still running after the jobs (long-lived ones stay in the telegram worker's workflow cache): ` +
      `${[...running].map(([type, count]) => `${type} ${count}`).join(', ') || 'none'}`,
  );

  if (big) {
    for (const pid of [downloads.pid, engineUnder(downloads.pid), telegram.pid])
      if (pid !== undefined) resetPeakRss(pid);
    const samples: Array<{
      t: number;
      worker: number;
      engine: number;
      tools: number;
      total: number;
      telegram: number;
    }> = [];
    const t0 = performance.now();
    const sampler = setInterval(() => {
      try {
        const tree = treeMemory(downloads.pid);
        samples.push({
          t: performance.now() - t0,
          worker: tree.own,
          engine: tree.engine,
          tools: tree.total - tree.own - tree.engine,
          total: tree.total,
          telegram: readMemory(telegram.pid).rss,
        });
      } catch {
        // the telegram worker is gone (treeMemory counts a process that ends meanwhile as 0)
      }
    }, 100);
    const bigUrl = stack.media.uniqueUrl(big.name);
    const call = await job(bigUrl, 1_200_000);
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    const served = stack.media.requests.filter((request) => request.path.endsWith(`/${big.name}`) && request.complete);
    const downloadEnded = served.at(-1)?.finishedAt;
    const uploadStarted = call.at;
    const received = call.files[0];
    const expected = await sha256(path.join(mediaDir, big.name));
    const peaks = [readMemory(downloads.pid).peakRss, enginePeak(), readMemory(telegram.pid).peakRss];
    const maxOf = (key: 'worker' | 'engine' | 'tools' | 'total' | 'telegram') =>
      Math.max(...samples.map((sample) => sample[key]));
    console.log(`\n## One ${(big.sizeBytes / 1e9).toFixed(2)} GB file (${big.sizeBytes} bytes), local Bot API mode`);
    console.log(
      table(
        ['', 'value'],
        [
          [
            'request, start to upload answered',
            `${seconds.toFixed(1)} s (download ended at ${downloadEnded ? ((downloadEnded - Date.now()) / 1000 + seconds).toFixed(1) : '?'} s, ` +
              `upload ${((uploadStarted - Date.now()) / 1000 + seconds).toFixed(1)}–${seconds.toFixed(1)} s)`,
          ],
          ['downloads worker process peak RSS (VmHWM)', mib(peaks[0]!)],
          ['downloads worker process max sampled RSS', mib(maxOf('worker'))],
          ['its yt-dlp engine peak RSS (VmHWM)', mib(peaks[1]!)],
          ['its yt-dlp engine max sampled RSS', mib(maxOf('engine'))],
          ["the engine's job child and ffmpeg, max sampled RSS (together)", mib(maxOf('tools'))],
          ['downloads worker with engine and children, max sampled RSS (sum)', mib(maxOf('total'))],
          ['telegram worker peak RSS (VmHWM)', mib(peaks[2]!)],
          [
            'bytes the emulator received',
            `${received?.size ?? 0} (${received?.sha256 === expected ? 'SHA-256 matches the file' : 'SHA-256 DIFFERS'})`,
          ],
          ['samples', `${samples.length} (every 100 ms)`],
        ],
      ),
    );
    console.log(
      `streaming: the worker's peak is ${mib(peaks[0]!)} for a ${mib(big.sizeBytes)} file (${((peaks[0]! / big.sizeBytes) * 100).toFixed(1)} % of it)`,
    );
  }
} finally {
  await stack.stop();
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
