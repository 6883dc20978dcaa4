/** Decides how long a failing key waits before it is retried. */
export interface RateLimiter<K> {
  /** Records a failure of `key` and returns the delay (ms) before its retry. */
  when(key: K): number;
  /** Clears the failure history of `key` (called after a success). */
  forget(key: K): void;
  /** How many failures of `key` were recorded since the last {@link RateLimiter.forget}. */
  numRequeues(key: K): number;
}

/**
 * Per-key exponential backoff like client-go's `ItemExponentialFailureRateLimiter` (what Flux uses with
 * `--min-retry-delay` 750ms and `--max-retry-delay` 15m): `min * 2^failures`, capped at `max`.
 */
export class ExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  readonly #min: number;
  readonly #max: number;
  readonly #failures = new Map<K, number>();

  constructor(opts: { minDelayMs: number; maxDelayMs: number }) {
    if (!(opts.minDelayMs >= 0) || !(opts.maxDelayMs >= opts.minDelayMs)) {
      throw new Error(`invalid retry delays: min ${opts.minDelayMs}ms, max ${opts.maxDelayMs}ms`);
    }
    this.#min = opts.minDelayMs;
    this.#max = opts.maxDelayMs;
  }

  when(key: K): number {
    const exp = this.#failures.get(key) ?? 0;
    this.#failures.set(key, exp + 1);
    const backoff = this.#min * 2 ** exp;
    return backoff > this.#max || !Number.isFinite(backoff) ? this.#max : backoff;
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }
}
