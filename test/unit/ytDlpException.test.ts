/**
 * classifyYtDlpException: what the warm engine reports when yt-dlp raised (its exception classes
 * and its message) classified as the command line's stderr was. The messages are the ERROR lines
 * of the transcribed fixtures (test/fixtures/yt-dlp/transcribed-*.txt: what yt-dlp prints for
 * cases that need the real site), so both engines must agree on every one of them.
 */
import { classifyYtDlpException } from '../../activities/adapters/ytDlpErrors.js';
import { FailureType } from '../../shared/failures.js';
import { cliVerdict, fixtureNames, stderrOf } from '../support/ytDlpFixtures.js';

/** What an ExtractorError raised inside the engine carries: the classes decide nothing here. */
const EXTRACTOR_ERROR = ['ExtractorError', 'YoutubeDLError'];

const transcribed = fixtureNames('transcribed-');

/**
 * The message yt-dlp raised with: the ERROR line and the lines that belong to it (a geo block
 * names the countries on lines of their own), as DownloadError's message holds them; the
 * warnings printed before it are not part of it.
 */
function errorMessageOf(fixture: string): string {
  const lines = stderrOf(fixture).split('\n');
  const start = lines.findIndex((line) => line.startsWith('ERROR:'));
  if (start < 0) throw new Error(`${fixture} has no ERROR line`);
  return lines.slice(start).join('\n').trimEnd();
}

describe('classifyYtDlpException, on the messages of the transcribed fixtures', () => {
  it('has fixtures to read', () => {
    expect(transcribed.length).toBeGreaterThanOrEqual(10);
  });

  it.each(transcribed)(
    'classifies the ERROR of %s as the command line’s stderr was, with the same reason',
    (fixture) => {
      const verdict = classifyYtDlpException({ classes: EXTRACTOR_ERROR, message: errorMessageOf(fixture) });
      expect(verdict).toEqual(cliVerdict(fixture));
    },
  );

  it.each(transcribed)(
    'gives %s the same type when the message has no "ERROR:" prefix (an exception’s own str())',
    (fixture) => {
      const bare = errorMessageOf(fixture).replace(/^ERROR:\s*/, '');
      expect(bare.startsWith('ERROR')).toBe(false);
      expect(classifyYtDlpException({ classes: EXTRACTOR_ERROR, message: bare }).type).toBe(cliVerdict(fixture).type);
    },
  );

  it.each(transcribed)('gives %s the same type and reason when the message is coloured (ANSI escapes)', (fixture) => {
    // yt-dlp's own colouring of the prefix (captured-http-404-color.txt), and a bold id for good measure.
    const coloured = errorMessageOf(fixture)
      .replace(/^ERROR:/, '\u001b[0;31mERROR:\u001b[0m')
      .replace(/^(\S+ )(\[[^\]]+\])/, '$1\u001b[1m$2\u001b[0m');
    expect(coloured).toContain('\u001b[');
    expect(classifyYtDlpException({ classes: EXTRACTOR_ERROR, message: coloured })).toEqual(cliVerdict(fixture));
  });
});

describe('classifyYtDlpException, by class', () => {
  it('calls an UnsupportedError UnsupportedUrl, whatever the message says', () => {
    const verdict = classifyYtDlpException({
      classes: ['UnsupportedError', 'ExtractorError', 'YoutubeDLError'],
      message: 'ERROR: [generic] page: something no rule knows about',
    });
    expect(verdict).toEqual({ type: FailureType.UnsupportedUrl, reason: 'something no rule knows about' });
  });

  it('calls a GeoRestrictedError ContentUnavailable, even when its wording would say a network failure', () => {
    const verdict = classifyYtDlpException({
      classes: ['GeoRestrictedError', 'ExtractorError', 'YoutubeDLError'],
      message: 'ERROR: [somesite] 42: Connection reset while checking your region',
    });
    expect(verdict.type).toBe(FailureType.ContentUnavailable);
    expect(verdict.reason).toBe('Connection reset while checking your region');
  });

  it('calls the transcribed geo block ContentUnavailable by its class too, with the reason the command line gives', () => {
    const verdict = classifyYtDlpException({
      classes: ['GeoRestrictedError', 'ExtractorError', 'YoutubeDLError'],
      message: errorMessageOf('transcribed-youtube-geo-blocked'),
    });
    expect(verdict).toEqual(cliVerdict('transcribed-youtube-geo-blocked'));
  });

  it('falls back to the stderr rules for classes that decide nothing (an HTTP error, a bare DownloadError)', () => {
    expect(
      classifyYtDlpException({
        classes: ['HTTPError', 'RequestError', 'YoutubeDLError'],
        message: 'ERROR: [generic] x: Unable to download webpage: HTTP Error 503: Service Unavailable',
      }).type,
    ).toBe(FailureType.TransientNetwork);
    expect(
      classifyYtDlpException({
        classes: [],
        message: 'ERROR: [generic] x: Unable to download webpage: HTTP Error 410: Gone',
      }).type,
    ).toBe(FailureType.ContentUnavailable);
  });

  it('calls a message no rule knows DownloadFailed (retried), with the message as the reason', () => {
    expect(
      classifyYtDlpException({
        classes: ['PostProcessingError', 'YoutubeDLError'],
        message: 'Postprocessing: something odd',
      }),
    ).toEqual({
      type: FailureType.DownloadFailed,
      reason: 'Postprocessing: something odd',
    });
  });
});
