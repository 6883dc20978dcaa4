/** pino logger factory (Flux --log-level/--log-encoding) and per-manager prom-client metrics (gotk_*, controller_runtime_*, workqueue_*). */
export { newLogger, withContext, consoleStream, LogLevels, LogEncodings } from './logger.ts';
export type { Logger, LogLevel, LogEncoding, LogContext, NewLoggerOptions } from './logger.ts';
export {
  Metrics,
  exponentialBucketsRange,
  exponentialBuckets,
  reconcileDurationBuckets,
  reconcileTimeBuckets,
  workqueueBuckets,
  ReconcileResultLabel,
} from './metrics.ts';
export type { MetricsOptions } from './metrics.ts';
