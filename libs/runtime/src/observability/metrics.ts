import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetrics } from '../queue/queue.ts';

/**
 * Go's `prometheus.ExponentialBucketsRange(min, max, count)`: `count` buckets from `min` to `max` with a
 * constant growth factor `(max/min)^(1/(count-1))`, computed the same way so the bounds match bit for bit.
 */
export function exponentialBucketsRange(min: number, max: number, count: number): number[] {
  if (count < 1) throw new Error(`invalid bucket count ${count}: must be at least 1`);
  if (min <= 0) throw new Error(`invalid minimum bucket ${min}: must be positive`);
  if (max < min) throw new Error(`invalid buckets: max ${max} is below min ${min}`);
  const growthFactor = Math.pow(max / min, 1 / (count - 1));
  const buckets: number[] = [];
  for (let i = 1; i <= count; i++) buckets.push(min * Math.pow(growthFactor, i - 1));
  return buckets;
}

/** Go's `prometheus.ExponentialBuckets(start, factor, count)`. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const buckets: number[] = [];
  let b = start;
  for (let i = 0; i < count; i++) {
    buckets.push(b);
    b *= factor;
  }
  return buckets;
}

/** Flux's `gotk_reconcile_duration_seconds` buckets (fluxcd/pkg runtime/metrics). */
export const reconcileDurationBuckets: readonly number[] = Object.freeze(exponentialBucketsRange(10e-3, 1800, 10));

/** controller-runtime's `controller_runtime_reconcile_time_seconds` buckets. */
export const reconcileTimeBuckets: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
]);

/** client-go workqueue latency buckets: `ExponentialBuckets(10e-9, 10, 12)`. */
export const workqueueBuckets: readonly number[] = Object.freeze(exponentialBuckets(10e-9, 10, 12));

/** Reconcile outcomes counted by `controller_runtime_reconcile_total{result}`. */
export const ReconcileResultLabel = {
  Success: 'success',
  Error: 'error',
  Requeue: 'requeue',
  RequeueAfter: 'requeue_after',
} as const;
/** A `result` label value. */
export type ReconcileResultLabel = (typeof ReconcileResultLabel)[keyof typeof ReconcileResultLabel];

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /** Defaults to a new Registry (never prom-client's global one). */
  registry?: Registry;
  /** Also export Node.js process metrics (`process_*`, `nodejs_*`); default false. */
  processMetrics?: boolean;
}

/**
 * The metrics of one manager on its own prom-client Registry: Flux's `gotk_reconcile_duration_seconds` and the
 * controller-runtime (`controller_runtime_*`) and client-go workqueue (`workqueue_*`) series.
 */
export class Metrics {
  readonly registry: Registry;
  readonly reconcileDuration: Histogram<'kind' | 'name' | 'namespace'>;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'name' | 'controller'>;
  readonly workqueueAdds: Counter<'name' | 'controller'>;
  readonly workqueueQueueDuration: Histogram<'name' | 'controller'>;
  readonly workqueueWorkDuration: Histogram<'name' | 'controller'>;
  readonly workqueueRetries: Counter<'name' | 'controller'>;
  readonly workqueueUnfinishedWork: Gauge<'name' | 'controller'>;
  readonly workqueueLongestRunning: Gauge<'name' | 'controller'>;
  readonly reconcilePanics: Counter<'controller'>;
  readonly restClientRequests: Counter<'code' | 'method' | 'host'>;
  readonly leaderElectionMasterStatus: Gauge<'name'>;
  readonly #inProgress = new Map<string, () => { unfinishedSeconds: number; longestSeconds: number }>();

  constructor(opts: MetricsOptions = {}) {
    const registers = [(this.registry = opts.registry ?? new Registry())];
    if (opts.processMetrics) {
      // prom-client's process_* and nodejs_* series, and the two Go-runtime series Flux's dashboards read
      collectDefaultMetrics({ register: this.registry });
      registerGoCompatibleMetrics(this.registry);
    }
    this.reconcileDuration = new Histogram({
      name: 'gotk_reconcile_duration_seconds',
      help: 'The duration in seconds of a gitops toolkit resource reconciliation.',
      labelNames: ['kind', 'name', 'namespace'],
      buckets: [...reconcileDurationBuckets],
      registers,
    });
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalReconcileErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [...reconcileTimeBuckets],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcilePanics = new Counter({
      name: 'controller_runtime_reconcile_panics_total',
      help: 'Total number of reconciliation panics per controller',
      labelNames: ['controller'],
      registers,
    });
    this.restClientRequests = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'],
      registers,
    });
    this.leaderElectionMasterStatus = new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers,
    });
    const wq = ['name', 'controller'] as const;
    this.workqueueDepth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: wq,
      registers,
    });
    this.workqueueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: wq,
      registers,
    });
    this.workqueueQueueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: wq,
      buckets: [...workqueueBuckets],
      registers,
    });
    this.workqueueWorkDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: wq,
      buckets: [...workqueueBuckets],
      registers,
    });
    this.workqueueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: wq,
      registers,
    });
    const probes = this.#inProgress;
    this.workqueueUnfinishedWork = new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames: wq,
      registers,
      collect() {
        for (const [name, probe] of probes) this.set({ name, controller: name }, probe().unfinishedSeconds);
      },
    });
    this.workqueueLongestRunning = new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: wq,
      registers,
      collect() {
        for (const [name, probe] of probes) this.set({ name, controller: name }, probe().longestSeconds);
      },
    });
  }

  /**
   * Sets a controller's series to zero at registration, as controller-runtime's `initMetrics` does, so that
   * dashboards and alerts see `controller_runtime_reconcile_errors_total` and friends before the first failure.
   */
  initController(controller: string): void {
    for (const result of Object.values(ReconcileResultLabel)) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
    this.reconcilePanics.inc({ controller }, 0);
    this.activeWorkers.set({ controller }, 0);
  }

  /** Records Flux's `gotk_reconcile_duration_seconds` for one object. */
  recordDuration(kind: string, obj: { namespace?: string; name: string }, seconds: number): void {
    this.reconcileDuration.observe({ kind, name: obj.name, namespace: obj.namespace ?? '' }, seconds);
  }

  /** Removes the series of a deleted object. */
  deleteObject(kind: string, obj: { namespace?: string; name: string }): void {
    this.reconcileDuration.remove({ kind, name: obj.name, namespace: obj.namespace ?? '' });
  }

  /** Hooks for a {@link RateLimitingQueue} named after its controller. */
  queueMetrics(name: string): QueueMetrics {
    const labels = { name, controller: name };
    this.workqueueDepth.set(labels, 0);
    this.workqueueAdds.inc(labels, 0);
    this.workqueueRetries.inc(labels, 0);
    return {
      add: () => this.workqueueAdds.inc(labels),
      depth: (n) => this.workqueueDepth.set(labels, n),
      queued: (s) => this.workqueueQueueDuration.observe(labels, s),
      worked: (s) => this.workqueueWorkDuration.observe(labels, s),
      retry: () => this.workqueueRetries.inc(labels),
      bindInProgress: (probe) => void this.#inProgress.set(name, probe),
    };
  }

  /** The exposition text of every metric. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * `go_info` and `go_memstats_alloc_bytes`, which Flux's control-plane dashboard queries (controller count, memory):
 * compatible series, so the dashboards work unchanged. `go_info{version}` names the Node.js version;
 * `go_memstats_alloc_bytes` ("bytes allocated and still in use") is V8's used heap plus external memory.
 */
function registerGoCompatibleMetrics(registry: Registry): void {
  new Gauge({
    name: 'go_info',
    help: 'Information about the Go environment.',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.set({ version: `node${process.versions.node}` }, 1);
    },
  });
  new Gauge({
    name: 'go_memstats_alloc_bytes',
    help: 'Number of bytes allocated and still in use.',
    registers: [registry],
    collect() {
      const m = process.memoryUsage();
      this.set(m.heapUsed + m.external);
    },
  });
}
