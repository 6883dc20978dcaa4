import { describe, expect, it } from 'vitest';
import { DuplicateLimiter } from './rate-limiter.ts';

describe('DuplicateLimiter', () => {
  it('lets the first take of a key pass and refuses repeats until the interval ends', () => {
    const clock = { ms: 1_000 };
    const l = new DuplicateLimiter({ intervalMs: 100, now: () => clock.ms });
    expect(l.take('a')).toEqual({ ok: true, resetAt: 1_100 });
    expect(l.take('a')).toEqual({ ok: false, resetAt: 1_100 });
    expect(l.take('b').ok).toBe(true);
    clock.ms = 1_099;
    expect(l.take('a').ok).toBe(false);
    clock.ms = 1_100;
    expect(l.take('a')).toEqual({ ok: true, resetAt: 1_200 });
    expect(l.size).toBe(1);
  });

  it('bounds the keys it holds', () => {
    const l = new DuplicateLimiter({ intervalMs: 1_000, now: () => 0, maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) l.take(k);
    expect(l.size).toBe(3);
    expect(l.take('a').ok).toBe(true);
    expect(l.take('d').ok).toBe(false);
  });

  it('with a zero interval limits nothing', () => {
    const l = new DuplicateLimiter({ intervalMs: 0 });
    expect([l.take('a').ok, l.take('a').ok]).toEqual([true, true]);
  });
});
