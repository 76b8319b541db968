/**
 * Malformed and hostile webhook bodies, generated from a seed: what a scanner, a fuzzer or a
 * broken proxy could send to a public webhook URL that knows (or guesses) the secret.
 */
export interface HostileBody {
  kind: string;
  body: Buffer;
  headers?: Record<string, string>;
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, max: number) => Math.floor(random() * max);

function randomString(random: Random, length: number): string {
  const alphabet = 'abcxyz019 "\\/\n\t\u0000\u001f\u007f\u00e9\u4e2d\ud83c\udfac<>&\'{}[]:,';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[int(random, alphabet.length)];
  return out;
}

function randomJson(random: Random, depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.3) {
    return pick(random, [
      null,
      true,
      false,
      0,
      -1,
      1e308,
      -0,
      3.14,
      2 ** 53 + 1,
      '',
      randomString(random, int(random, 40)),
      'update_id',
    ]);
  }
  if (roll < 0.6) return Array.from({ length: int(random, 6) }, () => randomJson(random, depth - 1));
  const keys = [
    'update_id',
    'message',
    'chat',
    'id',
    'text',
    'entities',
    'from',
    'caption',
    'type',
    'url',
    'offset',
    'length',
    'message_id',
    randomString(random, 8),
  ];
  return Object.fromEntries(
    Array.from({ length: int(random, 7) }, () => [pick(random, keys), randomJson(random, depth - 1)]),
  );
}

const weirdValues: unknown[] = [
  null,
  true,
  'seven',
  '',
  -1,
  0,
  1.5,
  1e300,
  -1e300,
  2 ** 63,
  [],
  {},
  [1, 2],
  { id: 1 },
  '1; DROP TABLE updates',
  '${jndi:ldap://x}',
  '../../etc/passwd',
];

function message(random: Random, overrides: Record<string, unknown>): Record<string, unknown> {
  const chatId = 900_000 + int(random, 1000);
  return {
    message_id: 1 + int(random, 1_000_000),
    date: 1_700_000_000,
    chat: { id: chatId, type: 'private', first_name: 'X' },
    from: { id: chatId, is_bot: false, first_name: 'X' },
    text: 'hello',
    ...overrides,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The generators, each a kind of hostile body. */
const generators: Array<[string, number, (random: Random, n: number) => HostileBody]> = [
  ['random JSON value', 20, (random) => ({ kind: 'random JSON value', body: json(randomJson(random, 4)) })],
  [
    'update with wrong types',
    20,
    (random) => {
      const field = pick(random, [
        'update_id',
        'message',
        'chat',
        'chat.id',
        'text',
        'entities',
        'entity',
        'from',
        'message_id',
        'caption',
      ]);
      const weird = pick(random, weirdValues);
      const update: Record<string, unknown> = { update_id: 1 + int(random, 1e9), message: message(random, {}) };
      const msg = update.message as Record<string, unknown>;
      if (field === 'update_id') update.update_id = weird;
      else if (field === 'message') update.message = weird;
      else if (field === 'chat') msg.chat = weird;
      else if (field === 'chat.id') msg.chat = { id: weird, type: pick(random, ['private', 'group', weird]) };
      else if (field === 'entities') msg.entities = weird;
      else if (field === 'entity') {
        msg.text = 'see https://example.com/v.mp4 now';
        msg.entities = [
          {
            type: pick(random, ['url', 'text_link', weird]),
            offset: weird,
            length: pick(random, [weird, 1e9, -5]),
            url: weird,
          },
        ];
      } else msg[field] = weird;
      return { kind: 'update with wrong types', body: json(update) };
    },
  ],
  [
    'huge string',
    2,
    (random) => {
      // Mostly just under the 1 MiB body limit; some over it.
      const size = random() < 0.7 ? 900_000 + int(random, 100_000) : 1_100_000 + int(random, 400_000);
      const where = pick(random, ['text', 'key', 'chat type', 'link']);
      const big = 'A'.repeat(size);
      let update: unknown;
      if (where === 'text') update = { update_id: 1 + int(random, 1e9), message: message(random, { text: big }) };
      else if (where === 'key') update = { update_id: 1, [big]: 1 };
      else if (where === 'chat type')
        update = { update_id: 1, message: message(random, { chat: { id: 5, type: big } }) };
      else {
        const url = `https://example.com/${big.slice(0, size - 30)}`;
        update = {
          update_id: 1 + int(random, 1e9),
          message: message(random, { text: url, entities: [{ type: 'url', offset: 0, length: url.length }] }),
        };
      }
      return { kind: 'huge string', body: json(update) };
    },
  ],
  [
    'deep nesting',
    3,
    (random) => {
      const depth = pick(random, [1_000, 10_000, 100_000]);
      const array = random() < 0.5;
      const inner = array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const body = pick(random, [
        `{"update_id":1,"message":${inner}}`,
        `{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"x","entities":${inner}}}`,
        inner,
      ]);
      return { kind: 'deep nesting', body: Buffer.from(body) };
    },
  ],
  [
    'invalid UTF-8',
    10,
    (random) => {
      const bad = pick(random, [
        [0xff],
        [0xfe, 0xff],
        [0xc3, 0x28],
        [0xe2, 0x82],
        [0xf0, 0x28, 0x8c, 0x28],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0x00],
      ]);
      const head = Buffer.from(
        `{"update_id":${1 + int(random, 1e9)},"message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"https://example.com/`,
      );
      const tail = Buffer.from(random() < 0.5 ? '"}}' : '');
      return { kind: 'invalid UTF-8', body: Buffer.concat([head, Buffer.from(bad), tail]) };
    },
  ],
  [
    'prototype pollution',
    5,
    (random) => {
      const body = pick(random, [
        '{"update_id":1,"__proto__":{"polluted":true}}',
        '{"update_id":1,"constructor":{"prototype":{"polluted":true}}}',
        '{"update_id":1,"message":{"__proto__":{"chat":{"id":1,"type":"private"}},"message_id":1,"text":"https://example.com/x.mp4"}}',
        '{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private","__proto__":{"id":2}},"text":"x"}}',
      ]);
      return { kind: 'prototype pollution', body: Buffer.from(body) };
    },
  ],
  [
    'not JSON',
    10,
    (random) => {
      const body = pick(random, [
        '',
        ' ',
        '{',
        '{"update_id":1,',
        'null',
        '"string"',
        '[]',
        'NaN',
        '{"update_id":1}}',
        'update_id=1&message=x',
        '\u0000\u0000',
        '<xml/>',
      ]);
      return { kind: 'not JSON', body: Buffer.from(body) };
    },
  ],
  [
    'wrong content type or secret',
    5,
    (random) => {
      const headers = pick(random, [
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        { 'content-type': 'multipart/form-data; boundary=x' },
        { 'content-type': 'application/json; charset=utf-16' },
        { 'x-telegram-bot-api-secret-token': 'wrong' },
        { 'x-telegram-bot-api-secret-token': '' },
      ]);
      return {
        kind: 'wrong content type or secret',
        body: json({ update_id: 1 + int(random, 1e9), message: message(random, {}) }),
        headers,
      };
    },
  ],
  [
    'hostile link',
    10,
    (random) => {
      const link = pick(random, [
        'javascript:alert(1)',
        'http://169.254.169.254/latest/meta-data/',
        'http://127.0.0.1:7233/',
        'file:///etc/passwd',
        '-oProxyCommand=touch /tmp/pwned',
        'https://example.com/' + '%'.repeat(5000),
        'https://[::1]/x.mp4',
        'https://user:pass@example.com/x.mp4',
        'https://example.com/\u0000.mp4',
        'https://xn--80ak6aa92e.com/\ud83c\udfac.mp4',
      ]);
      const text = `${pick(random, ['', 'check ', '\u202e', '\ud83c'])}${link}`;
      const entities =
        random() < 0.5
          ? [{ type: 'url', offset: text.indexOf(link), length: link.length }]
          : [{ type: 'text_link', offset: 0, length: 1, url: link }];
      const update = { update_id: 1 + int(random, 1e9), message: message(random, { text, entities }) };
      return { kind: 'hostile link', body: json(update) };
    },
  ],
  [
    'many entities',
    5,
    (random) => {
      const text = 'x'.repeat(1000);
      const entities = Array.from({ length: 10_000 }, (_, i) => ({
        type: i % 2 ? 'bold' : 'url',
        offset: int(random, 2000) - 500,
        length: int(random, 2000) - 500,
      }));
      return {
        kind: 'many entities',
        body: json({ update_id: 1 + int(random, 1e9), message: message(random, { text, entities }) }),
      };
    },
  ],
];

const totalWeight = generators.reduce((sum, [, weight]) => sum + weight, 0);

/** The `n`-th hostile body of a seeded sequence. */
export function hostileBody(random: Random, n: number): HostileBody {
  let roll = random() * totalWeight;
  for (const [, weight, generate] of generators) {
    roll -= weight;
    if (roll < 0) return generate(random, n);
  }
  return generators[0]![2](random, n);
}

export const HOSTILE_KINDS = generators.map(([kind]) => kind);
