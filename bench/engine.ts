/**
 * `npm run bench:engine`: the warm yt-dlp engine (activities/adapters/warmEngine.ts) against the
 * cold yt-dlp command line as the bot ran it before (bench/lib/coldCliEngine.ts: `yt-dlp -J`,
 * then a download run from the info JSON), on the same loopback media, in one run.
 *
 * Two kinds of request, each side alternately (which side goes first alternates too):
 * - fetchMedia: what a download attempt does, with the same ffprobe and thumbnail on both sides;
 * - the yt-dlp part alone: a probe and the download of the format fetchMedia would choose, through
 *   the same `DownloadEngine` interface (the warm engine's one job, or the two CLI runs).
 * Both through an egress proxy in this process, as a downloads worker runs them, at niceness 0.
 *
 * CPU per request: the cold side's is this process's reaped children (yt-dlp, ffprobe, ffmpeg).
 * The warm side's is the engine's utime+stime+cutime+cstime from /proc, read after it reaped the
 * job's child (whose CPU, and its ffmpeg's, then lands in its cutime/cstime), plus this process's
 * reaped children (ffprobe, ffmpeg). What this process spends itself (the media server, the proxy,
 * the Node side of either engine) is shown apart, counted for neither.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEgressProxy } from '../activities/adapters/egressProxy.js';
import { planFormats } from '../activities/adapters/formats.js';
import { WarmEngine, type DownloadEngine } from '../activities/adapters/warmEngine.js';
import { escapeOutputTemplate, parseProbeOutput } from '../activities/adapters/ytDlpInfo.js';
import { resolveTools } from '../src/tools.js';
import { readCpu, readMemory } from '../test/faults/support/processes.js';
import { startThrottledMediaServer } from '../test/faults/support/throttledMediaServer.js';
import { positive, readOptions } from './lib/args.js';
import { benchMediaDir } from './lib/benchMedia.js';
import { ColdCliEngine } from './lib/coldCliEngine.js';
import { printConditions } from './lib/conditions.js';
import { engineCpu, jobsReaped, treeMemory } from './lib/engineProcess.js';
import { fetchVideo } from './lib/fetchVideo.js';
import { mean, median, mib, ms, table } from './lib/stats.js';

const options = readOptions('node --import tsx bench/engine.ts [options]', {
  requests: { default: '20', help: 'requests per side and kind (fetchMedia; the yt-dlp part alone)' },
});
const requests = positive(options.requests, 'requests');
/** Issue 11: the warm engine takes at most a quarter of the cold CLI's CPU. */
const TARGET = 0.25;
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** fetchMedia's probe asks for the playlist cap plus one (the bot's default cap is 10). */
const PLAYLIST_ITEMS = 11;

printConditions('warm engine against the cold CLI (bench/engine.ts)', {
  warm: 'WarmEngine: one long-lived Python with yt_dlp loaded; a job = one child forked from it (probe, then download from the probe kept in the child)',
  cold: 'yt-dlp -J --flat-playlist, the info JSON written to item-1.info.json, then yt-dlp --load-info-json (the command lines of commit 81ea734, bench/lib/coldCliEngine.ts)',
  runs: `${requests} requests per side and kind, sequential, alternating warm/cold (the first of each pair alternates), after one warm-up of each`,
  media:
    'clip.mp4 (3 s 320x240 H.264/AAC, 45 kB) from a loopback server, a unique URL per request, through an egress proxy in this process; niceness 0 on both sides',
  CPU: "cold: this process's reaped children; warm: the engine's utime+stime+cutime+cstime (/proc, after its job child was reaped) + this process's reaped children",
});

const tools = resolveTools();
const media = await startThrottledMediaServer(await benchMediaDir());
const egress = await startEgressProxy({ allowedHosts: ['127.0.0.1'] });
const scratch = await mkdtemp(path.join(os.tmpdir(), 'media-bot-bench-engine-'));
const cold = new ColdCliEngine({ ytDlp: tools.ytDlp, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime });

// ---- start-up of the warm engine, once: what a downloads worker pays before its first job -----
const startedAt = performance.now();
const warm = new WarmEngine({ python: tools.python, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime });
try {
  await warm.start();
  const startupWall = performance.now() - startedAt;
  const enginePid = warm.info!.pid;
  const startupCpu = engineCpu(enginePid);
  console.log("## Warm engine start-up (once, to 'ready': Python, yt_dlp imported, extractors warmed)");
  console.log(
    table(
      ['', 'value'],
      [
        ['wall', ms(startupWall)],
        ['CPU s (engine process, /proc)', startupCpu.toFixed(2)],
        ['RSS when ready', mib(readMemory(enginePid).rss)],
        ['yt-dlp', warm.info!.version],
      ],
    ),
  );
  console.log('');

  type Side = 'warm' | 'cold';
  const engines: Record<Side, DownloadEngine> = { warm, cold };
  /** CPU seconds so far that a request of this side is charged with. */
  const cpuOf = (side: Side) => readCpu('self').children + (side === 'warm' ? engineCpu(enginePid) : 0);

  const viaFetchMedia = async (engine: DownloadEngine, dir: string) => {
    await fetchVideo(engine, tools, {
      url: media.uniqueUrl('clip.mp4'),
      dir,
      maxUploadBytes: MAX_UPLOAD_BYTES,
      albumCap: PLAYLIST_ITEMS - 1,
      proxy: egress.url,
    });
  };
  /** Probe, choose as fetchMedia does, download: yt-dlp's work and nothing else. */
  const ytDlpAlone = async (engine: DownloadEngine, dir: string) => {
    const job = engine.openJob({ proxy: egress.url });
    try {
      const probed = await job.probe(media.uniqueUrl('clip.mp4'), PLAYLIST_ITEMS);
      if (probed.kind !== 'probed') throw new Error(`probe: ${probed.error.message}`);
      const result = parseProbeOutput(probed.info);
      if (result.kind !== 'single') throw new Error('probe: a playlist');
      const candidate = planFormats(result.info.formats, {
        mode: 'video',
        maxUploadBytes: MAX_UPLOAD_BYTES,
        durationSeconds: result.info.durationSeconds,
      }).candidates[0];
      if (!candidate) throw new Error('probe: no format to download');
      const reply = await job.download({
        probe: probed.probe,
        entry: null,
        format: candidate.selector,
        guardBytes: candidate.guardBytes,
        outputTemplate: `${escapeOutputTemplate(path.join(dir, 'item-1'))}.%(ext)s`,
        ...(candidate.mergeOutputFormat ? { mergeOutputFormat: candidate.mergeOutputFormat } : {}),
      });
      if (reply.kind !== 'downloaded')
        throw new Error(`download: ${reply.kind === 'failed' ? reply.error.message : reply.kind}`);
    } finally {
      job.end();
    }
  };

  interface Sample {
    wall: number;
    cpu: number;
    /** This process's own CPU meanwhile: counted for neither side. */
    own: number;
  }
  const measure = async (side: Side, run: (engine: DownloadEngine, dir: string) => Promise<void>): Promise<Sample> => {
    const dir = await mkdtemp(path.join(scratch, `${side}-`));
    try {
      const cpu0 = cpuOf(side);
      const own0 = readCpu('self').self;
      const t0 = performance.now();
      await run(engines[side], dir);
      const wall = performance.now() - t0;
      // The job's child exits after the job ended: its CPU is the engine's once reaped.
      if (side === 'warm') await jobsReaped(enginePid);
      return { wall, cpu: cpuOf(side) - cpu0, own: readCpu('self').self - own0 };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  const kinds = [
    { name: 'fetchMedia (yt-dlp part + ffprobe + thumbnail)', run: viaFetchMedia },
    { name: 'yt-dlp part alone (probe + download)', run: ytDlpAlone },
  ];
  const samples = kinds.map(() => ({ warm: [] as Sample[], cold: [] as Sample[] }));
  // Warm-up, not counted: the page cache for the CLI, the first job's child's first-use costs.
  for (const kind of kinds) for (const side of ['cold', 'warm'] as const) await measure(side, kind.run);
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const order: Side[] = i % 2 === 0 ? ['warm', 'cold'] : ['cold', 'warm'];
    for (const [k, kind] of kinds.entries())
      for (const side of order) samples[k]![side].push(await measure(side, kind.run));
    if ((i + 1) % 5 === 0)
      console.log(
        `  ${i + 1}/${requests} requests of each side and kind done (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
  }
  console.log('');

  const cpuS = (value: number) => value.toFixed(3);
  console.log(`## Per request (${requests} each; wall: median; CPU s: median, mean, min–max)`);
  const rows: Array<Array<string | number>> = [];
  for (const [k, kind] of kinds.entries()) {
    for (const side of ['cold', 'warm'] as const) {
      const list = samples[k]![side];
      const cpu = list.map((s) => s.cpu);
      rows.push([
        kind.name,
        side === 'cold' ? 'cold CLI (2 yt-dlp runs)' : 'warm engine (1 job)',
        ms(median(list.map((s) => s.wall))),
        cpuS(median(cpu)),
        cpuS(mean(cpu)),
        `${cpuS(Math.min(...cpu))}–${cpuS(Math.max(...cpu))}`,
        cpuS(mean(list.map((s) => s.own))),
      ]);
    }
  }
  console.log(
    table(
      ['kind', 'side', 'wall', 'CPU s median', 'CPU s mean', 'CPU s min–max', 'this process CPU s mean (not counted)'],
      rows,
    ),
  );

  console.log(`\n## Warm / cold (target: warm CPU <= ${TARGET}x the cold CLI's)`);
  const ratioRows: Array<Array<string | number>> = [];
  for (const [k, kind] of kinds.entries()) {
    const { warm: w, cold: c } = samples[k]!;
    const meanRatio = mean(w.map((s) => s.cpu)) / mean(c.map((s) => s.cpu));
    const medianRatio = median(w.map((s) => s.cpu)) / median(c.map((s) => s.cpu));
    const wallRatio = median(w.map((s) => s.wall)) / median(c.map((s) => s.wall));
    ratioRows.push([
      kind.name,
      `${meanRatio.toFixed(3)}x`,
      `${medianRatio.toFixed(3)}x`,
      `${wallRatio.toFixed(3)}x`,
      meanRatio <= TARGET ? 'met' : 'missed',
    ]);
  }
  console.log(
    table(['kind', 'CPU (means)', 'CPU (medians)', 'wall (medians)', `target CPU <= ${TARGET}x (means)`], ratioRows),
  );

  // ---- the engine's memory once the run is over: its job children should be gone by now -------
  const tree = treeMemory(enginePid);
  console.log('\n## Warm engine memory after the run (/proc)');
  console.log(
    table(
      ['', 'value'],
      [
        ['engine RSS', mib(tree.own)],
        [`its children (${tree.descendants} live)`, mib(tree.total - tree.own)],
        ['engine + children', mib(tree.total)],
        ['engine peak RSS (VmHWM)', mib(readMemory(enginePid).peakRss)],
        ['engine CPU s in all (start-up + warm-up + measured jobs)', engineCpu(enginePid).toFixed(2)],
      ],
    ),
  );
  console.log(
    `\nload average at the end: ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} (${os.availableParallelism()} cores; the machine is shared: figures are noisy)`,
  );
} finally {
  await warm.close();
  await egress.close();
  await media.close();
  await rm(scratch, { recursive: true, force: true });
}
