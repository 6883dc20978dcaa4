import { realClock } from './clock.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { ExponentialFailureRateLimiter } from './rate-limiter.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { TimerHeap } from './timer-heap.ts';
import type { Waiting } from './timer-heap.ts';

/** Hooks the queue calls so a metrics provider can export the client-go `workqueue_*` series. */
export interface QueueMetrics {
  /** A key was added (`workqueue_adds_total`). */
  add(): void;
  /** The number of keys waiting for a worker changed (`workqueue_depth`). */
  depth(n: number): void;
  /** A key waited `seconds` between add and get (`workqueue_queue_duration_seconds`). */
  queued(seconds: number): void;
  /** A key was processed for `seconds` (`workqueue_work_duration_seconds`). */
  worked(seconds: number): void;
  /** A rate-limited retry was scheduled (`workqueue_retries_total`). */
  retry(): void;
  /**
   * Gives the provider a probe of the work in progress, read at scrape time for
   * `workqueue_unfinished_work_seconds` and `workqueue_longest_running_processor_seconds`.
   */
  bindInProgress?(probe: () => { unfinishedSeconds: number; longestSeconds: number }): void;
}

/** Options of {@link RateLimitingQueue}. */
export interface RateLimitingQueueOptions<K> {
  /** Queue name, used for metrics. */
  name?: string;
  /** Defaults to exponential backoff 750ms → 15m (Flux's `--min-retry-delay`/`--max-retry-delay`). */
  rateLimiter?: RateLimiter<K>;
  clock?: Clock;
  metrics?: QueueMetrics;
}

/**
 * A deduplicating, rate-limited, delaying work queue with client-go `workqueue` semantics:
 * - a key is queued at most once (`add` of a queued key is a no-op);
 * - a key is handed to at most one worker at a time; a key added while it is processing is marked dirty and
 *   queued again when the worker calls {@link RateLimitingQueue.done} (so it runs exactly once more);
 * - {@link RateLimitingQueue.addAfter} keeps the earliest deadline per key in a timer heap;
 * - {@link RateLimitingQueue.addRateLimited} delays by the key's exponential backoff, reset by `forget`.
 * Unlike client-go, `shutDown` stops intake at once: queued and waiting keys are dropped and `get` resolves
 * `undefined`; `drain` waits for the keys already being processed.
 */
export class RateLimitingQueue<K = string> {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<K>;
  readonly #metrics: QueueMetrics | undefined;
  #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #addedAt = new Map<K, number>();
  readonly #startedAt = new Map<K, number>();
  readonly #getters: Array<(key: K | undefined) => void> = [];
  readonly #drainers: Array<() => void> = [];
  readonly #waiting = new Map<K, Waiting<K>>();
  readonly #heap = new TimerHeap<K>();
  #timer: { handle: TimerHandle; at: number } | undefined;
  #seq = 0;
  #shuttingDown = false;

  constructor(opts: RateLimitingQueueOptions<K> = {}) {
    this.name = opts.name ?? '';
    this.#clock = opts.clock ?? realClock;
    this.#limiter =
      opts.rateLimiter ?? new ExponentialFailureRateLimiter<K>({ minDelayMs: 750, maxDelayMs: 15 * 60_000 });
    this.#metrics = opts.metrics;
    this.#metrics?.bindInProgress?.(() => this.#inProgress());
  }

  /** Number of keys waiting for a worker (not counting delayed or processing keys). */
  len(): number {
    return this.#queue.length;
  }

  /** Number of keys waiting in the delay heap. */
  delayed(): number {
    return this.#waiting.size;
  }

  /** Number of keys handed to workers and not yet `done`. */
  processing(): number {
    return this.#processing.size;
  }

  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Queues `key` now unless it is already queued; a processing key is marked dirty instead. */
  add(key: K): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(key)) {
      // Already queued (or dirty while processing): dedup; a delayed add for it is now redundant.
      this.#dropWaiting(key);
      return;
    }
    this.#metrics?.add();
    this.#dirty.add(key);
    this.#dropWaiting(key);
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.#clock.now());
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /** Queues `key` after `delayMs` (immediately when ≤ 0); of several pending delays the earliest wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.#clock.now() + delayMs;
    const existing = this.#waiting.get(key);
    if (existing) {
      if (readyAt < existing.readyAt) {
        existing.readyAt = readyAt;
        this.#heap.decreased(existing);
      }
    } else {
      const entry: Waiting<K> = { key, readyAt, seq: this.#seq++, index: -1 };
      this.#waiting.set(key, entry);
      this.#heap.push(entry);
    }
    this.#armTimer();
  }

  /** Queues `key` after its rate-limiter delay (one more failure recorded). */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retry();
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Resets the backoff of `key`. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** Failures recorded for `key` since the last `forget`. */
  numRequeues(key: K): number {
    return this.#limiter.numRequeues(key);
  }

  /**
   * Resolves with the next key to process (marking it processing), or `undefined` once the queue shuts down.
   * The caller must call {@link RateLimitingQueue.done} with the key afterwards.
   */
  get(): Promise<K | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks `key` as no longer processing; if it was added meanwhile it is queued again. */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    const started = this.#startedAt.get(key);
    this.#startedAt.delete(key);
    if (started !== undefined) this.#metrics?.worked((this.#clock.now() - started) / 1000);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#enqueue(key);
    if (this.#processing.size === 0) this.#drainers.splice(0).forEach((d) => d());
  }

  /** Stops intake: new adds are ignored, queued and delayed keys dropped, pending `get`s resolve `undefined`. */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#timer?.handle.cancel();
    this.#timer = undefined;
    this.#heap.clear();
    this.#waiting.clear();
    this.#queue = [];
    this.#dirty.clear();
    this.#addedAt.clear();
    this.#metrics?.depth(0);
    this.#getters.splice(0).forEach((g) => g(undefined));
  }

  /** Resolves once no key is processing. */
  drain(): Promise<void> {
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push(resolve));
  }

  /** {@link RateLimitingQueue.shutDown}, then waits for the processing keys to be `done`. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    await this.drain();
  }

  #inProgress(): { unfinishedSeconds: number; longestSeconds: number } {
    const now = this.#clock.now();
    let total = 0;
    let longest = 0;
    for (const started of this.#startedAt.values()) {
      const s = (now - started) / 1000;
      total += s;
      longest = Math.max(longest, s);
    }
    return { unfinishedSeconds: total, longestSeconds: longest };
  }

  #enqueue(key: K): void {
    const getter = this.#getters.shift();
    if (getter) {
      this.#queue.push(key);
      getter(this.#take());
      return;
    }
    this.#queue.push(key);
    this.#metrics?.depth(this.#queue.length);
  }

  #take(): K | undefined {
    if (this.#queue.length === 0) return undefined;
    const key = this.#queue.shift()!;
    this.#metrics?.depth(this.#queue.length);
    this.#processing.add(key);
    this.#dirty.delete(key);
    const now = this.#clock.now();
    const added = this.#addedAt.get(key);
    this.#addedAt.delete(key);
    if (added !== undefined) this.#metrics?.queued((now - added) / 1000);
    this.#startedAt.set(key, now);
    return key;
  }

  #dropWaiting(key: K): void {
    const entry = this.#waiting.get(key);
    if (!entry) return;
    // Lazy removal: mark it as already satisfied; the heap skips entries no longer in #waiting.
    this.#waiting.delete(key);
  }

  #armTimer(): void {
    const top = this.#heap.peek();
    if (!top) return;
    if (this.#timer && this.#timer.at <= top.readyAt) return;
    this.#timer?.handle.cancel();
    const at = top.readyAt;
    this.#timer = { at, handle: this.#clock.setTimer(at - this.#clock.now(), () => this.#fire()) };
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (let top = this.#heap.peek(); top && top.readyAt <= now; top = this.#heap.peek()) {
      this.#heap.pop();
      if (this.#waiting.get(top.key) !== top) continue;
      this.#waiting.delete(top.key);
      this.add(top.key);
    }
    this.#armTimer();
  }
}
