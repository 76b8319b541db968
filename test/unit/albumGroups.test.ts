import type { Message } from 'grammy/types';
import { albumGroups, sendAsAlbums } from '../../activities/adapters/telegram.js';
import type { MediaMode } from '../../shared/activityTypes.js';

interface Item {
  name: string;
  kind: MediaMode;
}

/** Items named by kind initial and position: 'v0', 'd1', 'a2'… */
function items(kinds: string): Item[] {
  const byInitial: Record<string, MediaMode> = { v: 'video', d: 'document', a: 'audio' };
  return [...kinds].map((initial, index) => ({ name: `${initial}${index}`, kind: byInitial[initial]! }));
}

function names(groups: Item[][]): string[][] {
  return groups.map((group) => group.map((item) => item.name));
}

describe('albumGroups', () => {
  it('keeps a gallery of one kind in groups of at most 10', () => {
    const groups = albumGroups(items('v'.repeat(23)));
    expect(groups.map((group) => group.length)).toEqual([10, 10, 3]);
    expect(groups.flat().map((item) => item.name)).toEqual(items('v'.repeat(23)).map((item) => item.name));
  });

  it('never puts a document or an audio file in a group with another kind', () => {
    expect(names(albumGroups(items('vvdda')))).toEqual([['v0', 'v1'], ['d2', 'd3'], ['a4']]);
    expect(names(albumGroups(items('vdv')))).toEqual([['v0'], ['d1'], ['v2']]);
    expect(names(albumGroups(items('aadd')))).toEqual([
      ['a0', 'a1'],
      ['d2', 'd3'],
    ]);
  });

  it('keeps the order of the gallery: runs of a kind are not merged across other kinds', () => {
    expect(names(albumGroups(items('vvavv')))).toEqual([['v0', 'v1'], ['a2'], ['v3', 'v4']]);
  });

  it('cuts a long run of one kind by 10 without moving it past its neighbours', () => {
    const gallery = items(`v${'d'.repeat(11)}a`);
    expect(albumGroups(gallery).map((group) => group.map((item) => item.kind))).toEqual([
      ['video'],
      Array(10).fill('document'),
      ['document'],
      ['audio'],
    ]);
  });

  it('returns no group for no items', () => {
    expect(albumGroups([])).toEqual([]);
  });
});

describe('sendAsAlbums', () => {
  /** A send that numbers the messages it "sent" and records which method carried what. */
  function recordingSend() {
    const calls: { method: 'one' | 'group'; names: string[]; caption?: string }[] = [];
    let nextId = 100;
    const message = (): Message => ({ message_id: nextId++ }) as Message;
    return {
      calls,
      send: {
        one: async (item: Item, caption?: string) => {
          calls.push({ method: 'one', names: [item.name], caption });
          return message();
        },
        group: async (group: Item[], caption?: string) => {
          calls.push({ method: 'group', names: group.map((item) => item.name), caption });
          return group.map(message);
        },
      },
    };
  }

  it('sends mixed kinds as one call per compatible run, a lone item with the single-item method, the caption once', async () => {
    const { calls, send } = recordingSend();
    const sent = await sendAsAlbums(items('vvdaa'), 'caption', send);
    expect(calls).toEqual([
      { method: 'group', names: ['v0', 'v1'], caption: 'caption' },
      { method: 'one', names: ['d2'], caption: undefined },
      { method: 'group', names: ['a3', 'a4'], caption: undefined },
    ]);
    expect(sent.messageIds).toEqual([100, 101, 102, 103, 104]);
  });

  it('puts the caption under a first item that goes out alone', async () => {
    const { calls, send } = recordingSend();
    await sendAsAlbums(items('dvv'), 'caption', send);
    expect(calls[0]).toEqual({ method: 'one', names: ['d0'], caption: 'caption' });
    expect(calls[1]?.caption).toBeUndefined();
  });
});
