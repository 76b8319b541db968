import {
  MAX_REASON_LENGTH,
  classifyYtDlpFailure,
  parseMaxFilesizeAbort,
} from '../../activities/adapters/ytDlpErrors.js';
import { FailureType } from '../../shared/failures.js';
import { captured, fixtureNames, runOf, stderrOf } from '../support/ytDlpFixtures.js';

const { ContentUnavailable, DownloadFailed, FileTooLarge, InvalidUrl, NoMediaFound, TransientNetwork, UnsupportedUrl } =
  FailureType;

/** One row per fixture file: what it must be classified as, and why. */
const EXPECTED: Array<{ fixture: string; type: FailureType; why: string }> = [
  // Pages and APIs that refuse or lost the content.
  { fixture: 'captured-http-404', type: ContentUnavailable, why: 'a page that answers 404 is gone' },
  { fixture: 'captured-http-404-color', type: ContentUnavailable, why: 'colours do not change the meaning' },
  { fixture: 'captured-http-410', type: ContentUnavailable, why: 'a page that answers 410 is gone for good' },
  { fixture: 'captured-http-403', type: ContentUnavailable, why: 'a page that answers 403 will not let the bot in' },
  {
    fixture: 'captured-http-401',
    type: ContentUnavailable,
    why: 'a page that answers 401 needs an account the bot has not',
  },
  {
    fixture: 'captured-dns-nxdomain',
    type: ContentUnavailable,
    why: 'a host name that does not exist will not start to',
  },
  { fixture: 'captured-urllib-dns-nxdomain', type: ContentUnavailable, why: 'the urllib handler words NXDOMAIN alike' },
  // Failures that may pass.
  { fixture: 'captured-http-429', type: TransientNetwork, why: 'a 429 is a rate limit, which lifts' },
  { fixture: 'captured-http-500', type: TransientNetwork, why: 'a 500 is the server failing, not the link' },
  {
    fixture: 'captured-http-500-verbose',
    type: TransientNetwork,
    why: 'a traceback after the error does not change it',
  },
  { fixture: 'captured-http-503', type: TransientNetwork, why: 'a 503 is the server busy' },
  { fixture: 'captured-connection-refused', type: TransientNetwork, why: 'a refused connection is a host down' },
  { fixture: 'captured-urllib-connection-refused', type: TransientNetwork, why: 'the urllib handler words it alike' },
  {
    fixture: 'transcribed-legacy-urlopen-connection-refused',
    type: TransientNetwork,
    why: 'older yt-dlp wrapped it in <urlopen error>',
  },
  { fixture: 'captured-connection-reset', type: TransientNetwork, why: 'a reset connection is a network failure' },
  {
    fixture: 'captured-remote-disconnected',
    type: TransientNetwork,
    why: 'a server that hangs up without answering may answer next time',
  },
  { fixture: 'captured-read-timeout', type: TransientNetwork, why: 'a timeout is a slow or stuck host' },
  { fixture: 'captured-urllib-read-timeout', type: TransientNetwork, why: 'the urllib handler says just "timed out"' },
  {
    fixture: 'captured-dns-temporary-failure',
    type: TransientNetwork,
    why: 'a resolver that does not answer is our network, not the link',
  },
  { fixture: 'captured-truncated-html', type: TransientNetwork, why: 'a page cut short is a network failure' },
  {
    fixture: 'captured-truncated-mp4',
    type: TransientNetwork,
    why: 'media cut short on every retry is still a network failure',
  },
  {
    fixture: 'captured-media-503-after-probe',
    type: TransientNetwork,
    why: 'a 503 from the media host after ten retries may still pass',
  },
  {
    fixture: 'transcribed-youtube-rate-limited',
    type: TransientNetwork,
    why: 'YouTube says "try again later", despite "Video unavailable"',
  },
  // The media host refused the file after the page worked: unknown, worth another try.
  {
    fixture: 'captured-media-403-after-probe',
    type: DownloadFailed,
    why: 'a 403 on the media after a good extraction is not proof the content is gone',
  },
  // The link itself.
  { fixture: 'captured-not-a-url', type: InvalidUrl, why: 'yt-dlp says it is not a valid URL' },
  { fixture: 'captured-html-no-media', type: UnsupportedUrl, why: 'a page with no media is an unsupported URL' },
  // Extraction worked, nothing to download.
  { fixture: 'captured-format-not-available', type: NoMediaFound, why: 'no format matches the selector' },
  { fixture: 'transcribed-youtube-no-formats', type: NoMediaFound, why: 'the extractor found no formats at all' },
  // Too big.
  { fixture: 'captured-max-filesize', type: FileTooLarge, why: 'yt-dlp aborted at --max-filesize (on stdout, exit 0)' },
  // yt-dlp succeeded: a non-media file is downloaded as .unknown_video, exit 0; the caller must probe it.
  { fixture: 'captured-octet-stream', type: DownloadFailed, why: 'yt-dlp reports no error for an octet-stream file' },
  { fixture: 'captured-octet-stream-no-extension', type: DownloadFailed, why: 'nor when the URL has no extension' },
  { fixture: 'captured-pdf', type: DownloadFailed, why: 'nor for a PDF' },
  // What sites say about the content (transcribed from yt-dlp's source).
  { fixture: 'transcribed-youtube-private', type: ContentUnavailable, why: 'a private video needs an invitation' },
  { fixture: 'transcribed-youtube-removed', type: ContentUnavailable, why: 'a removed video is gone' },
  {
    fixture: 'transcribed-youtube-account-terminated',
    type: ContentUnavailable,
    why: 'a terminated account takes its videos along',
  },
  {
    fixture: 'transcribed-youtube-geo-blocked',
    type: ContentUnavailable,
    why: 'a geo block holds wherever the worker runs',
  },
  {
    fixture: 'transcribed-youtube-copyright-blocked',
    type: ContentUnavailable,
    why: 'a copyright block in this country is a geo block',
  },
  {
    fixture: 'transcribed-youtube-age-restricted',
    type: ContentUnavailable,
    why: 'an age gate needs a signed-in account',
  },
  {
    fixture: 'transcribed-youtube-bot-check',
    type: ContentUnavailable,
    why: 'the bot check needs cookies, and a quick retry will not pass it',
  },
  {
    fixture: 'transcribed-youtube-members-only',
    type: ContentUnavailable,
    why: 'members-only videos need a membership',
  },
  {
    fixture: 'transcribed-youtube-live-not-started',
    type: ContentUnavailable,
    why: 'a live event that has not begun has nothing to download yet',
  },
  {
    fixture: 'transcribed-youtube-drm-protected',
    type: ContentUnavailable,
    why: 'yt-dlp does not download DRM-protected media',
  },
  {
    fixture: 'transcribed-login-required',
    type: ContentUnavailable,
    why: 'a video for registered users needs an account',
  },
  {
    fixture: 'transcribed-instagram-content-not-available-2025',
    type: ContentUnavailable,
    why: 'Instagram wants a login',
  },
];

const fixtureFiles = fixtureNames();

describe('classifyYtDlpFailure, over real yt-dlp output', () => {
  it('has an expectation for every fixture file, and a fixture file for every expectation', () => {
    expect(EXPECTED.map((row) => row.fixture).sort()).toEqual(fixtureFiles);
  });

  it('has a recorded run for every captured fixture', () => {
    const capturedFixtures = fixtureFiles.filter((name) => name.startsWith('captured-'));
    expect(Object.keys(captured.cases).sort()).toEqual(capturedFixtures);
  });

  it.each(EXPECTED)('calls $fixture $type, because $why', ({ fixture, type }) => {
    expect(classifyYtDlpFailure(runOf(fixture)).type).toBe(type);
  });
});

describe('the reason', () => {
  it.each(fixtureFiles)('for %s is one clean line of at most MAX_REASON_LENGTH characters', (fixture) => {
    const { reason } = classifyYtDlpFailure(runOf(fixture));
    expect(reason.length).toBeGreaterThan(0);
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(reason).not.toMatch(/\u001b|\r|\n/);
    expect(reason).not.toMatch(/^(?:ERROR|WARNING):/);
    expect(reason).not.toMatch(/^\[[^\]]+\]/);
    expect(reason).not.toMatch(/please report this issue|caused by/i);
  });

  it('is the key error line without the "ERROR:" and "[generic] id:" prefixes or the nested cause', () => {
    expect(classifyYtDlpFailure(runOf('captured-http-404')).reason).toBe(
      'Unable to download webpage: HTTP Error 404: Not Found',
    );
  });

  it('is the same with colours on, since the ANSI codes are stripped', () => {
    const coloured = stderrOf('captured-http-404-color');
    expect(coloured).toContain('\u001b[0;31mERROR:');
    expect(classifyYtDlpFailure(runOf('captured-http-404-color')).reason).toBe(
      classifyYtDlpFailure(runOf('captured-http-404')).reason,
    );
  });

  it('leaves the traceback of a verbose run out', () => {
    const verbose = stderrOf('captured-http-500-verbose');
    expect(verbose).toContain('  File "');
    const { reason } = classifyYtDlpFailure(runOf('captured-http-500-verbose'));
    expect(reason).toBe('Unable to download webpage: HTTP Error 500: Internal Server Error');
    expect(reason).not.toMatch(/File "|Traceback|\[debug\]/);
  });

  it('drops the cookie hints and keeps what the site said', () => {
    expect(classifyYtDlpFailure(runOf('transcribed-youtube-private')).reason).toBe(
      "Private video. Sign in if you've been granted access to this video",
    );
  });

  it('keeps the lines of a multi-line message as sentences, without the VPN advice', () => {
    expect(classifyYtDlpFailure(runOf('transcribed-youtube-geo-blocked')).reason).toBe(
      'The uploader has not made this video available in your country. This video is available in Germany, Austria.',
    );
  });

  it('shows the last retry error without the "[download]" tag and carriage return', () => {
    expect(classifyYtDlpFailure(runOf('captured-media-503-after-probe')).reason).toBe(
      'Got error: HTTP Error 503: Service Unavailable. Giving up after 10 retries',
    );
  });

  it('is cut to MAX_REASON_LENGTH characters, ending in an ellipsis, however long the message', () => {
    const { reason } = classifyYtDlpFailure({
      stderr: `ERROR: [generic] x: ${'very long message '.repeat(500)}\n`,
      exitCode: 1,
    });
    expect(reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reason.endsWith('…')).toBe(true);
  });
});

describe('parseMaxFilesizeAbort', () => {
  it('reads the size and the limit from the line yt-dlp prints on stdout', () => {
    expect(
      parseMaxFilesizeAbort('[download] File is larger than max-filesize (31982 bytes > 1024 bytes). Aborting.'),
    ).toEqual({ sizeBytes: 31982, limitBytes: 1024 });
  });

  it('finds the line in a whole captured stdout, carriage return and all', () => {
    const run = captured.cases['captured-max-filesize'];
    expect(run?.stdout).toContain('\r[download] File is larger than max-filesize');
    // --max-filesize 1k; the size is whatever ffmpeg made of the 2 s test clip.
    const abort = parseMaxFilesizeAbort(run?.stdout ?? '');
    expect(abort?.limitBytes).toBe(1024);
    expect(abort?.sizeBytes).toBeGreaterThan(1024);
  });

  it('reads sizes beyond 2 GB', () => {
    expect(
      parseMaxFilesizeAbort('File is larger than max-filesize (5368709120 bytes > 2097152000 bytes). Aborting.'),
    ).toEqual({ sizeBytes: 5_368_709_120, limitBytes: 2_097_152_000 });
  });

  it('returns undefined when there was no such abort', () => {
    expect(parseMaxFilesizeAbort(runOf('captured-http-404').stderr)).toBeUndefined();
    expect(parseMaxFilesizeAbort('')).toBeUndefined();
  });

  it('turns into FileTooLarge with both numbers in the reason, even though yt-dlp exited 0', () => {
    const run = runOf('captured-max-filesize');
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const abort = parseMaxFilesizeAbort(run.stdout ?? '');
    expect(classifyYtDlpFailure(run)).toEqual({
      type: FileTooLarge,
      reason: `File is larger than max-filesize (${abort?.sizeBytes} bytes > 1024 bytes)`,
    });
  });
});

describe('what yt-dlp does with a direct link to a file that is not media', () => {
  it.each(['captured-octet-stream', 'captured-octet-stream-no-extension', 'captured-pdf'])(
    'in %s, it warns, downloads the file as .unknown_video and exits 0',
    (fixture) => {
      const run = captured.cases[fixture];
      expect(run?.exitCode).toBe(0);
      expect(run?.files).toHaveLength(1);
      expect(run?.files[0]?.name).toMatch(/\.unknown_video$/);
      expect(runOf(fixture).stderr).toContain('URL could be a direct video link, returning it as such.');
    },
  );

  it('so there is no error to classify, and the reason says so', () => {
    expect(classifyYtDlpFailure(runOf('captured-pdf'))).toEqual({
      type: DownloadFailed,
      reason: 'yt-dlp exited with code 0 without an error message',
    });
  });
});

describe('output without an ERROR line', () => {
  it('names the exception of a crash, not its traceback', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3.11/site-packages/yt_dlp/YoutubeDL.py", line 3540, in process_info',
      '    os.makedirs(dirname)',
      "OSError: [Errno 28] No space left on device: '/tmp/x'",
      '',
    ].join('\n');
    expect(classifyYtDlpFailure({ stderr, exitCode: 1 })).toEqual({
      type: DownloadFailed,
      reason: "yt-dlp exited with code 1: OSError: [Errno 28] No space left on device: '/tmp/x'",
    });
  });

  it('says yt-dlp was killed when there is no exit code', () => {
    expect(classifyYtDlpFailure({ stderr: '', exitCode: null })).toEqual({
      type: DownloadFailed,
      reason: 'yt-dlp was killed without an error message',
    });
  });
});

describe('messages not in the fixtures', () => {
  it.each([
    ['ERROR: [youtube] abc: Premieres in 2 hours', ContentUnavailable],
    [
      'ERROR: [vimeo] 123: Unable to download JSON metadata: HTTP Error 404: Not Found (caused by <HTTPError 404: Not Found>)',
      ContentUnavailable,
    ],
    ['ERROR: unable to download video data: HTTP Error 429: Too Many Requests', TransientNetwork],
    ['ERROR: unable to download video data: HTTP Error 502: Bad Gateway', TransientNetwork],
    [
      "ERROR: [generic] x: Unable to download webpage: <urlopen error [Errno 11001] getaddrinfo failed> (caused by URLError(gaierror(11001, 'getaddrinfo failed')))",
      ContentUnavailable,
    ],
    [
      'ERROR: [generic] x: Unable to download webpage: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)',
      DownloadFailed,
    ],
    [
      'ERROR: [youtube] abc: Unable to extract yt initial data; please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U',
      DownloadFailed,
    ],
    [
      'ERROR: Postprocessing: ffprobe and ffmpeg not found. Please install or provide the path using --ffmpeg-location',
      DownloadFailed,
    ],
  ] as const)('%s is %s', (stderr, type) => {
    expect(classifyYtDlpFailure({ stderr, exitCode: 1 }).type).toBe(type);
  });

  it('lets the first recognised ERROR decide when there are several', () => {
    const stderr =
      'ERROR: something nobody knows\nERROR: [generic] x: Unable to download webpage: HTTP Error 410: Gone\n';
    expect(classifyYtDlpFailure({ stderr, exitCode: 1 })).toEqual({
      type: ContentUnavailable,
      reason: 'Unable to download webpage: HTTP Error 410: Gone',
    });
  });
});
