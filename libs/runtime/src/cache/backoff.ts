/**
 * Exponential backoff with jitter for watch reconnects, like client-go's reflector (800 ms doubling to 30 s,
 * jitter factor 1: each delay is d + random·d).
 * Hand-written: a dozen lines; the npm backoff packages wrap a retried function, while the informer needs a
 * delay source it can reset and sleep on with its own AbortSignal.
 */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Jitter factor: the delay is d·(1 + jitter·random). */
  jitter?: number;
  /** Random source in [0,1) (tests pass a fixed one). */
  random?: () => number;
}

/** Delays that grow per failure and reset on success. */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.#initial = opts.initialMs ?? 800;
    this.#max = opts.maxMs ?? 30_000;
    this.#factor = opts.factor ?? 2;
    this.#jitter = opts.jitter ?? 1;
    this.#random = opts.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The next delay in ms. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    this.#attempt++;
    return base * (1 + this.#jitter * this.#random());
  }

  reset(): void {
    this.#attempt = 0;
  }
}
