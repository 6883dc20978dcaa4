import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './duration.ts';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['750ms', 750],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['1h0m0s', 3_600_000],
    ['300us', 0.3],
    ['300µs', 0.3],
    ['1500ns', 0.0015],
    ['-2s', -2000],
    ['+5m', 300_000],
    ['.5s', 500],
  ])('parses %s', (input, ms) => {
    expect(parseGoDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['abc', 'time: invalid duration "abc"'],
    ['1h-1m', 'time: unknown unit "h-" in duration "1h-1m"'],
    ['.s', 'time: invalid duration ".s"'],
    ['9999999999h', 'time: invalid duration "9999999999h"'],
  ])('rejects %j', (input, message) => {
    expect(() => parseGoDuration(input)).toThrow(message);
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [750, '750ms'],
    [500, '500ms'],
    [30_000, '30s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [900_000, '15m0s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [1_500, '1.5s'],
    [0.25, '250µs'],
    [0.000_5, '500ns'],
    [-2_000, '-2s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it('round-trips through parseGoDuration', () => {
    for (const text of ['750ms', '1m30s', '15m0s', '1h0m0s', '2h45m30.5s']) {
      expect(formatGoDuration(parseGoDuration(text))).toBe(text);
    }
  });
});
