/**
 * `npm run bench:webhook`: webhook latency on the embedded Temporal server.
 *
 * An open-loop load generator posts realistic, unique updates (a private message with a link to
 * a small mp4 on a loopback media server, each link different) at fixed rates to the webhook
 * (`src/cli/bot.ts` in webhook mode, its own process), while a downloads worker and a telegram
 * worker (their own processes) work through what it started. At each rate, back to back under
 * the same background load, it also measures:
 *   - bare start: `client.workflow.start` from this process with exactly the options the webhook
 *     uses (captured from the production update handler), no HTTP: the ceiling the server allows;
 *   - noop route: the production fastify app in its own process whose handler starts nothing.
 * Then it raises the rate until p99 passes 100 ms (the saturation point), for the webhook and
 * for the bare start. After every run it counts the workflows Temporal really started (the
 * visibility store) and checks it against the 2xx answers: fewer would be a lost update; more
 * happens only when a start outlived the webhook's 5 s deadline (503, then deduped on redelivery).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config/index.js';
import { WEBHOOK_PATH } from '../src/http/app.js';
import { resolveTools } from '../src/tools.js';
import { createPoster } from '../test/faults/support/httpClient.js';
import { descendants, freePort, readCpu, startCli } from '../test/faults/support/processes.js';
import { numbers, positive, readOptions } from './lib/args.js';
import { printConditions } from './lib/conditions.js';
import { openLoop, type Outcome, type RunResult } from './lib/load.js';
import {
  captureStart,
  linkUpdate,
  settledCount,
  startBenchStack,
  WEBHOOK_SECRET,
  type CapturedStart,
} from './lib/stack.js';
import { ms, ratio, table } from './lib/stats.js';

const options = readOptions('node --import tsx bench/webhook.ts [options]', {
  rates: { default: '10,50,200', help: 'updates per second of the fixed-rate runs' },
  duration: { default: '10', help: 'seconds of each fixed-rate run (the target is stated for 30)' },
  backgrounds: {
    default: 'idle,busy',
    help: 'series to run: idle (no workers) and/or busy (workers working through what was started)',
  },
  'saturation-rates': {
    default: '100,150,200,250,300,400',
    help: 'rates tried, in order, to find the saturation point (idle series)',
  },
  'busy-saturation-rates': { default: '2,5,10,20,50', help: 'rates tried to find the saturation point (busy series)' },
  'saturation-duration': { default: '5', help: 'seconds of each saturation step' },
  'saturation-p99': { default: '100', help: 'p99 (ms) above which a rate counts as saturated' },
  'download-concurrency': {
    default: '2',
    help: 'download slots of the busy downloads worker (the production default)',
  },
  'seed-requests': {
    default: '40',
    help: 'requests started before the busy series, so the workers are busy from its start',
  },
  'pragma-comparison': {
    default: 'yes',
    help: 'also time bare starts at 50/s on a dev server with SQLite default pragmas vs WAL (yes/no)',
  },
});
const rates = numbers(options.rates);
const duration = positive(options.duration, 'duration');
const saturationRates = { idle: numbers(options['saturation-rates']), busy: numbers(options['busy-saturation-rates']) };
const saturationDuration = positive(options['saturation-duration'], 'saturation-duration');
const saturationP99 = positive(options['saturation-p99'], 'saturation-p99');
const backgrounds = options.backgrounds.split(',').map((item) => item.trim()) as Array<'idle' | 'busy'>;
if (backgrounds.some((item) => item !== 'idle' && item !== 'busy'))
  throw new Error(`--backgrounds takes idle and/or busy, got "${options.backgrounds}"`);

printConditions('webhook latency (bench/webhook.ts)', {
  'fixed rates': `${rates.join(', ')} updates/s, ${duration} s each, in the order noop → bare start → webhook at each rate`,
  saturation: `idle: ${saturationRates.idle.join(', ')}; busy: ${saturationRates.busy.join(', ')} updates/s; ${saturationDuration} s each, until p99 > ${saturationP99} ms, an error, or a lost update`,
  series:
    backgrounds
      .map((item) =>
        item === 'idle'
          ? 'idle (no workers running)'
          : `busy (a downloads worker with ${options['download-concurrency']} slots and a telegram worker working through everything started, ${options['seed-requests']} requests seeded first)`,
      )
      .join('; then ') + '; each series on a fresh server and fresh processes',
  'Temporal server':
    'embedded dev server (startDevServer): SQLite file, --sqlite-pragma journal_mode=wal, --sqlite-pragma synchronous=normal',
});

/** `client.workflow.start` with the webhook's exact options, nothing around it. */
const bareStart = (client: Client, captured: CapturedStart) => async (): Promise<Outcome> => {
  await client.workflow.start(captured.workflow, captured.options);
  return { status: 200, ok: true };
};

type Target = 'noop' | 'bare' | 'webhook';
interface Row {
  series: 'idle' | 'busy';
  phase: 'fixed' | 'saturation';
  rate: number;
  target: Target;
  result: RunResult;
  started?: number;
  cpuMsPerRequest: { temporal?: number; server?: number };
  /** Busy series: CPU s per second of the run, per process with everything under it (2 cores = 2.0). */
  coresInUse?: Record<string, number>;
}
const rows: Row[] = [];
const saturation: Array<{ series: 'idle' | 'busy'; target: string; passed?: number; over?: string }> = [];
const backgroundWork: string[] = [];

const cpuOf = (pid: number | undefined) => {
  try {
    return pid === undefined ? undefined : readCpu(pid).self;
  } catch {
    return undefined;
  }
};

/** One series on a fresh embedded server (nothing left over from the other series). */
async function runSeries(series: 'idle' | 'busy'): Promise<void> {
  const stack = await startBenchStack();
  try {
    const { url: webhookUrl, proc: webhook } = await stack.startWebhook();
    const noopPort = await freePort();
    const noop = await startCli('noop-webhook', 'bench/lib/noopWebhook.ts', [], stack.env({ PORT: String(noopPort) }), {
      readyMessage: 'noop webhook running',
    });
    stack.processes.push(noop);

    const headers = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET };
    const toWebhook = createPoster(webhookUrl, { maxSockets: 512, headers });
    const toNoop = createPoster(`http://127.0.0.1:${noopPort}`, { maxSockets: 512, headers });
    const viaHttp = (poster: ReturnType<typeof createPoster>, body: string) => async (): Promise<Outcome> => {
      const result = await poster.post(WEBHOOK_PATH, body);
      return { status: result.status, ok: result.status >= 200 && result.status < 300, error: result.error };
    };
    // Unique links to a small mp4 on the loopback media server, from 1,000 different chats.
    let chatBlock = 0;
    const updatesFor = (count: number) => {
      const base = 10_000_000 + ++chatBlock * 1_000;
      return Array.from({ length: count }, (_, i) => linkUpdate(stack.media.uniqueUrl('clip.mp4'), base + (i % 1_000)));
    };

    const run = async (
      phase: Row['phase'],
      target: Target,
      rate: number,
      seconds: number,
      record = true,
    ): Promise<Row> => {
      const count = Math.max(1, Math.round(rate * seconds));
      const updates = updatesFor(count);
      const fires =
        target === 'bare'
          ? await Promise.all(
              updates.map(async (update) => bareStart(stack.client, await captureStart(stack.config, update))),
            )
          : updates.map((update) => viaHttp(target === 'noop' ? toNoop : toWebhook, JSON.stringify(update)));
      // Whose CPU the request costs besides the Temporal server: the webhook process, the noop
      // process, or (bare start) this process.
      const serverCpu = () =>
        target === 'webhook' ? cpuOf(webhook.pid) : target === 'noop' ? cpuOf(noop.pid) : readCpu('self').self;
      const before = { temporal: cpuOf(stack.temporalPid), server: serverCpu() };
      const treesBefore = series === 'busy' ? processTrees() : undefined;
      const startedAt = new Date(Date.now() - 1_000);
      const result = await openLoop(rate, seconds, (i) => fires[i]!());
      const after = { temporal: cpuOf(stack.temporalPid), server: serverCpu() };
      const treesAfter = treesBefore && processTrees();
      const perRequest = (a: number | undefined, b: number | undefined) =>
        a === undefined || b === undefined ? undefined : ((b - a) * 1000) / count;
      const row: Row = {
        series,
        phase,
        rate,
        target,
        result,
        cpuMsPerRequest: {
          temporal: perRequest(before.temporal, after.temporal),
          server: perRequest(before.server, after.server),
        },
        ...(treesBefore && treesAfter
          ? {
              coresInUse: Object.fromEntries(
                Object.entries(treesAfter).map(([name, cpu]) => [name, (cpu - (treesBefore[name] ?? 0)) / seconds]),
              ),
            }
          : {}),
      };
      if (target !== 'noop' && record) {
        const endedAt = new Date(Date.now() + 1_000);
        const query = `WorkflowType = "MediaRequestWorkflow" AND StartTime >= "${startedAt.toISOString()}" AND StartTime <= "${endedAt.toISOString()}"`;
        row.started = await settledCount(stack.client, query, result.ok);
      }
      if (record) {
        rows.push(row);
        const r = row.result;
        console.log(
          `  [${series}] ${phase === 'saturation' ? 'saturation ' : ''}${target.padEnd(7)} @ ${rate}/s: p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, errors ${r.errors}` +
            (row.started === undefined ? '' : `, started ${row.started}/${r.ok}`),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return row;
    };

    /** CPU seconds so far of each process of the stack, with its children and their children. */
    const processTrees = (): Record<string, number> => {
      const tree = (pid: number | undefined) =>
        pid === undefined
          ? 0
          : [pid, ...descendants(pid)].reduce((sum, member) => {
              try {
                const cpu = readCpu(member);
                return sum + cpu.self + cpu.children;
              } catch {
                return sum; // exited meanwhile: its CPU is its parent's now
              }
            }, 0);
      const trees: Record<string, number> = {
        'temporal server': tree(stack.temporalPid),
        'bench process (client, emulator, media)': readCpu('self').self,
      };
      for (const proc of stack.processes) trees[proc.name] = (trees[proc.name] ?? 0) + tree(proc.pid);
      return trees;
    };

    if (series === 'busy') {
      await stack.startWorker('telegram');
      await stack.startWorker('downloads', { concurrency: Number(options['download-concurrency']) });
      for (const update of updatesFor(Number(options['seed-requests'])))
        await bareStart(stack.client, await captureStart(stack.config, update))();
      // Until the first seeded download has been delivered: the pipeline is moving.
      await stack.emulator.waitFor((call) => call.method === 'sendVideo' && call.status === 200, 120_000);
    }
    const seriesStart = Date.now();
    // Warm-up (JIT, connections, SQLite pages), not counted.
    for (const target of ['noop', 'bare', 'webhook'] as const) await run('fixed', target, 20, 2, false);
    for (const rate of rates)
      for (const target of ['noop', 'bare', 'webhook'] as const) await run('fixed', target, rate, duration);
    for (const target of ['webhook', 'bare'] as const) {
      const found: (typeof saturation)[number] = { series, target };
      saturation.push(found);
      for (const rate of saturationRates[series]) {
        const row = await run('saturation', target, rate, saturationDuration);
        const r = row.result;
        const lost = row.started !== undefined && row.started < r.ok;
        if (r.p99 > saturationP99 || r.errors > 0 || r.sentRate < 0.95 * rate || lost) {
          found.over = `${rate}/s (p99 ${ms(r.p99)}, ${r.errors} errors${lost ? ', LOST UPDATES' : ''})`;
          break;
        }
        found.passed = rate;
      }
    }
    toWebhook.close();
    toNoop.close();
    if (series === 'busy') {
      const minutes = (Date.now() - seriesStart) / 60_000;
      const videos = stack.emulator.calls.filter(
        (call) => call.method === 'sendVideo' && call.status === 200 && call.at >= seriesStart,
      ).length;
      const downloads = stack.media.requests.filter(
        (request) => request.complete && request.startedAt >= seriesStart,
      ).length;
      backgroundWork.push(
        `busy series (${minutes.toFixed(1)} min): the workers downloaded ${downloads} files and delivered ${videos} videos meanwhile ` +
          `(${(videos / minutes).toFixed(0)}/min; everything the runs started queued behind them)`,
      );
    }
  } finally {
    await stack.stop();
  }
}

for (const series of backgrounds) await runSeries(series);

const fmtCpu = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));
for (const series of backgrounds) {
  console.log(`\n## Fixed rates, ${series}`);
  console.log(
    table(
      [
        'rate/s',
        'target',
        'sent/s',
        'p50',
        'p99',
        'max',
        'errors',
        'workflows started vs 2xx',
        'CPU ms/request: temporal',
        'webhook|noop|client',
      ],
      rows
        .filter((row) => row.series === series && row.phase === 'fixed')
        .map((row) => [
          row.rate,
          row.target,
          row.result.sentRate.toFixed(1),
          ms(row.result.p50),
          ms(row.result.p99),
          ms(row.result.max),
          row.result.errors,
          row.started === undefined
            ? '-'
            : `${row.started} vs ${row.result.ok} ${row.started === row.result.ok ? 'equal' : row.started > row.result.ok ? '(+503 after start)' : 'LOST'}`,
          fmtCpu(row.cpuMsPerRequest.temporal),
          fmtCpu(row.cpuMsPerRequest.server),
        ]),
    ),
  );
  const busyRows = rows.filter((row) => row.series === series && row.phase === 'fixed' && row.coresInUse);
  if (busyRows.length > 0) {
    const names = Object.keys(busyRows[0]!.coresInUse!);
    console.log(
      `\n## Cores in use per process during each busy run (CPU s per second of the run, each with its children; ${os.availableParallelism()} cores)`,
    );
    console.log(
      table(
        ['rate/s', 'target', ...names, 'all'],
        busyRows.map((row) => {
          const values = names.map((name) => row.coresInUse![name] ?? 0);
          return [
            row.rate,
            row.target,
            ...values.map((value) => value.toFixed(2)),
            values.reduce((a, b) => a + b, 0).toFixed(2),
          ];
        }),
      ),
    );
  }
  console.log(`\n## Ratios, ${series} (same run, same background)`);
  console.log(
    table(
      [
        'rate/s',
        'webhook/bare p50',
        'webhook/bare p99',
        'webhook p99 - bare p99',
        'bare p50 - noop p50 (durable start)',
        'webhook p99 <= 50 ms',
        'webhook p99 <= 1.1 x bare',
      ],
      rates.map((rate) => {
        const of = (target: Target) =>
          rows.find(
            (row) => row.series === series && row.phase === 'fixed' && row.rate === rate && row.target === target,
          )!.result;
        const [w, b, n] = [of('webhook'), of('bare'), of('noop')];
        return [
          rate,
          ratio(w.p50, b.p50),
          ratio(w.p99, b.p99),
          ms(w.p99 - b.p99),
          ms(b.p50 - n.p50),
          w.p99 <= 50 ? 'yes' : 'no',
          w.p99 <= 1.1 * b.p99 ? 'yes' : 'no',
        ];
      }),
    ),
  );
}
console.log('');
for (const found of saturation) {
  console.log(
    `saturation point, ${found.series}, ${found.target}: ${found.passed === undefined ? `below ${saturationRates[found.series][0]}/s` : `${found.passed}/s`} ` +
      `with p99 <= ${saturationP99} ms${found.over ? `; over at ${found.over}` : '; not reached'}`,
  );
}
const lost = rows.filter((row) => row.started !== undefined && row.started < row.result.ok);
console.log(
  `lost updates (fewer workflows started than 2xx answers), all runs: ${lost.length === 0 ? 'none' : lost.map((row) => `${row.series} ${row.target}@${row.rate}: ${row.started}/${row.result.ok}`).join(', ')}`,
);
const ambiguous = rows.filter((row) => row.started !== undefined && row.started > row.result.ok);
if (ambiguous.length > 0) {
  console.log(
    `started although not answered 2xx (the start outlived the webhook's 5 s deadline: 503, and Telegram's redelivery is then answered 200 as a duplicate): ` +
      ambiguous.map((row) => `${row.series} ${row.target}@${row.rate}: ${row.started! - row.result.ok}`).join(', '),
  );
}
for (const line of backgroundWork) console.log(line);

if (options['pragma-comparison'] !== 'no') await comparePragmas();

/**
 * What the SQLite tuning buys: bare starts at 50/s for 5 s against two fresh dev servers, one
 * with SQLite's default pragmas (rollback journal, synchronous=FULL), one with what
 * startDevServer sets (WAL, synchronous=NORMAL).
 */
async function comparePragmas(): Promise<void> {
  const results: Array<[string, RunResult]> = [];
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: '1:bench',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
  });
  const startsFor = async (count: number, base: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        captureStart(config, linkUpdate(`http://127.0.0.1:9/u/${base + i}/clip.mp4`, base + i)),
      ),
    );
  // The search attributes the starts set must exist on the server, as startDevServer registers them.
  const cliTypes: Record<string, string> = {
    INT: 'Int',
    KEYWORD: 'Keyword',
    TEXT: 'Text',
    BOOL: 'Bool',
    DOUBLE: 'Double',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };
  const searchAttributes = ((await startsFor(1, 19_000_000))[0]!.options.typedSearchAttributes ?? []) as Array<{
    key: { name: string; type: string };
  }>;
  const searchAttributeArgs = searchAttributes.flatMap(({ key }) => [
    '--search-attribute',
    `${key.name}=${cliTypes[key.type] ?? 'Keyword'}`,
  ]);
  for (const [label, pragmas] of [
    ['SQLite defaults (journal_mode=delete, synchronous=full)', []],
    ['startDevServer (journal_mode=wal, synchronous=normal)', ['journal_mode=wal', 'synchronous=normal']],
  ] as Array<[string, string[]]>) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'media-bot-pragmas-'));
    const port = await freePort();
    const server = spawn(
      resolveTools().temporal,
      [
        'server',
        'start-dev',
        '--headless',
        '--db-filename',
        path.join(dir, 'temporal.sqlite'),
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--log-level',
        'error',
        ...searchAttributeArgs,
        ...pragmas.flatMap((p) => ['--sqlite-pragma', p]),
      ],
      { stdio: 'ignore' },
    );
    try {
      let connection: Connection | undefined;
      for (let i = 0; i < 120 && !connection; i++) {
        connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1_000 }).catch(
          () => undefined,
        );
        if (!connection) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (!connection) throw new Error('the comparison dev server did not start');
      const client = new Client({ connection });
      const warm = await startsFor(40, 20_000_000);
      await openLoop(20, 2, (i) => bareStart(client, warm[i]!)());
      const measured = await startsFor(250, 21_000_000);
      results.push([label, await openLoop(50, 5, (i) => bareStart(client, measured[i]!)())]);
      await connection.close();
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.log('\n## SQLite pragmas: bare client.workflow.start at 50/s for 5 s, no workers, fresh server each');
  console.log(
    table(
      ['dev server', 'p50', 'p99', 'max', 'errors'],
      results.map(([label, r]) => [label, ms(r.p50), ms(r.p99), ms(r.max), r.errors]),
    ),
  );
  for (const [label, r] of results) if (r.errors > 0) console.log(`${label}: ${JSON.stringify(r.statuses)}`);
  const [plain, tuned] = results.map(([, r]) => r);
  console.log(`WAL/NORMAL vs defaults: p50 ${ratio(tuned!.p50, plain!.p50)}, p99 ${ratio(tuned!.p99, plain!.p99)}`);
}
