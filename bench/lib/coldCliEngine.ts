/**
 * The frozen pre-engine baseline, for bench/ only: yt-dlp's command line started cold for every
 * step, exactly as the download engine ran it before the warm engine (commit 81ea734,
 * activities/adapters/ytDlpInfo.ts and fetchMedia.ts): a probe (`yt-dlp -J --flat-playlist`),
 * its info JSON written to `<dir>/item-N.info.json`, then one download run per attempt from that
 * file (`--load-info-json`). Behind the `DownloadEngine` interface so that the benches run it
 * through the same `fetchMedia` as the bot: bare and pipeline differ only in the yt-dlp part.
 *
 * Only what the benches need: no progress, no size refusal (the media are small), and an error is
 * yt-dlp's last `ERROR:` line. Do not "improve" these command lines: they are the baseline.
 */
import { rm, writeFile } from 'node:fs/promises';
import { runTool } from '../../activities/adapters/ffmpeg.js';
import type {
  DownloadEngine,
  DownloadReply,
  EngineError,
  EngineJob,
  JobConfig,
  ProbeReply,
} from '../../activities/adapters/warmEngine.js';
import type { JsRuntime } from '../../activities/adapters/ytDlpInfo.js';

export interface ColdCliOptions {
  /** yt-dlp's command line (`resolveTools().ytDlp`, .tools/bin/yt-dlp). */
  ytDlp: string;
  ffmpeg: string;
  jsRuntime?: JsRuntime;
}

const FILE_PREFIX = '[fetch-file] ';
const PROGRESS_PREFIX = '[fetch-progress] ';

/** The options both runs had, as the old `common()` built them. */
function common(options: ColdCliOptions, config: JobConfig): string[] {
  return [
    '--ignore-config',
    ...(options.jsRuntime ? ['--js-runtimes', `${options.jsRuntime.name}:${options.jsRuntime.path}`] : []),
    '--no-cache-dir',
    '--color',
    'never',
    '--socket-timeout',
    '15',
    '--ffmpeg-location',
    options.ffmpeg,
    ...(config.cookiesFile ? ['--cookies', config.cookiesFile] : []),
    ...(config.proxy ? ['--proxy', config.proxy] : []),
  ];
}

function lastError(stderr: string): EngineError {
  const line = stderr
    .split(/\r?\n/)
    .filter((text) => text.startsWith('ERROR:'))
    .at(-1);
  return { classes: [], message: line ?? (stderr.trim().split('\n').at(-1) || 'yt-dlp failed'), expected: false };
}

export class ColdCliEngine implements DownloadEngine {
  constructor(private readonly options: ColdCliOptions) {}

  openJob(config: JobConfig, signal?: AbortSignal): EngineJob {
    const { options } = this;
    const probes: Array<Record<string, unknown>> = [];
    const env = { PYTHONUNBUFFERED: '1' };
    return {
      // No process outlives a step here; nothing asks for it.
      pid: Promise.resolve(0),
      // Each step's process has exited when the step returns.
      exited: Promise.resolve(),
      async probe(url, playlistItems): Promise<ProbeReply> {
        const args = [
          ...common(options, config),
          '--no-playlist',
          '--flat-playlist',
          '--playlist-items',
          `1:${Math.max(1, playlistItems)}`,
          '--extractor-retries',
          '0',
          '--dump-single-json',
          '--',
          url,
        ];
        const run = await runTool(options.ytDlp, args, { signal, env });
        if (run.exitCode !== 0) return { kind: 'failed', error: lastError(run.stderr) };
        probes.push(JSON.parse(run.stdout) as Record<string, unknown>);
        return { kind: 'probed', probe: probes.length - 1, info: probes.at(-1)! };
      },
      async download(request): Promise<DownloadReply> {
        const probed = probes[request.probe]!;
        const info =
          request.entry === null ? probed : ((probed.entries as unknown[])[request.entry] as Record<string, unknown>);
        // The output template is `<dir>/item-N.%(ext)s`, escaped: the old engine's info JSON sat beside it.
        const infoJsonFile = `${request.outputTemplate.replace(/\.%\(ext\)s$/, '').replace(/%%/g, '%')}.info.json`;
        await writeFile(infoJsonFile, JSON.stringify(info), { mode: 0o600 });
        try {
          const args = [
            ...common(options, config),
            '--no-playlist',
            '--load-info-json',
            infoJsonFile,
            '--format',
            request.format,
            '--max-filesize',
            String(Math.max(1, Math.floor(request.guardBytes))),
            ...(request.mergeOutputFormat ? ['--merge-output-format', request.mergeOutputFormat] : []),
            '--no-mtime',
            '--retries',
            '2',
            '--fragment-retries',
            '2',
            '--newline',
            '--no-quiet',
            '--no-simulate',
            '--progress',
            '--progress-delta',
            '0.5',
            '--progress-template',
            `download:${PROGRESS_PREFIX}%(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s %(progress.speed)s`,
            '--print',
            `after_move:${FILE_PREFIX}%(filepath)j`,
            ...(request.thumbnailTemplate
              ? ['--write-thumbnail', '--output', `thumbnail:${request.thumbnailTemplate}`]
              : []),
            '--output',
            request.outputTemplate,
          ];
          const run = await runTool(options.ytDlp, args, { signal, env });
          const fileLine = run.stdout.split(/\r?\n/).find((line) => line.startsWith(FILE_PREFIX));
          if (run.exitCode === 0 && fileLine)
            return { kind: 'downloaded', file: JSON.parse(fileLine.slice(FILE_PREFIX.length)) as string };
          return { kind: 'failed', error: lastError(run.stderr) };
        } finally {
          await rm(infoJsonFile, { force: true });
        }
      },
      end() {},
    };
  }
}
