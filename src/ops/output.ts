/**
 * How the ops commands answer: a readable, aligned table by default, the same facts as JSON with
 * `--json` (for scripts), and an exit code that means something.
 */

/** 0: done; 1: the operation failed (a refused retry, nondeterminism found, a run not found). */
export type ExitCode = 0 | 1;

export interface CommandResult {
  /** What `--json` prints. */
  data: unknown;
  /** What a person reads. */
  text: string;
  /** Printed on stderr (`warning: …`), with or without --json: stdout stays the answer alone. */
  warnings?: string[];
  exitCode: ExitCode;
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `2026-11-27 19:57:06Z`: UTC, to the second. */
export function utc(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return '-';
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** `4s`, `12m`, `3h`, `2d`. */
export function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3_600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

export function ago(date: Date | undefined, now: Date): string {
  return date ? `${shortDuration(now.getTime() - date.getTime())} ago` : '-';
}

/** One line, at most `max` characters. */
export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function json(data: unknown): string {
  return JSON.stringify(data, null, 2);
}
