import {
  albumCapNote,
  cancelAnswer,
  doneSummary,
  escapeHtml,
  linkProgressText,
  mediaCaption,
} from '../../shared/botTexts.js';

/** Telegram's caption limit, counted after HTML parsing. */
const CAPTION_LIMIT = 1024;

/** The text Telegram shows for an HTML caption without tags: the four entities decoded, in one pass. */
function asTelegramShows(html: string): string {
  const decoded: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&amp;': '&' };
  return html.replace(/&(lt|gt|quot|amp);/g, (entity) => decoded[entity] ?? entity);
}

/** True when every `&`, `<` and `>` of the HTML is part of an entity, so Telegram can parse it. */
function isEscaped(html: string): boolean {
  return !/[<>"]|&(?!(lt|gt|quot|amp);)/.test(html);
}

const LONG_TITLE = 'A very long title '.repeat(300).slice(0, 5_000);
const LONG_LINK = `https://example.com/watch?v=${'x'.repeat(2_000 - 'https://example.com/watch?v='.length)}`;

describe('mediaCaption', () => {
  it('writes the title, then the link on its own line', () => {
    expect(mediaCaption('My holiday video', 'https://example.com/v/1')).toBe(
      'My holiday video\nhttps://example.com/v/1',
    );
  });

  it('writes just the link when there is no title', () => {
    expect(mediaCaption(undefined, 'https://example.com/v/1')).toBe('https://example.com/v/1');
  });

  it.each(['', '   ', '\n\t '])('writes just the link when the title is blank (%j)', (title) => {
    expect(mediaCaption(title, 'https://example.com/v/1')).toBe('https://example.com/v/1');
  });

  it('escapes <, >, & and " in the title', () => {
    expect(mediaCaption('Tom & Jerry <b>"live"</b>', 'https://example.com/v')).toBe(
      'Tom &amp; Jerry &lt;b&gt;&quot;live&quot;&lt;/b&gt;\nhttps://example.com/v',
    );
  });

  it('escapes the & of the query in the link', () => {
    expect(mediaCaption('Clip', 'https://example.com/watch?v=1&t=30')).toBe(
      'Clip\nhttps://example.com/watch?v=1&amp;t=30',
    );
  });

  it('escapes the link when there is no title too', () => {
    expect(mediaCaption(undefined, 'https://example.com/watch?v=1&t=30')).toBe(
      'https://example.com/watch?v=1&amp;t=30',
    );
  });

  it('writes the title on one line, with runs of spaces, tabs and newlines as single spaces', () => {
    expect(mediaCaption('  Part 1:\n\n  the\tstart  ', 'https://example.com/v')).toBe(
      'Part 1: the start\nhttps://example.com/v',
    );
  });

  it('keeps a title and link that fit whole', () => {
    const title = 't'.repeat(500);
    const link = `https://example.com/${'l'.repeat(280)}`;
    expect(mediaCaption(title, link)).toBe(`${title}\n${link}`);
  });

  it('keeps a link of 300 characters whole', () => {
    const link = `https://example.com/${'l'.repeat(300 - 'https://example.com/'.length)}`;
    expect(link).toHaveLength(300);
    expect(mediaCaption(undefined, link)).toBe(link);
  });

  it('shortens a link over 300 characters to 300, ending with …', () => {
    const link = `https://example.com/${'l'.repeat(301 - 'https://example.com/'.length)}`;
    const caption = mediaCaption(undefined, link);
    expect(caption).toHaveLength(300);
    expect(caption).toBe(`${link.slice(0, 299)}…`);
  });

  it('fits in 1024 characters as Telegram counts them, for a 5,000-character title and a 2,000-character link', () => {
    const caption = mediaCaption(LONG_TITLE, LONG_LINK);
    expect(asTelegramShows(caption).length).toBeLessThanOrEqual(CAPTION_LIMIT);
  });

  it('shortens a long title with … and keeps the start of the title and of the link', () => {
    const shown = asTelegramShows(mediaCaption(LONG_TITLE, LONG_LINK));
    const [title, link] = shown.split('\n');
    expect(title?.endsWith('…')).toBe(true);
    expect(LONG_TITLE.startsWith(title!.slice(0, -1))).toBe(true);
    expect(link?.endsWith('…')).toBe(true);
    expect(LONG_LINK.startsWith(link!.slice(0, -1))).toBe(true);
  });

  it('uses the room it has: a long title fills the caption up to the limit', () => {
    expect(asTelegramShows(mediaCaption(LONG_TITLE, 'https://example.com/v')).length).toBe(CAPTION_LIMIT);
  });

  it.each([
    ['&', '&'],
    ['<', '<'],
    ['"', '"'],
    ['mixed', '<a href="x">&</a> '],
  ])(
    'fits in 1024 characters after parsing for a 5,000-character title of %s characters, which escaping makes longer',
    (_what, unit) => {
      const title = unit.repeat(Math.ceil(5_000 / unit.length)).slice(0, 5_000);
      const caption = mediaCaption(title, LONG_LINK);
      expect(caption.length).toBeGreaterThan(CAPTION_LIMIT);
      expect(asTelegramShows(caption).length).toBeLessThanOrEqual(CAPTION_LIMIT);
    },
  );

  it('never cuts an HTML entity in half when it shortens the title and the link', () => {
    const caption = mediaCaption('&'.repeat(5_000), `https://example.com/?${'a=1&'.repeat(500)}`);
    expect(isEscaped(caption)).toBe(true);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
  ])('escapes %s as %s', (raw, escaped) => {
    expect(escapeHtml(raw)).toBe(escaped);
  });

  it('escapes an existing entity once more, so it shows as written', () => {
    expect(escapeHtml('&lt;b&gt; &amp;')).toBe('&amp;lt;b&amp;gt; &amp;amp;');
  });

  it('leaves other text, apostrophes and emoji alone', () => {
    expect(escapeHtml("It's 🎬 time: 100% / ok")).toBe("It's 🎬 time: 100% / ok");
  });

  it('escapes every occurrence, not only the first', () => {
    expect(escapeHtml('<<>>&&""')).toBe('&lt;&lt;&gt;&gt;&amp;&amp;&quot;&quot;');
  });

  it('gives back the original text once Telegram decodes it', () => {
    const text = 'a < b && c > "d" &amp; e';
    expect(asTelegramShows(escapeHtml(text))).toBe(text);
  });
});

describe('cancelAnswer', () => {
  it('says it is cancelling when one request was cancelled', () => {
    expect(cancelAnswer(1, 0)).toBe('🚫 Cancelling…');
  });

  it('says how many requests it is cancelling when there are several', () => {
    expect(cancelAnswer(3, 0)).toBe('🚫 Cancelling 3 requests…');
  });

  it('says it is cancelling when some requests were cancelled and others refused', () => {
    expect(cancelAnswer(2, 1)).toBe('🚫 Cancelling 2 requests…');
  });

  it('says who may cancel when every running request was refused', () => {
    expect(cancelAnswer(0, 2)).toBe('Only the person who sent the link, or an admin, can cancel it.');
  });

  it('says there is nothing to cancel when no download is running', () => {
    expect(cancelAnswer(0, 0)).toBe('Nothing to cancel: no download is running.');
  });
});

describe('albumCapNote', () => {
  it('says how many items the gallery has and how many were sent', () => {
    expect(albumCapNote(10, 37)).toBe('ℹ️ This gallery has 37 items; I sent the first 10.');
  });
});

describe('doneSummary', () => {
  it('says all links were sent when every one was delivered', () => {
    expect(doneSummary(4, 4)).toBe('✅ All 4 links sent.');
  });

  it('says how many of the links were sent when some failed', () => {
    expect(doneSummary(2, 5)).toBe('✅ 2 of 5 links sent.');
  });
});

describe('linkProgressText', () => {
  it('names the link being downloaded and how many there are', () => {
    expect(linkProgressText(2, 3)).toBe('⏳ Link 2 of 3: downloading…');
  });
});
