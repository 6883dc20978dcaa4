import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { realClock } from '../queue/clock.ts';
import type { Clock } from '../queue/clock.ts';
import { RateLimitingQueue } from '../queue/queue.ts';
import { ExponentialFailureRateLimiter } from '../queue/rate-limiter.ts';
import { withContext } from '../observability/logger.ts';
import type { Logger } from '../observability/logger.ts';
import { Metrics, ReconcileResultLabel } from '../observability/metrics.ts';
import type { Runnable, RunnableContext } from '../manager/runnable.ts';
import { isTerminalError } from './errors.ts';
import { passes } from './predicates.ts';
import type { Predicate } from './predicates.ts';
import type { MapFunc } from './handlers.ts';
import { parseRequestKey, requestKey } from './types.ts';
import type { GroupVersionKind, KubeObject } from '../client/types.ts';
import type { EventSource, InformerEvent, ReconcileResult, Reconciler, Request } from './types.ts';

/** Options of a {@link Controller}. */
export interface ControllerOptions {
  /** Controller name (logs, metrics, queue name), e.g. `gitrepository`. */
  name: string;
  /** The reconciled kind (log field `kind` and `gotk_reconcile_duration_seconds{kind}`). */
  forKind: GroupVersionKind;
  reconciler: Reconciler;
  /** Number of workers (`--concurrent`); default 1. */
  concurrent?: number;
  /** First retry delay after an error (`--min-retry-delay`); default 750ms. */
  minRetryDelay?: number;
  /** Cap of the per-key backoff (`--max-retry-delay`); default 15m. */
  maxRetryDelay?: number;
  /** Per-reconcile timeout in ms (the reconcile signal aborts); none by default. */
  reconcileTimeout?: number;
  logger?: Logger;
  metrics?: Metrics;
  clock?: Clock;
  /** Record `gotk_reconcile_duration_seconds` for each reconcile; default true. */
  recordDuration?: boolean;
}

interface Watch {
  source: EventSource<KubeObject>;
  map: MapFunc<KubeObject>;
  predicates: readonly Predicate<KubeObject>[];
}

/**
 * A controller: watches feed a deduplicating rate-limited queue, `concurrent` workers reconcile keys with at
 * most one run per key at a time (controller-runtime `reconcileHandler` semantics for results and errors).
 * Start it through a manager (it needs leader election) or directly with `start(signal)`.
 */
export class Controller implements Runnable {
  readonly name: string;
  readonly needLeaderElection = true;
  readonly queue: RateLimitingQueue<string>;
  readonly #opts: ControllerOptions;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #clock: Clock;
  readonly #watches: Watch[] = [];
  #started = false;

  constructor(opts: ControllerOptions) {
    const concurrent = opts.concurrent ?? 1;
    if (!Number.isInteger(concurrent) || concurrent < 1) {
      throw new Error(
        `invalid controller ${opts.name} options: concurrent must be a positive integer, got ${concurrent}`,
      );
    }
    this.#opts = { ...opts, concurrent };
    this.name = opts.name;
    this.#clock = opts.clock ?? realClock;
    this.#metrics = opts.metrics ?? new Metrics();
    this.#log = withContext(opts.logger ?? pino({ level: 'silent' }), {
      controller: opts.name,
      kind: opts.forKind.kind,
    });
    this.queue = new RateLimitingQueue<string>({
      name: opts.name,
      clock: this.#clock,
      metrics: this.#metrics.queueMetrics(opts.name),
      rateLimiter: new ExponentialFailureRateLimiter({
        minDelayMs: opts.minRetryDelay ?? 750,
        maxDelayMs: opts.maxRetryDelay ?? 15 * 60_000,
      }),
    });
  }

  /** Adds an event source; events passing `predicates` enqueue the requests `map` returns. Before start only. */
  watch<T extends KubeObject>(source: EventSource<T>, map: MapFunc<T>, predicates: readonly Predicate<T>[] = []): void {
    if (this.#started) throw new Error(`failed to add watch to controller ${this.name}: controller already started`);
    this.#watches.push({
      source,
      map: map as MapFunc<KubeObject>,
      predicates: predicates as readonly Predicate<KubeObject>[],
    });
  }

  /** Enqueues a request directly (e.g. from a webhook receiver). */
  enqueue(req: Request): void {
    this.queue.add(requestKey(req));
  }

  /**
   * Registers the watches, waits for their informers to sync, then runs the workers until `signal` aborts.
   * On abort the queue stops intake and in-flight reconciles finish; their signal aborts with `ctx.hardStop`
   * (or at once when no `ctx` is given).
   */
  async start(signal: AbortSignal, ctx?: RunnableContext): Promise<void> {
    if (this.#started) throw new Error(`failed to start controller ${this.name}: already started`);
    this.#started = true;
    const hardStop = ctx?.hardStop ?? signal;
    const unsubscribes: Array<() => void> = [];
    try {
      this.#log.info('Starting EventSource');
      for (const w of this.#watches) {
        unsubscribes.push(w.source.onEvent((e) => this.#handle(w, e)));
        for (const obj of w.source.list()) this.#handle(w, { type: 'ADDED', object: obj });
      }
      this.#log.info('Starting Controller');
      try {
        await Promise.all(this.#watches.map((w) => w.source.waitForSync(signal)));
      } catch (err) {
        // Informers reject waitForSync when the signal aborts: that is a normal stop, not a failure.
        if (!signal.aborted)
          throw new Error(`failed to wait for caches to sync for controller ${this.name}`, { cause: err });
      }
      if (signal.aborted) return;
      const concurrent = this.#opts.concurrent ?? 1;
      this.#metrics.maxConcurrentReconciles.set({ controller: this.name }, concurrent);
      this.#metrics.initController(this.name);
      this.#log.info({ 'worker count': concurrent }, 'Starting workers');
      const workers = Array.from({ length: concurrent }, () => this.#worker(hardStop));
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.#log.info('Shutdown signal received, waiting for all workers to finish');
      this.queue.shutDown();
      await Promise.all(workers);
      this.#log.info('All workers finished');
    } finally {
      this.queue.shutDown();
      unsubscribes.forEach((u) => u());
    }
  }

  #handle(w: Watch, e: InformerEvent<KubeObject>): void {
    const kind = e.type === 'ADDED' ? 'create' : e.type === 'DELETED' ? 'delete' : e.old ? 'update' : 'create';
    if (!passes(w.predicates, kind, e.object, e.old)) return;
    let reqs: Request[];
    try {
      reqs = w.map(e.object);
      if (kind === 'update' && e.old) reqs = reqs.concat(w.map(e.old));
    } catch (err) {
      this.#log.error({ err }, 'failed to map event to requests');
      return;
    }
    // Old and new object often map to the same request: add each key once per event.
    for (const key of new Set(reqs.map(requestKey))) this.queue.add(key);
  }

  async #worker(hardStop: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.#process(key, hardStop);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string, hardStop: AbortSignal): Promise<void> {
    const req = parseRequestKey(key);
    const reconcileID = randomUUID();
    const log = withContext(this.#log, { namespace: req.namespace, name: req.name, reconcileID });
    const signal =
      this.#opts.reconcileTimeout !== undefined
        ? AbortSignal.any([hardStop, AbortSignal.timeout(this.#opts.reconcileTimeout)])
        : hardStop;
    const labels = { controller: this.name };
    this.#metrics.activeWorkers.inc(labels);
    const started = this.#clock.now();
    let result: ReconcileResult | void = undefined;
    let error: Error | undefined;
    try {
      // The async wrapper turns synchronous throws of the reconciler into rejections.
      result = await (async () => this.#opts.reconciler(req, { signal, log, reconcileID }))();
    } catch (thrown) {
      // Recover from anything thrown, including non-Error values ("panics").
      error = thrown instanceof Error ? thrown : new Error(`reconciler panicked: ${String(thrown)}`, { cause: thrown });
    } finally {
      const seconds = (this.#clock.now() - started) / 1000;
      this.#metrics.activeWorkers.dec(labels);
      this.#metrics.reconcileTime.observe(labels, seconds);
      if (this.#opts.recordDuration !== false) this.#metrics.recordDuration(this.#opts.forKind.kind, req, seconds);
    }

    if (error) {
      this.#metrics.reconcileErrors.inc(labels);
      if (isUnexpectedError(error)) this.#metrics.reconcilePanics.inc(labels);
      this.#metrics.reconcileTotal.inc({ ...labels, result: ReconcileResultLabel.Error });
      if (isTerminalError(error)) {
        this.#metrics.terminalReconcileErrors.inc(labels);
        this.queue.forget(key);
        log.error(reconcileErrorFields(error, log), 'Reconciler error (terminal, not retried)');
      } else {
        this.queue.addRateLimited(key);
        log.error(reconcileErrorFields(error, log), 'Reconciler error');
      }
      return;
    }
    const requeueAfter = result?.requeueAfter ?? 0;
    if (requeueAfter > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, requeueAfter);
      this.#metrics.reconcileTotal.inc({ ...labels, result: ReconcileResultLabel.RequeueAfter });
    } else if (result?.requeue) {
      this.queue.addRateLimited(key);
      this.#metrics.reconcileTotal.inc({ ...labels, result: ReconcileResultLabel.Requeue });
    } else {
      this.queue.forget(key);
      this.#metrics.reconcileTotal.inc({ ...labels, result: ReconcileResultLabel.Success });
    }
    log.debug('Reconcile done');
  }
}

/** Programming errors (and panics) whose stack is worth a log line; everything else is an ordinary failure. */
const UnexpectedErrors = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * The fields of a "Reconciler error" line, as controller-runtime writes them: `error` is the message once; the stack
 * (`err`) only for unexpected errors or at debug level.
 */
export function reconcileErrorFields(error: Error, log: Logger): { error: string; err?: Error } {
  return isUnexpectedError(error) || log.isLevelEnabled('debug')
    ? { error: error.message, err: error }
    : { error: error.message };
}

/** A thrown non-Error or a programming error: what Go would call a panic (`controller_runtime_reconcile_panics_total`). */
function isUnexpectedError(error: Error): boolean {
  return UnexpectedErrors.some((t) => error instanceof t) || error.message.startsWith('reconciler panicked');
}
