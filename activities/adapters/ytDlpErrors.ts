/**
 * Turns what a failed yt-dlp run printed into one of the bot's failure types plus a short reason
 * fit for a log line. Pure: no I/O, no clock, so the download activity and the tests share it.
 *
 * The rules come from real yt-dlp output; `test/fixtures/yt-dlp/` holds one sample per rule,
 * captured against loopback servers or transcribed from yt-dlp's source (see its README).
 *
 * What yt-dlp does that shapes this module:
 * - Errors are printed to stderr as `ERROR: [extractor] id: message (caused by ...)`, sometimes
 *   with more lines (geo blocks list the countries), and, with `-v`, a Python traceback.
 * - The `--max-filesize` abort is not an error: yt-dlp prints it on stdout and exits 0 without a
 *   file. Pass stdout along to have it recognised.
 * - A non-media file (application/octet-stream, application/pdf, ...) is not an error either: the
 *   generic extractor warns "URL could be a direct video link" and downloads it as
 *   `<id>.unknown_video`, exit 0. Only the caller, by probing the file, can tell it is no media.
 */
import { FailureType } from '../../shared/failures.js';

export interface YtDlpOutput {
  stderr: string;
  /** yt-dlp's stdout. Optional, but the max-filesize abort is only ever printed there. */
  stdout?: string;
  /** The process exit code; `null`/`undefined` when it was killed by a signal. */
  exitCode?: number | null;
}

export interface YtDlpFailure {
  type: FailureType;
  /** The key error message, cleaned: no `ERROR:`/`[extractor] id:` prefix, colours or traceback. */
  reason: string;
}

export interface MaxFilesizeAbort {
  sizeBytes: number;
  limitBytes: number;
}

/** Longest reason returned; longer messages are cut and end with an ellipsis. */
export const MAX_REASON_LENGTH = 300;

// CSI sequences (colours, cursor moves) and OSC sequences (window title).
const ANSI_PATTERN = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

const MAX_FILESIZE_ABORT = /File is larger than max-filesize \((\d+) bytes > (\d+) bytes\)/;

/**
 * Reads `[download] File is larger than max-filesize (X bytes > Y bytes). Aborting.` out of
 * yt-dlp's output (stdout, where yt-dlp prints it, or any text that contains it).
 */
export function parseMaxFilesizeAbort(text: string): MaxFilesizeAbort | undefined {
  const match = MAX_FILESIZE_ABORT.exec(stripAnsi(text));
  if (!match) return undefined;
  return { sizeBytes: Number(match[1]), limitBytes: Number(match[2]) };
}

interface Rule {
  type: FailureType;
  pattern: RegExp;
}

/**
 * An HTTP error while downloading the media itself, after extraction succeeded: the content was
 * there a moment ago, so a 4xx here is an expired or refused media URL (YouTube's infamous
 * "unable to download video data: HTTP Error 403"), not proof that the content is gone.
 */
const MEDIA_STAGE = /unable to download video data|\[download\] Got error|\bGot error:|\bfragment\b/i;

/** First match wins; the order matters where messages overlap. */
const RULES: Rule[] = [
  // Not a URL at all (generic extractor, no scheme).
  { type: FailureType.InvalidUrl, pattern: /is not a valid URL/i },
  // No extractor and the generic one found nothing on the page.
  { type: FailureType.UnsupportedUrl, pattern: /\bUnsupported URL:/ },
  // Extraction worked but nothing downloadable came out of it.
  {
    type: FailureType.NoMediaFound,
    pattern:
      /Requested format is not available|No video formats found|no suitable formats|There is no video in this post/i,
  },
  // YouTube's session rate limit ("Video unavailable. This content isn't available, try again
  // later. The current session has been rate-limited ..."): not about the content, it passes.
  {
    type: FailureType.TransientNetwork,
    pattern: /This content isn.t available, try again later|has been rate-limited/i,
  },
  // Media download refused after a successful extraction: unknown, worth one more try.
  { type: FailureType.TransientNetwork, pattern: new RegExp(`(?:${MEDIA_STAGE.source}).*HTTP Error 429`, 'i') },
  { type: FailureType.DownloadFailed, pattern: new RegExp(`(?:${MEDIA_STAGE.source}).*HTTP Error 4\\d\\d`, 'i') },
  // The page or API said the content is gone, forbidden or needs an account.
  { type: FailureType.ContentUnavailable, pattern: /HTTP Error (?:401|403|404|410)\b/ },
  // The host name does not exist (NXDOMAIN; glibc, macOS, Windows wording). Permanent for this
  // link; a resolver that is down says "Temporary failure in name resolution" instead.
  {
    type: FailureType.ContentUnavailable,
    pattern:
      /Name or service not known|nodename nor servname provided|No address associated with hostname|getaddrinfo failed|\[Errno (?:-2|-5|8|11001)\]/i,
  },
  // A broken TLS certificate will not fix itself within a retry, nor is it proof of anything.
  { type: FailureType.DownloadFailed, pattern: /CERTIFICATE_VERIFY_FAILED|certificate verify failed/i },
  // What the site says about the content itself.
  {
    type: FailureType.ContentUnavailable,
    pattern: new RegExp(
      [
        'Private video',
        'This video is private',
        'Video unavailable',
        'This video (?:has been|was) removed',
        'account associated with this video has been terminated',
        'is no longer available',
        'not (?:made this video )?available (?:in|from|at) your (?:country|location|region|area|territory)',
        'blocked it in your country',
        'geo.?restrict',
        'Sign in to confirm',
        'login required',
        'Login details are needed',
        'only available for registered users',
        'requires? (?:authentication|login)',
        'log ?in to access',
        'members[- ]only',
        'for (?:premium )?members only',
        'This live event will begin',
        'Premieres in',
        'Requested content is not available',
        'This video is DRM protected',
        'not authorized to view',
      ].join('|'),
      'i',
    ),
  },
  // The network or the host failed in a way that may pass.
  {
    type: FailureType.TransientNetwork,
    pattern: new RegExp(
      [
        'HTTP Error (?:5\\d\\d|429)\\b',
        'Connection refused',
        'actively refused',
        'Connection reset',
        'Connection aborted',
        'RemoteDisconnected',
        'Remote end closed connection',
        'timed out',
        'Temporary failure in name resolution',
        '\\[Errno (?:-3|11002)\\]',
        'Network is unreachable',
        'No route to host',
        '<urlopen error',
        'IncompleteRead',
        'bytes read',
        'content too short',
        'A network error has occurred',
        'Error reading response',
        'Broken pipe',
        'EOF occurred in violation of protocol',
        'UNEXPECTED_EOF',
        'Got error:',
        'Giving up after \\d+ retries',
      ].join('|'),
      'i',
    ),
  },
];

const ERROR_LINE = /^ERROR:\s?/;
/** Lines that end an error message: another tagged line, a traceback, or indentation. */
const NOT_CONTINUATION = /^(?:ERROR:|WARNING:|\[[^\]\n]+\]|Traceback \(most recent call last\)|\s|$)/;
const MAX_CONTINUATION_LINES = 5;

function lines(text: string): string[] {
  return stripAnsi(text).split(/\r?\n/);
}

/** The messages of every `ERROR:` line, with their continuation lines, in order. */
function errorMessages(stderr: string): string[] {
  const all = lines(stderr);
  const messages: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const line = all[i] ?? '';
    if (!ERROR_LINE.test(line)) continue;
    const parts = [line.replace(ERROR_LINE, '')];
    for (let j = i + 1; j < all.length && j <= i + MAX_CONTINUATION_LINES; j++) {
      const next = all[j] ?? '';
      if (NOT_CONTINUATION.test(next)) break;
      parts.push(next);
    }
    messages.push(parts.join('\n'));
  }
  return messages;
}

/**
 * Without an `ERROR:` line (a crash, a usage error, a silent exit): the last line that says
 * something, skipping traceback frames, debug and progress lines.
 */
function lastMeaningfulLine(stderr: string): string | undefined {
  const candidates = lines(stderr)
    .map((l) => l.replace(/\r/g, '').trimEnd())
    .filter((l) => l !== '' && !/^(?:\s|Traceback \(most recent call last\)|\[debug\]|\[download\]|WARNING:)/.test(l));
  return candidates.at(-1);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Makes one error message fit for a log line and a human. */
export function cleanReason(message: string): string {
  let text = stripAnsi(message)
    .replace(/\r/g, '')
    .replace(ERROR_LINE, '')
    // `\r[download] Got error: ...` (retries exhausted) keeps only the message.
    .replace(/^\s*\[download\]\s+/, '')
    // `[generic] id: `, `[youtube] dQw4w9WgXcQ: `, `[youtube:tab] `; the id is optional.
    .replace(/^\[[^\]\n]+\]\s+(?:[^\s:]+:\s+)?/, '');
  // yt-dlp's own boilerplate: the bug-report request, the cookie and VPN hints, the nested cause.
  text = text
    .replace(/[;,.]?\s*please report this issue on\s.*$/is, '')
    .replace(/\.?\s*Use --(?:cookies|username|netrc)\b.*$/s, '')
    .replace(/\s*You might want to use a VPN.*$/s, '')
    .replace(/\s+\(caused by .*$/s, '');
  // The lines of a multi-line message become sentences.
  text = text.replace(/([^.!?:;,\s])[ \t]*\n/g, '$1. ');
  return truncate(text.replace(/\s+/g, ' ').trim(), MAX_REASON_LENGTH);
}

function classifyMessage(message: string): FailureType | undefined {
  return RULES.find((rule) => rule.pattern.test(message))?.type;
}

/**
 * Maps a yt-dlp run that produced no usable file to a failure type and a short reason.
 * Unknown messages are `DownloadFailed`, which the retry policy retries.
 */
export function classifyYtDlpFailure(output: YtDlpOutput): YtDlpFailure {
  const abort = parseMaxFilesizeAbort(`${output.stderr}\n${output.stdout ?? ''}`);
  if (abort) {
    return {
      type: FailureType.FileTooLarge,
      reason: `File is larger than max-filesize (${abort.sizeBytes} bytes > ${abort.limitBytes} bytes)`,
    };
  }

  const messages = errorMessages(output.stderr);
  if (messages.length > 0) {
    // Normally one ERROR; if several, the first that a rule recognises decides.
    for (const message of messages) {
      const type = classifyMessage(message);
      if (type) return { type, reason: cleanReason(message) };
    }
    return { type: FailureType.DownloadFailed, reason: cleanReason(messages[0] ?? '') };
  }

  const exit =
    output.exitCode === undefined || output.exitCode === null ? 'was killed' : `exited with code ${output.exitCode}`;
  const last = lastMeaningfulLine(output.stderr);
  if (!last) {
    return { type: FailureType.DownloadFailed, reason: `yt-dlp ${exit} without an error message` };
  }
  return {
    type: classifyMessage(last) ?? FailureType.DownloadFailed,
    reason: truncate(`yt-dlp ${exit}: ${cleanReason(last)}`, MAX_REASON_LENGTH),
  };
}

/** What the warm engine reports when yt-dlp raised: its exception classes and its message. */
export interface YtDlpException {
  /** Class names, innermost cause first, with their bases (`['UnsupportedError', 'ExtractorError', …]`). */
  classes: readonly string[];
  /** yt-dlp's message, as it would have printed it (`ERROR: [generic] id: …`). */
  message: string;
}

/** Exception classes that say on their own what happened, whatever their message's wording. */
const CLASS_RULES: ReadonlyArray<readonly [string, FailureType]> = [
  ['UnsupportedError', FailureType.UnsupportedUrl],
  ['GeoRestrictedError', FailureType.ContentUnavailable],
];

/**
 * Maps an exception yt-dlp raised inside the warm engine to a failure type: its class where the
 * class decides, else its message through the same rules as the command line's stderr (the
 * message is the `ERROR:` line yt-dlp would have printed), so both engines classify alike.
 */
export function classifyYtDlpException(exception: YtDlpException): YtDlpFailure {
  const message = stripAnsi(exception.message).trim();
  const line = ERROR_LINE.test(message) ? message : `ERROR: ${message}`;
  for (const [name, type] of CLASS_RULES) {
    if (exception.classes.includes(name)) return { type, reason: cleanReason(line) };
  }
  return classifyYtDlpFailure({ stderr: line, exitCode: 1 });
}
