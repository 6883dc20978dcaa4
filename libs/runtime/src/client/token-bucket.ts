/**
 * Client-side rate limiting of API requests (`--kube-api-qps` / `--kube-api-burst`), the semantics of client-go's
 * token-bucket limiter (golang.org/x/time/rate): the bucket starts full with `burst` tokens and refills at `qps`
 * tokens per second; a caller that finds it empty reserves the next token and waits for it.
 * Hand-written (about 40 lines) because the npm limiters lack one of: float QPS, reservation order, AbortSignal,
 * an injectable clock for deterministic tests.
 */

/** Time source of the limiter (injected so tests control time). */
export interface LimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time: `performance.now()` and an abortable timer. */
export const systemClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A token bucket of `burst` tokens refilled at `qps` per second; `qps <= 0` disables limiting. */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  readonly #clock: LimiterClock;

  constructor(qps: number, burst: number, clock: LimiterClock = systemClock) {
    this.qps = qps;
    this.burst = Math.max(1, Math.floor(burst));
    this.#clock = clock;
    this.#tokens = this.burst;
    this.#last = clock.now();
  }

  /** Tokens available now (negative while callers wait for reserved tokens). */
  tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Milliseconds the next caller would wait (0 when a token is available). */
  delayMs(): number {
    if (this.qps <= 0) return 0;
    this.#refill();
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) / this.qps) * 1000;
  }

  /** Takes one token without waiting; false when the bucket is empty. */
  tryTake(): boolean {
    if (this.qps <= 0) return true;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Takes one token, waiting for it when needed; an abort returns the reservation and rejects. */
  async take(signal?: AbortSignal): Promise<void> {
    if (this.qps <= 0) {
      signal?.throwIfAborted();
      return;
    }
    this.#refill();
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    const waitMs = (-this.#tokens / this.qps) * 1000;
    try {
      await this.#clock.sleep(waitMs, signal);
    } catch (err) {
      this.#tokens += 1;
      throw err;
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.qps);
  }
}
