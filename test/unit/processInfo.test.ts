import path from 'node:path';
import {
  fromPs,
  isSameProcess,
  parseProcStat,
  parsePsLine,
  processInfo,
  type ProcessInfo,
} from '../../activities/adapters/processInfo.js';

describe('parseProcStat', () => {
  it('reads the state and start time (field 22), also when the command name holds spaces and parentheses', () => {
    const tail = 'S 1 2 3 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 4 0 179910 3133440 357 18446744073709551615';
    expect(parseProcStat(`4242 (temporal) ${tail}`)).toEqual({ state: 'S', startTime: '179910' });
    expect(parseProcStat(`4242 (a (b) c) ${tail.replace(/^S/, 'Z')}`)).toEqual({ state: 'Z', startTime: '179910' });
    expect(parseProcStat('4242 (cut')).toBeUndefined();
  });
});

describe('parsePsLine', () => {
  it('splits ps’s state, 24-character start date and command', () => {
    expect(
      parsePsLine('Ss   Wed Dec  2 17:11:16 2026 /opt/temporal server start-dev --db-filename /d/temporal.sqlite\n'),
    ).toEqual({
      state: 'Ss',
      startTime: 'Wed Dec 2 17:11:16 2026',
      commandLine: '/opt/temporal server start-dev --db-filename /d/temporal.sqlite',
    });
    expect(parsePsLine('')).toBeUndefined();
  });
});

describe('processInfo', () => {
  it('knows this process, and /proc and ps agree on who it is', () => {
    const self = processInfo(process.pid)!;
    expect(self.args!.some((arg) => path.resolve(arg) === process.argv[1])).toBe(true);
    expect(self.commandLine).toBe(self.args!.join(' '));
    expect(fromPs(process.pid)!.commandLine).toBe(self.commandLine);
    expect(isSameProcess({ pid: process.pid, startTime: self.startTime }, self)).toBe(true);
  });

  it('has nothing for a pid nobody holds', () => {
    expect(processInfo(2 ** 22 + 7)).toBeUndefined();
    expect(processInfo(-1)).toBeUndefined();
  });
});

describe('isSameProcess', () => {
  const info: ProcessInfo = { pid: 7, startTime: '100', commandLine: 'x' };
  it('needs the same pid and start; a record without a start time matches the pid (the side that keeps things)', () => {
    expect(isSameProcess({ pid: 7, startTime: '100' }, info)).toBe(true);
    expect(isSameProcess({ pid: 7, startTime: '101' }, info)).toBe(false);
    expect(isSameProcess({ pid: 8, startTime: '100' }, info)).toBe(false);
    expect(isSameProcess({ pid: 7, startTime: '' }, info)).toBe(true);
    expect(isSameProcess({ pid: 7, startTime: '100' }, undefined)).toBe(false);
  });
});
