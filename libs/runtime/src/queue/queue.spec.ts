import { describe, it, expect } from 'vitest';
import { FakeClock } from '../testing/index.ts';
import { RateLimitingQueue } from './queue.ts';
import { ExponentialFailureRateLimiter } from './rate-limiter.ts';
import type { QueueMetrics } from './queue.ts';

function newQueue(clock = new FakeClock()) {
  const queue = new RateLimitingQueue<string>({
    clock,
    rateLimiter: new ExponentialFailureRateLimiter({ minDelayMs: 750, maxDelayMs: 15 * 60_000 }),
  });
  return { queue, clock };
}

/** Resolves the keys currently available without waiting for more. */
async function takeAvailable(queue: RateLimitingQueue<string>): Promise<string[]> {
  const out: string[] = [];
  while (queue.len() > 0) out.push((await queue.get())!);
  return out;
}

describe('ExponentialFailureRateLimiter', () => {
  it('doubles from min to max and resets on forget', () => {
    const rl = new ExponentialFailureRateLimiter<string>({ minDelayMs: 750, maxDelayMs: 15 * 60_000 });
    const delays = Array.from({ length: 12 }, () => rl.when('a'));
    expect(delays.slice(0, 5)).toEqual([750, 1500, 3000, 6000, 12000]);
    expect(delays[10]).toBe(768_000);
    expect(delays[11]).toBe(900_000);
    expect(rl.when('b')).toBe(750);
    expect(rl.numRequeues('a')).toBe(12);
    rl.forget('a');
    expect(rl.numRequeues('a')).toBe(0);
    expect(rl.when('a')).toBe(750);
  });

  it('stays at max for many failures without overflowing', () => {
    const rl = new ExponentialFailureRateLimiter<string>({ minDelayMs: 5, maxDelayMs: 1000 });
    let last = 0;
    for (let i = 0; i < 2000; i++) last = rl.when('k');
    expect(last).toBe(1000);
  });

  it('rejects a max below min', () => {
    expect(() => new ExponentialFailureRateLimiter({ minDelayMs: 10, maxDelayMs: 5 })).toThrow(/invalid retry delays/);
  });
});

describe('RateLimitingQueue', () => {
  it('deduplicates keys that are queued', async () => {
    const { queue } = newQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(2);
    expect(await takeAvailable(queue)).toEqual(['a', 'b']);
  });

  it('never hands out a key that is processing; a key added while processing runs exactly once more', async () => {
    const { queue } = newQueue();
    queue.add('a');
    const first = await queue.get();
    expect(first).toBe('a');
    queue.add('a');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0); // dirty, not queued while processing
    queue.add('b');
    expect(await takeAvailable(queue)).toEqual(['b']);
    queue.done('a');
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    expect(queue.len()).toBe(0);
    queue.done('b');
    expect(queue.processing()).toBe(0);
  });

  it('wakes a waiting getter on add', async () => {
    const { queue } = newQueue();
    const pending = queue.get();
    queue.add('x');
    expect(await pending).toBe('x');
    expect(queue.processing()).toBe(1);
  });

  it('addAfter queues the key only when its time comes, keeping the earliest deadline', async () => {
    const { queue, clock } = newQueue();
    queue.addAfter('a', 1000);
    queue.addAfter('a', 500);
    queue.addAfter('a', 2000);
    queue.addAfter('b', 700);
    expect(queue.len()).toBe(0);
    clock.advance(499);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(await takeAvailable(queue)).toEqual(['a']);
    clock.advance(200);
    expect(await takeAvailable(queue)).toEqual(['b']);
    clock.advance(10_000);
    expect(queue.len()).toBe(0); // the later deadlines of 'a' were merged into the earliest
  });

  it('addAfter with a non-positive delay adds immediately', () => {
    const { queue } = newQueue();
    queue.addAfter('a', 0);
    queue.addAfter('b', -5);
    expect(queue.len()).toBe(2);
  });

  it('addRateLimited grows the delay per key exponentially and forget resets it', async () => {
    const { queue, clock } = newQueue();
    const observed: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      queue.addRateLimited('a');
      while (queue.len() === 0) clock.advance(50);
      observed.push(clock.now() - start);
      const k = await queue.get();
      queue.done(k!);
    }
    expect(observed).toEqual([750, 1500, 3000, 6000]);
    expect(queue.numRequeues('a')).toBe(4);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    queue.addRateLimited('a');
    clock.advance(749);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(queue.len()).toBe(1);
  });

  it('an immediate add supersedes a pending delayed add of the same key', async () => {
    const { queue, clock } = newQueue();
    queue.addAfter('a', 1000);
    queue.add('a');
    expect(await takeAvailable(queue)).toEqual(['a']);
    queue.done('a');
    clock.advance(5000);
    expect(queue.len()).toBe(0);
    expect(queue.delayed()).toBe(0);
  });

  it('limits processing to the number of concurrent getters', async () => {
    const { queue } = newQueue();
    for (const k of ['a', 'b', 'c', 'd', 'e']) queue.add(k);
    let active = 0;
    let maxActive = 0;
    const seen: string[] = [];
    const releases: Array<() => void> = [];
    const worker = async () => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(key);
        await new Promise<void>((r) => releases.push(r));
        active--;
        queue.done(key);
      }
    };
    const workers = [worker(), worker()];
    // Release work one item at a time until all five are processed.
    while (seen.length < 5 || active > 0) {
      await new Promise((r) => setImmediate(r));
      releases.shift()?.();
    }
    queue.shutDown();
    await Promise.all(workers);
    expect(maxActive).toBe(2);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('shutDown stops intake, resolves waiting getters and drain waits for processing keys', async () => {
    const { queue, clock } = newQueue();
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 100);
    const a = await queue.get();
    const waiting = queue.get(); // gets 'b'
    expect(await waiting).toBe('b');
    const idle = queue.get();
    queue.shutDown();
    expect(await idle).toBeUndefined();
    queue.add('d');
    clock.advance(1000);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
    let drained = false;
    const drain = queue.drain().then(() => {
      drained = true;
    });
    queue.done(a!);
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    queue.done('b');
    await drain;
    expect(drained).toBe(true);
  });

  it('reports workqueue metrics through the hooks', async () => {
    const clock = new FakeClock();
    const calls = { add: 0, retry: 0, depth: [] as number[], queued: [] as number[], worked: [] as number[] };
    const metrics: QueueMetrics = {
      add: () => calls.add++,
      retry: () => calls.retry++,
      depth: (n) => calls.depth.push(n),
      queued: (s) => calls.queued.push(s),
      worked: (s) => calls.worked.push(s),
    };
    const queue = new RateLimitingQueue<string>({ clock, metrics });
    queue.add('a');
    clock.advance(2000);
    const k = await queue.get();
    clock.advance(500);
    queue.done(k!);
    queue.addRateLimited('a');
    expect(calls.add).toBe(1);
    expect(calls.retry).toBe(1);
    expect(calls.depth).toEqual([1, 0]);
    expect(calls.queued).toEqual([2]);
    expect(calls.worked).toEqual([0.5]);
  });

  it('exposes the work in progress through the bound probe', async () => {
    const clock = new FakeClock();
    let probe: (() => { unfinishedSeconds: number; longestSeconds: number }) | undefined;
    const noop = () => {};
    const queue = new RateLimitingQueue<string>({
      clock,
      metrics: {
        add: noop,
        retry: noop,
        depth: noop,
        queued: noop,
        worked: noop,
        bindInProgress: (p) => void (probe = p),
      },
    });
    queue.add('a');
    queue.add('b');
    const a = await queue.get();
    clock.advance(1000);
    await queue.get();
    clock.advance(2000);
    expect(probe!()).toEqual({ unfinishedSeconds: 5, longestSeconds: 3 });
    queue.done(a!);
    expect(probe!()).toEqual({ unfinishedSeconds: 2, longestSeconds: 2 });
  });
});
