/**
 * `npm run bench:throughput`: completed requests per minute with N download slots (the downloads
 * worker's --concurrency, i.e. DOWNLOAD_CONCURRENCY), against the bare baseline (fetchMedia with
 * the cold yt-dlp command line as the bot ran it before the warm engine, bench/lib/coldCliEngine.ts,
 * and the same upload, no Temporal) with the same N, in the same run. And what the tools cost per
 * request: yt-dlp's cold start-up, which caps the bare loop on a small machine, and the warm engine.
 *
 * For each N: a fresh downloads worker process with N slots; a batch of requests (unique links
 * to a small mp4 on loopback) posted to the webhook at once; the rate is the batch over the time
 * from the first POST to the last upload answered by the emulator. Then the bare runner does the
 * same batch with N in flight. CPU seconds of every process involved are read from /proc.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEgressProxy } from '../activities/adapters/egressProxy.js';
import { WarmEngine, type DownloadEngine } from '../activities/adapters/warmEngine.js';
import { resolveTools } from '../src/tools.js';
import { runBounded } from '../test/faults/support/httpClient.js';
import { readCpu, type CliProcess } from '../test/faults/support/processes.js';
import { numbers, positive, readOptions } from './lib/args.js';
import { ColdCliEngine } from './lib/coldCliEngine.js';
import { printConditions } from './lib/conditions.js';
import { pipelineDriver, startBareRunner } from './lib/drive.js';
import { engineCpu, engineUnder, jobsReaped } from './lib/engineProcess.js';
import { fetchVideo } from './lib/fetchVideo.js';
import { startBenchStack } from './lib/stack.js';
import { mean, median, ms, ratio, table } from './lib/stats.js';
import { COUNT_COLUMNS, snapshotRuns, totalOf, type TemporalCounts } from './lib/temporalCounts.js';

const run = promisify(execFile);

const options = readOptions('node --import tsx bench/throughput.ts [options]', {
  slots: { default: '1,2,4', help: 'download slots (DOWNLOAD_CONCURRENCY) to measure' },
  requests: { default: '24', help: 'requests per batch (per N and side)' },
  'startup-runs': { default: '5', help: 'runs of each yt-dlp start-up measurement' },
});
const slots = numbers(options.slots);
const batch = positive(options.requests, 'requests');
const startupRuns = positive(options['startup-runs'], 'startup-runs');
const cores = os.availableParallelism();

printConditions('throughput (bench/throughput.ts)', {
  batches: `${batch} requests per N and side, posted at once; N = ${slots.join(', ')} download slots`,
  workers:
    'webhook, telegram worker (production default of 4 slots), one downloads worker with N slots; each its own process',
  media: 'clip.mp4 (3 s 320x240 H.264/AAC, 45 kB), a unique URL per request',
});

const stack = await startBenchStack();
const tools = resolveTools();
try {
  // ---- what the tools cost per request, measured alone on a quiet machine ------------------
  const childCpu = () => readCpu('self').children;
  /** `cpu`: CPU seconds of this process's reaped children, plus what `extraCpu` counts (the warm engine's). */
  const timed = async (fn: () => Promise<unknown>, extraCpu?: { read(): number; settled(): Promise<void> }) => {
    const cpu0 = childCpu() + (extraCpu?.read() ?? 0);
    const t0 = performance.now();
    await fn();
    const wall = performance.now() - t0;
    await extraCpu?.settled();
    return { wall, cpu: childCpu() + (extraCpu?.read() ?? 0) - cpu0 };
  };
  const repeat = async (fn: () => Promise<unknown>, extraCpu?: Parameters<typeof timed>[1]) => {
    const results = [];
    for (let i = 0; i < startupRuns; i++) results.push(await timed(fn, extraCpu));
    return { wall: median(results.map((r) => r.wall)), cpu: mean(results.map((r) => r.cpu)) };
  };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'media-bot-bench-ytdlp-'));
  let n = 0;
  await run(tools.ytDlp, ['--version']); // page cache
  const version = await repeat(() => run(tools.ytDlp, ['--version']));
  const probe = await repeat(() =>
    run(tools.ytDlp, ['--ignore-config', '--no-cache-dir', '-J', stack.media.uniqueUrl('clip.mp4')]),
  );
  const tiny = await repeat(() =>
    run(tools.ytDlp, [
      '--ignore-config',
      '--no-cache-dir',
      '--quiet',
      '-o',
      path.join(scratch, `${n++}.%(ext)s`),
      stack.media.uniqueUrl('clip.mp4'),
    ]),
  );
  const egress = await startEgressProxy({ allowedHosts: ['127.0.0.1'] });
  const fetchWith = (engine: DownloadEngine) => async () => {
    const dir = await mkdtemp(path.join(scratch, 'engine-'));
    await fetchVideo(engine, tools, {
      url: stack.media.uniqueUrl('clip.mp4'),
      dir,
      maxUploadBytes: 50 * 1024 * 1024,
      albumCap: 10,
      proxy: egress.url,
    });
  };
  const coldRequest = await repeat(
    fetchWith(new ColdCliEngine({ ytDlp: tools.ytDlp, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime })),
  );
  // The warm engine as a downloads worker runs it (started and warm before the first request),
  // at niceness 0 like the cold runs. Its CPU: the engine process and its reaped job children.
  const warmEngine = new WarmEngine({ python: tools.python, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime });
  let warmRequest: { wall: number; cpu: number };
  try {
    await warmEngine.start();
    const enginePid = warmEngine.info!.pid;
    const engineCounted = { read: () => engineCpu(enginePid), settled: () => jobsReaped(enginePid) };
    await timed(fetchWith(warmEngine), engineCounted); // the first job's child pays a few first-use costs
    warmRequest = await repeat(fetchWith(warmEngine), engineCounted);
  } finally {
    await warmEngine.close();
  }
  await egress.close();
  await rm(scratch, { recursive: true, force: true });
  console.log(
    '## What the tools cost (alone, sequential, median wall / mean CPU of the child processes; the warm engine: of its processes too)',
  );
  console.log(
    table(
      ['run', 'wall', 'CPU s', `cap on ${cores} cores (CPU only)`],
      [
        [
          'yt-dlp --version (Python + yt-dlp import; exits before loading extractors)',
          ms(version.wall),
          version.cpu.toFixed(2),
          `${Math.floor((cores * 60) / version.cpu)}/min`,
        ],
        [
          'yt-dlp -J (start-up + extractors + one request, nothing downloaded)',
          ms(probe.wall),
          probe.cpu.toFixed(2),
          `${Math.floor((cores * 60) / probe.cpu)}/min`,
        ],
        [
          'yt-dlp tiny download (45 kB from loopback)',
          ms(tiny.wall),
          tiny.cpu.toFixed(2),
          `${Math.floor((cores * 60) / tiny.cpu)}/min`,
        ],
        [
          'cold CLI per request (fetchMedia via the egress proxy: yt-dlp -J, yt-dlp download, ffprobe, ffmpeg thumbnail)',
          ms(coldRequest.wall),
          coldRequest.cpu.toFixed(2),
          `${Math.floor((cores * 60) / coldRequest.cpu)}/min`,
        ],
        [
          'warm engine per request (fetchMedia via the egress proxy: one job of the warm engine, ffprobe, ffmpeg thumbnail; CPU of the engine, its job children and the ffprobe/ffmpeg runs)',
          ms(warmRequest.wall),
          warmRequest.cpu.toFixed(2),
          `${Math.floor((cores * 60) / warmRequest.cpu)}/min`,
        ],
      ],
    ),
  );
  console.log('');

  // ---- the pipeline and the bare baseline at N slots ----------------------------------------
  const { url, proc: webhook } = await stack.startWebhook();
  const telegram = await stack.startWorker('telegram');
  const pipeline = pipelineDriver(stack, url);
  const bare = await startBareRunner(stack);
  const link = () => stack.media.uniqueUrl('clip.mp4');
  /**
   * CPU seconds so far of each process (its own, and its waited-for children: yt-dlp, ffmpeg…), and
   * of a downloads worker's warm engine, which lives as long as the worker and so never counts in
   * the worker's children: the engine's own and its reaped job children's.
   */
  const cpuBy = (procs: Record<string, CliProcess | number | undefined>) => {
    const out: Record<string, number> = { 'bench process (emulator, media server, client)': readCpu('self').self };
    for (const [name, proc] of Object.entries(procs)) {
      const pid = typeof proc === 'number' ? proc : proc?.pid;
      if (pid === undefined) continue;
      try {
        const cpu = readCpu(pid);
        out[name] = cpu.self;
        if (cpu.children > 0.005) out[`${name}: child processes`] = cpu.children;
        const engine = engineUnder(pid);
        if (engine !== undefined) out[`${name}: yt-dlp engine and its job children`] = engineCpu(engine);
      } catch {
        // gone
      }
    }
    return out;
  };
  const diff = (after: Record<string, number>, before: Record<string, number>, per: number) =>
    Object.fromEntries(Object.entries(after).map(([name, value]) => [name, (value - (before[name] ?? 0)) / per]));
  // What the server and the telegram worker burn doing nothing (timers, pollers, housekeeping):
  // part of any per-request figure, in proportion to how long a batch takes rather than to its work.
  const IDLE_SECONDS = 10;
  const idle0 = cpuBy({ 'temporal server': stack.temporalPid, 'telegram worker': telegram });
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const idlePerSecond = diff(
    cpuBy({ 'temporal server': stack.temporalPid, 'telegram worker': telegram }),
    idle0,
    IDLE_SECONDS,
  );
  const breakdowns: Array<[string, Record<string, number>]> = [];
  const temporalBy: Array<{
    label: string;
    cpu: Record<string, number>;
    seconds: number;
    byType: Map<string, TemporalCounts>;
  }> = [];
  /** Waits until every run of the batch has ended (the upload is not the end: cleanup, cache, quota follow). */
  const settled = (workflowIds: Array<string | undefined>) =>
    Promise.all(
      workflowIds.map(
        (id) =>
          id &&
          stack.client.workflow
            .getHandle(id)
            .result()
            .catch(() => undefined),
      ),
    );

  const rows: Array<Array<string | number>> = [];
  for (const slotsN of slots) {
    const downloads = await stack.startWorker('downloads', { concurrency: slotsN });
    const warm: Array<string | undefined> = [];
    for (let i = 0; i < 2; i++) warm.push((await pipeline.request(link())).workflowId); // warm-up
    await settled(warm);
    const before = await snapshotRuns(stack.client);
    const processes = {
      'temporal server': stack.temporalPid,
      webhook,
      'telegram worker': telegram,
      'downloads worker': downloads,
    };
    let cpu0 = cpuBy(processes);
    let t0 = performance.now();
    const timings = await Promise.all(Array.from({ length: batch }, () => pipeline.request(link())));
    const pipelineSeconds = (performance.now() - t0) / 1000;
    await settled(timings.map((timing) => timing.workflowId));
    const settledSeconds = (performance.now() - t0) / 1000;
    // ffprobe and ffmpeg count in their parent's CPU once it has waited for them, the engine's job
    // children in the engine's once it has reaped them: all have ended.
    const enginePid = engineUnder(downloads.pid);
    if (enginePid !== undefined) await jobsReaped(enginePid);
    const pipelineCpuBy = diff(cpuBy(processes), cpu0, batch);
    temporalBy.push({
      label: `N=${slotsN}`,
      cpu: pipelineCpuBy,
      seconds: settledSeconds,
      byType: (await snapshotRuns(stack.client, before.snapshot)).added,
    });
    const pipelineCpu = Object.values(pipelineCpuBy).reduce((a, b) => a + b, 0);
    await downloads.stop();

    await bare.request(link()); // warm-up
    cpu0 = cpuBy({ 'bare runner': bare.proc });
    t0 = performance.now();
    await runBounded(batch, slotsN, () => bare.request(link()));
    const bareSeconds = (performance.now() - t0) / 1000;
    const bareCpuBy = diff(cpuBy({ 'bare runner': bare.proc }), cpu0, batch);
    const bareCpu = Object.values(bareCpuBy).reduce((a, b) => a + b, 0);
    breakdowns.push([`N=${slotsN} pipeline`, pipelineCpuBy], [`N=${slotsN} bare`, bareCpuBy]);

    const pipelineRate = (batch / pipelineSeconds) * 60;
    const bareRate = (batch / bareSeconds) * 60;
    rows.push([
      slotsN,
      pipelineRate.toFixed(1),
      bareRate.toFixed(1),
      ratio(pipelineRate, bareRate),
      pipelineRate >= 2 * bareRate ? 'met' : 'missed',
      pipelineRate >= 200 ? 'met' : 'missed',
      pipelineCpu.toFixed(2),
      bareCpu.toFixed(2),
    ]);
    console.log(
      `  N=${slotsN}: pipeline ${pipelineRate.toFixed(1)}/min, bare ${bareRate.toFixed(1)}/min (${ratio(pipelineRate, bareRate)})`,
    );
  }
  pipeline.close();

  console.log('\n## Completed requests per minute (same run; batch posted at once, first POST to last upload)');
  // Issue 11's targets: the pipeline (warm engine) at least twice the bare cold-CLI loop, and 200 requests/min on 2 cores.
  console.log(
    table(
      [
        'N slots',
        'pipeline /min',
        'bare /min',
        'pipeline/bare',
        'target >= 2x',
        'target >= 200/min',
        'CPU s/request pipeline (all processes)',
        'bare',
      ],
      rows,
    ),
  );
  console.log('\n## CPU seconds per request, by process');
  const names = [...new Set(breakdowns.flatMap(([, by]) => Object.keys(by)))];
  console.log(
    table(
      ['process', ...breakdowns.map(([label]) => label)],
      names.map((name) => [name, ...breakdowns.map(([, by]) => (by[name] === undefined ? '-' : by[name]!.toFixed(3)))]),
    ),
  );
  console.log(
    '\n## Temporal per delivered request (every run the batch touched, from their histories; CPU from /proc, batch start to the last run ended)',
  );
  const types = [...new Set(temporalBy.flatMap(({ byType }) => [...byType.keys()]))].sort();
  const per = (value: number) => (value / batch).toFixed(2);
  const temporalRows: Array<Array<string | number>> = [];
  for (const [key, label] of COUNT_COLUMNS) {
    temporalRows.push([label, ...temporalBy.map(({ byType }) => per(totalOf(byType)[key]))]);
    if (key === 'events')
      for (const type of types)
        temporalRows.push([
          `  of which ${type}`,
          ...temporalBy.map(({ byType }) => per(byType.get(type)?.events ?? 0)),
        ]);
  }
  temporalRows.push(['runs touched', ...temporalBy.map(({ byType }) => per(totalOf(byType).runs))]);
  for (const [name, target] of [
    ['temporal server', 0.15],
    ['telegram worker', 0.08],
  ] as const) {
    temporalRows.push([
      `${name} CPU s (target <= ${target})`,
      ...temporalBy.map(({ cpu }) => (cpu[name] ?? Number.NaN).toFixed(3)),
    ]);
    const idle = idlePerSecond[name] ?? 0;
    temporalRows.push([
      `  of which idle (${idle.toFixed(4)} CPU s/s x batch time)`,
      ...temporalBy.map(({ seconds }) => ((idle * seconds) / batch).toFixed(3)),
    ]);
  }
  temporalRows.push([
    'batch time, first POST to last run ended',
    ...temporalBy.map(({ seconds }) => `${seconds.toFixed(1)} s`),
  ]);
  console.log(table(['per request', ...temporalBy.map(({ label }) => label)], temporalRows));
  console.log(
    `\nOn ${cores} cores: the download engine alone allows about ${Math.floor((cores * 60) / warmRequest.cpu)} requests/min warm (${warmRequest.cpu.toFixed(2)} CPU s per request), ` +
      `${Math.floor((cores * 60) / coldRequest.cpu)} requests/min with the cold CLI the bare loop runs (${coldRequest.cpu.toFixed(2)} CPU s); ` +
      `one cold yt-dlp start-up with its extractors (a -J probe, nothing downloaded) is ${probe.cpu.toFixed(2)} CPU s, ` +
      `so yt-dlp's start-up by itself caps the cold CLI at ${Math.floor((cores * 60) / probe.cpu)} runs/min.`,
  );
} finally {
  await stack.stop();
}
