import { describe, expect, it } from 'vitest';
import { TokenBucket, type LimiterClock } from './token-bucket.ts';

/** A manual clock: sleeps resolve when the test advances time past their deadline. */
function manualClock(): LimiterClock & { advance(ms: number): Promise<void>; pending(): number } {
  let now = 0;
  let sleepers: { at: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const s = { at: now + ms, resolve, reject };
        sleepers.push(s);
        signal?.addEventListener('abort', () => {
          sleepers = sleepers.filter((x) => x !== s);
          reject(signal.reason);
        });
      }),
    advance: async (ms) => {
      now += ms;
      const due = sleepers.filter((s) => s.at <= now);
      sleepers = sleepers.filter((s) => s.at > now);
      for (const s of due) s.resolve();
      await Promise.resolve();
    },
    pending: () => sleepers.length,
  };
}

describe('TokenBucket', () => {
  it('allows a burst, then refills at qps', async () => {
    const clock = manualClock();
    const b = new TokenBucket(2, 3, clock);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    expect(b.delayMs()).toBe(500);
    await clock.advance(500);
    expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    await clock.advance(10_000);
    expect(b.tokens()).toBe(3); // capped at burst
  });

  it('makes waiting callers reserve tokens in order', async () => {
    const clock = manualClock();
    const b = new TokenBucket(10, 1, clock);
    await b.take();
    const order: number[] = [];
    const p1 = b.take().then(() => order.push(1));
    const p2 = b.take().then(() => order.push(2));
    expect(clock.pending()).toBe(2);
    await clock.advance(100);
    await p1;
    expect(order).toEqual([1]);
    await clock.advance(100);
    await p2;
    expect(order).toEqual([1, 2]);
  });

  it('gives the reservation back when the wait is aborted', async () => {
    const clock = manualClock();
    const b = new TokenBucket(1, 1, clock);
    await b.take();
    const ac = new AbortController();
    const p = b.take(ac.signal);
    expect(b.tokens()).toBe(-1);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(b.tokens()).toBe(0);
  });

  it('does not limit when qps is 0', async () => {
    const b = new TokenBucket(0, 1, manualClock());
    for (let i = 0; i < 1000; i++) expect(b.tryTake()).toBe(true);
    await expect(b.take()).resolves.toBeUndefined();
  });
});
