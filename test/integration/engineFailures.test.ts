/**
 * Every failure the captured fixtures cover (test/fixtures/yt-dlp/captured-*.txt, the command
 * line's stderr against loopback servers), reproduced through the warm engine against the same
 * server behaviour: what the engine reports (yt-dlp's exception classes and message) must be
 * classified (`classifyYtDlpException`) as the captured stderr is (`classifyYtDlpFailure`). What
 * the engine answers as its own outcome instead of an error (max-filesize: a typed 'too-large';
 * a non-media file: a download that ffprobe then finds no media in, sent as a document) is
 * checked as that outcome.
 * Real engine, real yt-dlp, real ffprobe; nothing but loopback.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ffprobeFile } from '../../activities/adapters/mediaProbe.js';
import { WarmEngine, type DownloadReply, type EngineError } from '../../activities/adapters/warmEngine.js';
import { classifyYtDlpException } from '../../activities/adapters/ytDlpErrors.js';
import { resolveTools } from '../../src/tools.js';
import { FailureType } from '../../shared/failures.js';
import {
  closedPort,
  listen,
  MINIMAL_PDF,
  NON_MEDIA_BYTES,
  startHttpServer,
  startResetServer,
} from '../fixtures/yt-dlp/servers.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { captured, cliVerdict } from '../support/ytDlpFixtures.js';

// --- The cases. ---

interface Servers {
  http: string;
  reset: string;
  closed: string;
}

interface Reproduction {
  fixture: string;
  /** How the engine meets the same server behaviour, where it differs from the capture's command line. */
  how: string;
  url: (servers: Servers) => string;
  /** Where yt-dlp fails: the probe (extraction) or the download of the probe's info. */
  stage: 'probe' | 'download';
  format?: string;
  guardBytes?: number;
}

/** yt-dlp's own default format selector: what the capture's command line downloaded with. */
const CLI_DEFAULT_FORMAT = 'bestvideo*+bestaudio/best';

const statusCase = (fixture: string, code: number, how = 'the same status'): Reproduction => ({
  fixture,
  how,
  url: (s) => `${s.http}/status/${code}`,
  stage: 'probe',
});

/** Failures: the engine's error must be classified as the captured stderr is. */
const FAILURES: Reproduction[] = [
  statusCase('captured-http-404', 404),
  statusCase('captured-http-403', 403),
  statusCase('captured-http-410', 410),
  statusCase('captured-http-401', 401),
  statusCase('captured-http-429', 429),
  statusCase('captured-http-500', 500),
  statusCase('captured-http-503', 503),
  statusCase(
    'captured-http-404-color',
    404,
    'a 404; the engine never colours, the fixture’s ANSI must not change the verdict',
  ),
  statusCase(
    'captured-http-500-verbose',
    500,
    'a 500; the engine prints no traceback, the fixture’s must not change the verdict',
  ),
  {
    fixture: 'captured-connection-refused',
    how: 'a port nobody listens on',
    url: (s) => `${s.closed}/watch`,
    stage: 'probe',
  },
  {
    fixture: 'captured-urllib-connection-refused',
    how: 'the same refusal through the engine’s own (requests) handler',
    url: (s) => `${s.closed}/watch`,
    stage: 'probe',
  },
  {
    fixture: 'captured-connection-reset',
    how: 'a TCP reset after the request',
    url: (s) => `${s.reset}/watch`,
    stage: 'probe',
  },
  {
    fixture: 'captured-remote-disconnected',
    how: 'a close without an answer',
    url: (s) => `${s.http}/hangup`,
    stage: 'probe',
  },
  {
    fixture: 'captured-read-timeout',
    how: 'no answer; the engine’s socket timeout (15 s) instead of the capture’s 2 s',
    url: (s) => `${s.http}/hang`,
    stage: 'probe',
  },
  {
    fixture: 'captured-urllib-read-timeout',
    how: 'no answer, through the engine’s own (requests) handler',
    url: (s) => `${s.http}/hang`,
    stage: 'probe',
  },
  { fixture: 'captured-html-no-media', how: 'a page without media', url: (s) => `${s.http}/page.html`, stage: 'probe' },
  {
    fixture: 'captured-truncated-html',
    how: 'a page cut short',
    url: (s) => `${s.http}/truncated.html`,
    stage: 'probe',
  },
  { fixture: 'captured-not-a-url', how: 'the same argument', url: () => 'not-a-url', stage: 'probe' },
  {
    fixture: 'captured-truncated-mp4',
    how: 'mp4 cut short on every request (the engine retries 2 times, the command line 10)',
    url: (s) => `${s.http}/truncated.mp4`,
    stage: 'download',
  },
  {
    fixture: 'captured-media-403-after-probe',
    how: '403 to the download after a good probe',
    url: (s) => `${s.http}/flaky/403/clip.mp4`,
    stage: 'download',
  },
  {
    fixture: 'captured-media-503-after-probe',
    how: '503 to the download after a good probe',
    url: (s) => `${s.http}/flaky/503/clip.mp4`,
    stage: 'download',
  },
  {
    fixture: 'captured-format-not-available',
    how: 'the same selector, given to the download of the probe’s info',
    url: (s) => `${s.http}/video.mp4`,
    stage: 'download',
    format: 'bv*[height>4000]',
  },
];

const MAX_FILESIZE: Reproduction = {
  fixture: 'captured-max-filesize',
  how: 'a real mp4 with a 1 KiB size guard',
  url: (s) => `${s.http}/video.mp4`,
  stage: 'download',
  guardBytes: 1024,
};

/** Non-media files: yt-dlp downloads them (exit 0 on the command line); ffprobe must find no media in them. */
const NOT_MEDIA: Array<Reproduction & { bytes: Buffer }> = [
  {
    fixture: 'captured-octet-stream',
    how: 'the same bytes',
    url: (s) => `${s.http}/files/data.bin`,
    stage: 'download',
    bytes: NON_MEDIA_BYTES,
  },
  {
    fixture: 'captured-octet-stream-no-extension',
    how: 'the same bytes',
    url: (s) => `${s.http}/download?id=42`,
    stage: 'download',
    bytes: NON_MEDIA_BYTES,
  },
  {
    fixture: 'captured-pdf',
    how: 'the same PDF',
    url: (s) => `${s.http}/files/report.pdf`,
    stage: 'download',
    bytes: MINIMAL_PDF,
  },
];

/** Name resolution depends on the machine's resolver (see the fixtures' README): not reproduced here. */
const RESOLVER_CASES = ['captured-dns-nxdomain', 'captured-dns-temporary-failure', 'captured-urllib-dns-nxdomain'];

// --- The engine and the runs. ---

type Outcome =
  | { stage: 'probe'; kind: 'failed'; error: EngineError; dir: string }
  | ({ stage: 'download'; dir: string } & DownloadReply);

const tools = resolveTools();
const engine = new WarmEngine({ python: tools.python, ffmpeg: tools.ffmpeg, jsRuntime: tools.jsRuntime });
let captureServer: http.Server;
let resetServer: net.Server;
let servers: Servers;
let mp4: Buffer;
const outcomes = new Map<string, Promise<Outcome>>();
const dirs: string[] = [];

/** One job on the engine, as fetchMedia runs it: probe, then download from the probe's info. */
async function reproduce(reproduction: Reproduction): Promise<Outcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'engine-failure-'));
  dirs.push(dir);
  const job = engine.openJob({});
  try {
    const probe = await job.probe(reproduction.url(servers), 1);
    if (probe.kind === 'failed') return { stage: 'probe', kind: 'failed', error: probe.error, dir };
    const reply = await job.download({
      probe: probe.probe,
      entry: null,
      format: reproduction.format ?? CLI_DEFAULT_FORMAT,
      guardBytes: reproduction.guardBytes ?? 50_000_000,
      // The capture's output template: the same file names.
      outputTemplate: path.join(dir, '%(id)s.%(ext)s'),
    });
    return { stage: 'download', dir, ...reply };
  } finally {
    job.end();
  }
}

function outcomeOf(fixture: string): Promise<Outcome> {
  const outcome = outcomes.get(fixture);
  if (!outcome) throw new Error(`${fixture} was not reproduced`);
  return outcome;
}

beforeAll(async () => {
  mp4 = await readFile((await createMediaFixtures()).video);
  // The capture's servers (test/fixtures/yt-dlp/servers.ts), on random ports.
  captureServer = startHttpServer(mp4);
  resetServer = startResetServer();
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  servers = {
    http: origin(await listen(captureServer)),
    reset: origin(await listen(resetServer)),
    closed: origin(await closedPort()),
  };
  await engine.start();
  // All at once, as jobs of one engine: the two read timeouts take the engine's 15 s each, the
  // rest well under a second; each test waits for its own.
  for (const reproduction of [...FAILURES, MAX_FILESIZE, ...NOT_MEDIA]) {
    const outcome = reproduce(reproduction);
    outcome.catch(() => undefined);
    outcomes.set(reproduction.fixture, outcome);
  }
});

afterAll(async () => {
  await Promise.allSettled(outcomes.values());
  await engine.close();
  captureServer?.closeAllConnections();
  await new Promise((resolve) => captureServer?.close(resolve));
  await new Promise((resolve) => resetServer?.close(resolve));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the warm engine’s failures, against the captured command line’s', () => {
  it('reproduces every captured case but the resolver’s', () => {
    const covered = [...FAILURES, MAX_FILESIZE, ...NOT_MEDIA].map((reproduction) => reproduction.fixture);
    expect([...covered, ...RESOLVER_CASES].sort()).toEqual(Object.keys(captured.cases).sort());
    expect(new Set(covered).size).toBe(covered.length);
  });

  it.each(FAILURES)(
    '$fixture ($how): fails at the $stage and is classified as the captured stderr is',
    async ({ fixture, stage }) => {
      const outcome = await outcomeOf(fixture);
      const expected = cliVerdict(fixture).type;
      if (outcome.kind !== 'failed')
        throw new Error(`${fixture}: expected a failure, the engine answered ${JSON.stringify(outcome)}`);
      const context = { fixture, engine: outcome.error };
      expect({ stage: outcome.stage, type: classifyYtDlpException(outcome.error).type, context }).toEqual({
        stage,
        type: expected,
        context,
      });
      // Like the command line, a failure leaves no file behind.
      expect(await readdir(outcome.dir)).toEqual([]);
    },
  );

  // Fails for captured-format-not-available: the engine reports that ExtractorError (raised by
  // process_ie_result, which nothing wraps in report_error) as "ExtractorError: [generic] video: …"
  // instead of the "ERROR: [generic] video: …" line yt-dlp prints (ytdlp_engine.py describe_error).
  it.each(FAILURES)(
    '$fixture: the reason is a clean line, as the command line’s is (no exception class, no [extractor] tag)',
    async ({ fixture }) => {
      const outcome = await outcomeOf(fixture);
      if (outcome.kind !== 'failed') throw new Error(`${fixture}: expected a failure`);
      const { reason } = classifyYtDlpException(outcome.error);
      expect(reason.length).toBeGreaterThan(0);
      expect(reason).not.toMatch(/^\w*(?:Error|Exception):/);
      expect(reason).not.toMatch(/\[[\w:]+\] [^\s:]+:/);
      expect(reason).not.toMatch(/\u001b|\r|\n|caused by|please report/i);
    },
  );

  it('captured-max-filesize: answers a typed too-large with the file’s real size, and leaves no file (the command line: FileTooLarge from its stdout)', async () => {
    expect(cliVerdict('captured-max-filesize').type).toBe(FailureType.FileTooLarge);
    expect(captured.cases['captured-max-filesize']!.files).toEqual([]);
    const outcome = await outcomeOf('captured-max-filesize');
    expect(outcome).toMatchObject({ stage: 'download', kind: 'too-large', sizeBytes: mp4.length });
    expect(await readdir(outcome.dir)).toEqual([]);
  });

  it.each(NOT_MEDIA)(
    '$fixture: downloads the file as the command line did (same name, same bytes), and ffprobe finds no media in it',
    async ({ fixture, bytes }) => {
      const run = captured.cases[fixture]!;
      expect(run.exitCode).toBe(0);
      const outcome = await outcomeOf(fixture);
      if (outcome.kind !== 'downloaded')
        throw new Error(`${fixture}: expected a download, the engine answered ${JSON.stringify(outcome)}`);
      expect(await readdir(outcome.dir)).toEqual(run.files.map((file) => file.name));
      expect(path.basename(outcome.file)).toBe(run.files[0]!.name);
      const downloaded = await readFile(outcome.file);
      expect(downloaded.length).toBe(run.files[0]!.sizeBytes);
      expect(downloaded.equals(bytes)).toBe(true);
      // What fetchMedia does next: ffprobe sees neither video nor audio in it (it goes as a document).
      const probed = await ffprobeFile(tools.ffprobe, outcome.file);
      expect(probed.kind).toBe('document');
      expect([probed.videoCodec, probed.audioCodec]).toEqual([undefined, undefined]);
    },
  );
});
