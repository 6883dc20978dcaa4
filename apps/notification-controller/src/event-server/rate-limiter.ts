/**
 * The duplicate-event limiter of the event server: upstream uses sethvargo/go-limiter's memory store with one token
 * per key and `--rate-limit-interval`, so the first event of a key passes and every repeat within the interval is
 * refused (429). Hand-written: the npm rate limiters are per-client request counters tied to a framework plugin,
 * not a token per arbitrary key with an injectable clock.
 */

/** Outcome of {@link DuplicateLimiter.take}. */
export interface TakeResult {
  ok: boolean;
  /** When the key's window ends (ms since the epoch). */
  resetAt: number;
}

/** Options of a {@link DuplicateLimiter}. */
export interface DuplicateLimiterOptions {
  /** `--rate-limit-interval` in ms. */
  intervalMs: number;
  /** Clock (ms since the epoch); default `Date.now`. */
  now?: () => number;
  /** Keys kept at most (oldest windows evicted first); default 100 000. */
  maxKeys?: number;
}

/** One token per key and interval, in memory. */
export class DuplicateLimiter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  /** Window end per key, in insertion order (windows start when a key is first taken, so the oldest come first). */
  readonly #windows = new Map<string, number>();

  constructor(opts: DuplicateLimiterOptions) {
    this.#intervalMs = opts.intervalMs;
    this.#now = opts.now ?? Date.now;
    this.#maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Takes the key's token: `ok` for the first event of a window, not for its repeats. */
  take(key: string): TakeResult {
    const now = this.#now();
    this.#sweep(now);
    const resetAt = this.#windows.get(key);
    if (resetAt !== undefined && resetAt > now) return { ok: false, resetAt };
    if (this.#intervalMs <= 0) return { ok: true, resetAt: now };
    this.#windows.delete(key);
    this.#windows.set(key, now + this.#intervalMs);
    while (this.#windows.size > this.#maxKeys) {
      const oldest = this.#windows.keys().next();
      if (oldest.done) break;
      this.#windows.delete(oldest.value);
    }
    return { ok: true, resetAt: now + this.#intervalMs };
  }

  /** Number of keys held (tests). */
  get size(): number {
    return this.#windows.size;
  }

  #sweep(now: number): void {
    for (const [key, resetAt] of this.#windows) {
      if (resetAt > now) break;
      this.#windows.delete(key);
    }
  }
}
