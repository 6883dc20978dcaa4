import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from the initial delay up to the maximum, with jitter on top, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 1, random: () => 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('adds up to jitter·delay', () => {
    const b = new Backoff({ initialMs: 800, jitter: 1, random: () => 0.5 });
    expect(b.next()).toBe(1200);
    expect(b.attempts).toBe(1);
  });
});
