import { describe, expect, it } from 'vitest';
import { quantile, stepMedians } from './push-latency.ts';

describe('push-latency arithmetic', () => {
  it('takes the nearest-rank quantile', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('gives the median of each step over the pushes where both ends were seen', () => {
    expect(
      stepMedians([
        { pushed: 90, webhook: 80, annotated: 90, artifact: 200, applied: 250, rolledOut: 500, ready: 520 },
        { pushed: 70, webhook: 60, annotated: 75, artifact: 150, applied: 190, rolledOut: 480, ready: 500 },
        { pushed: 50, annotated: 40, artifact: 100, applied: 130, ready: 400 },
      ]),
    ).toEqual({
      'start → pushed': 70,
      'start → webhook': 60,
      'webhook → annotated': 10,
      'annotated → artifact': 75,
      'artifact → applied': 40,
      'applied → rolledOut': 250,
      'rolledOut → ready': 20,
    });
  });
});
