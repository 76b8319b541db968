/**
 * The part of a media a person asks for (`link 1:30-2:45`, `link 90-165`, `/clip link 1:30 2:45`):
 * how its times are read and how it is written back to them. Pure: used by the webhook, the
 * workflow (captions, status) and the download alike.
 */

/** A part of a media, in seconds from its start; recorded in workflow histories. */
export interface ClipRange {
  startSeconds: number;
  endSeconds: number;
}

export type RangeReading = { range: ClipRange } | { problem: string };

/** `s`, `m:ss` or `h:mm:ss` (seconds may carry a fraction: `1:05.5`). */
const TIME = /^(?:(\d+):)??(?:(\d+):)?(\d+(?:\.\d+)?)$/;

/** Seconds from a time as people write it; undefined when it is not one. */
export function parseClipTime(text: string): number | undefined {
  const match = TIME.exec(text.trim());
  if (!match) return undefined;
  const [, hours, minutes, seconds] = match;
  const secondsValue = Number(seconds);
  // After a colon, seconds (and minutes after hours) are two digits below 60.
  if (minutes !== undefined && !/^[0-5]\d(\.\d+)?$/.test(seconds!)) return undefined;
  if (hours !== undefined && !/^[0-5]\d$/.test(minutes!)) return undefined;
  return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + secondsValue;
}

/** A range from its two bounds as written; the problem, in words, when it is not one. */
export function readClipRange(startText: string, endText: string): RangeReading {
  const startSeconds = parseClipTime(startText);
  if (startSeconds === undefined) return { problem: `"${startText}" is not a time (use 90, 1:30 or 1:02:03)` };
  const endSeconds = parseClipTime(endText);
  if (endSeconds === undefined) return { problem: `"${endText}" is not a time (use 90, 1:30 or 1:02:03)` };
  if (endSeconds === startSeconds)
    return { problem: `the start and the end are the same (${formatClipTime(startSeconds)})` };
  if (endSeconds < startSeconds)
    return {
      problem: `the end (${formatClipTime(endSeconds)}) is before the start (${formatClipTime(startSeconds)})`,
    };
  return { range: { startSeconds, endSeconds } };
}

/** `start-end` as one word (`1:30-2:45`, `90-165`). */
export function readClipRangeWord(word: string): RangeReading {
  const dash = word.indexOf('-');
  if (dash < 0) return { problem: `"${word}" is not a range (use start-end, e.g. 1:30-2:45)` };
  return readClipRange(word.slice(0, dash), word.slice(dash + 1));
}

/** 90 → "1:30", 3723 → "1:02:03", 5.5 → "0:05.5". */
export function formatClipTime(totalSeconds: number): string {
  const whole = Math.floor(totalSeconds);
  const fraction = Math.round((totalSeconds - whole) * 10) / 10;
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = String(whole % 60).padStart(2, '0') + (fraction > 0 ? String(fraction).slice(1) : '');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "1:30–2:45", as captions and the status show a range. */
export function formatClipRange(range: ClipRange): string {
  return `${formatClipTime(range.startSeconds)}–${formatClipTime(range.endSeconds)}`;
}
