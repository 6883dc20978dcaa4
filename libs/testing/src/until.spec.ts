import { describe, expect, it } from 'vitest';
import { until } from './until.ts';

describe('until', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let n = 0;
    expect(await until('n = 3', () => (++n === 3 ? n : n === 1 ? false : undefined), 1000, 1)).toBe(3);
  });

  it('names what it waited for and the last error when it times out', async () => {
    await expect(
      until(
        'the answer',
        () => {
          throw new Error('not yet');
        },
        20,
        5,
      ),
    ).rejects.toThrow('timed out waiting for the answer: not yet');
  });
});
