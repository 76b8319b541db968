/**
 * The yt-dlp output fixtures of test/fixtures/yt-dlp (its README says what each one is): a
 * `<fixture>.txt` per case with yt-dlp's stderr, and for the `captured-*` ones the run capture.ts
 * recorded in captured.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyYtDlpFailure, type YtDlpFailure } from '../../activities/adapters/ytDlpErrors.js';

const YT_DLP_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/yt-dlp');

/** One case of capture.ts: the command line it ran and what came of it (stderr is the `.txt`). */
export interface CapturedRun {
  about: string;
  args: string[];
  exitCode: number | null;
  /** What yt-dlp left in the case's output dir. */
  files: Array<{ name: string; sizeBytes: number }>;
  stdout: string;
}

/** captured.json: the yt-dlp version of the capture, and its runs by fixture name. */
export const captured = JSON.parse(readFileSync(path.join(YT_DLP_FIXTURES, 'captured.json'), 'utf8')) as {
  ytDlpVersion: string;
  cases: Record<string, CapturedRun>;
};

/** The fixtures' names (the `.txt` files without the ending), sorted; only those starting with `prefix` if given. */
export function fixtureNames(prefix = ''): string[] {
  return readdirSync(YT_DLP_FIXTURES)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.txt'))
    .map((name) => name.replace(/\.txt$/, ''))
    .sort();
}

/** A fixture's stderr, as yt-dlp printed it (ANSI escapes and carriage returns included). */
export function stderrOf(fixture: string): string {
  return readFileSync(path.join(YT_DLP_FIXTURES, `${fixture}.txt`), 'utf8');
}

/**
 * What the command line's download activity handed `classifyYtDlpFailure` for a fixture: its
 * stderr, and stdout and exit code as recorded. Transcribed fixtures have no recorded run: their
 * messages are all fatal errors, and yt-dlp exits 1 on those.
 */
export function runOf(fixture: string): { stderr: string; stdout?: string; exitCode?: number | null } {
  const stderr = stderrOf(fixture);
  const run = captured.cases[fixture];
  return run ? { stderr, stdout: run.stdout, exitCode: run.exitCode } : { stderr, exitCode: 1 };
}

/** The command line's verdict on a fixture: `classifyYtDlpFailure` of its run as recorded (runOf). */
export function cliVerdict(fixture: string): YtDlpFailure {
  return classifyYtDlpFailure(runOf(fixture));
}
