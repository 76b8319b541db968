import path from 'node:path';
import { isInsideDir } from '../../activities/adapters/insideDir.js';

const DIR = '/data/downloads/req1';

describe('isInsideDir', () => {
  it.each([
    ['a file of the dir', `${DIR}/item-1.mp4`],
    ['a file in a subdir', `${DIR}/sub/item-1.mp4`],
    ['a name that merely starts with two dots', `${DIR}/..item-1.mp4`],
    ['a path that leaves and comes back', `${DIR}/sub/../item-1.mp4`],
    ['a dir given with a trailing slash', `${DIR}/item-1.mp4`, `${DIR}/`],
  ])('takes %s as inside', (_what, candidate, dir = DIR) => {
    expect(isInsideDir(dir, candidate)).toBe(true);
  });

  it.each([
    ['the dir itself', DIR],
    ['the dir with a trailing slash', `${DIR}/`],
    ['its parent', path.dirname(DIR)],
    ['"../" out of it', `${DIR}/../req2/item-1.mp4`],
    ['"../" out of it from a subdir', `${DIR}/sub/../../../../etc/passwd`],
    ['a sibling dir whose name starts with the same characters', '/data/downloads/req10/item-1.mp4'],
    ['a sibling file whose name starts with the same characters', '/data/downloads/req1.mp4'],
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a relative path (resolved against the working directory)', 'req1/item-1.mp4'],
  ])('refuses %s', (_what, candidate) => {
    expect(isInsideDir(DIR, candidate)).toBe(false);
  });

  it('with a depth, takes only what is exactly that many segments below the dir', () => {
    expect(isInsideDir(DIR, `${DIR}/item-1.mp4`, { depth: 1 })).toBe(true);
    expect(isInsideDir(DIR, `${DIR}/sub/item-1.mp4`, { depth: 1 })).toBe(false);
    expect(isInsideDir('/data/downloads', `${DIR}/item-1.mp4`, { depth: 2 })).toBe(true);
    expect(isInsideDir('/data/downloads', `${DIR}/item-1.mp4`, { depth: 1 })).toBe(false);
    expect(isInsideDir('/data/downloads', `${DIR}/sub/item-1.mp4`, { depth: 2 })).toBe(false);
    expect(isInsideDir('/data/downloads', '/data/downloads10/req1/item-1.mp4', { depth: 2 })).toBe(false);
  });

  it('judges a path by its name: a symlink is not followed', () => {
    // The request dirs hold only what the download wrote; sweeping and removal never follow links either.
    expect(isInsideDir(DIR, `${DIR}/link-to-etc/passwd`)).toBe(true);
  });

  it('resolves a relative dir against the working directory too', () => {
    expect(isInsideDir('data', path.join(process.cwd(), 'data', 'item-1.mp4'))).toBe(true);
  });
});
