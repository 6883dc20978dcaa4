/** Rate-limited deduplicating work queue (client-go workqueue semantics), per-key exponential backoff and injectable clocks. */
export { RateLimitingQueue } from './queue.ts';
export type { QueueMetrics, RateLimitingQueueOptions } from './queue.ts';
export { ExponentialFailureRateLimiter } from './rate-limiter.ts';
export type { RateLimiter } from './rate-limiter.ts';
export { realClock } from './clock.ts';
export type { Clock, TimerHandle } from './clock.ts';
