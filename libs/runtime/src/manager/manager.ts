import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { ListenAddress } from '../config/address.ts';
import type { ControllerManager } from '../controller/builder.ts';
import type { InformerProvider } from '../controller/types.ts';
import { buildHealthServer, buildMetricsServer, listen } from '../http/servers.ts';
import type { BoundAddress, HealthCheck } from '../http/servers.ts';
import { LeaderElector } from '../leader-election/leader-elector.ts';
import type { LeaseClient } from '../leader-election/leader-elector.ts';
import type { Logger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import type { Runnable } from './runnable.ts';

/** What the manager needs from the informer cache (the runtime's `Cache` satisfies it). */
export interface ManagerCache extends InformerProvider {
  /** Starts the informers; resolves once they are started and keeps them running until `signal` aborts. */
  start(signal: AbortSignal): Promise<void>;
  waitForCacheSync(signal: AbortSignal): Promise<void>;
  hasSynced(): boolean;
}

/** Leader election settings of a manager (durations in ms; defaults are Flux's). */
export interface ManagerLeaderElection {
  /** Lease namespace (the controller's `RUNTIME_NAMESPACE`). */
  namespace: string;
  /** Lease name (`<controller>-leader-election`, see `leaderElectionID`). */
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  releaseOnCancel?: boolean;
}

/** Options of {@link Manager}. */
export interface ManagerOptions {
  /** Kubernetes client used for the Lease (the runtime's `KubeClient`). Required with `leaderElection`. */
  client?: LeaseClient;
  cache: ManagerCache;
  logger?: Logger;
  metrics?: Metrics;
  /** Enables leader election (`--enable-leader-election`). */
  leaderElection?: ManagerLeaderElection;
  /** `--health-addr` (`/healthz`, `/readyz`); not served when absent. */
  healthAddr?: ListenAddress;
  /** `--metrics-addr` (`/metrics`); not served when absent. */
  metricsAddr?: ListenAddress;
  /** How long in-flight work may finish after shutdown begins before it is aborted; default 30s. */
  gracefulShutdownMs?: number;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Runs a controller process like controller-runtime's manager: starts the probe and metrics servers and the
 * cache, waits for the cache to sync, then runs plain runnables, and leader-only runnables (controllers) once
 * the Lease is won. On abort it stops intake, lets in-flight reconciles finish for up to
 * `gracefulShutdownMs` before aborting them, then releases the lease, stops the cache and closes the servers.
 */
export class Manager implements ControllerManager {
  readonly cache: ManagerCache;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly #opts: ManagerOptions;
  readonly #runnables: Runnable[] = [];
  readonly #healthz = new Map<string, HealthCheck>([['ping', () => {}]]);
  readonly #readyz = new Map<string, HealthCheck>();
  readonly #elector: LeaderElector | undefined;
  #elected: { promise: Promise<void>; resolve: () => void };
  #started = false;
  #leaderStarted = false;
  #healthAddress: BoundAddress | undefined;
  #metricsAddress: BoundAddress | undefined;

  constructor(opts: ManagerOptions) {
    this.#opts = opts;
    this.cache = opts.cache;
    this.logger = opts.logger ?? pino({ level: 'silent' });
    this.metrics = opts.metrics ?? new Metrics();
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#elected = { promise, resolve };
    this.#readyz.set('informers-synced', () => {
      if (!this.cache.hasSynced()) throw new Error('caches not synced');
    });
    if (opts.leaderElection) {
      if (!opts.client) throw new Error('invalid manager options: leader election needs a client');
      this.#elector = new LeaderElector({
        ...opts.leaderElection,
        client: opts.client,
        logger: this.logger.child({ component: 'leader-election' }),
      });
    }
  }

  /** The holder identity used for the Lease (undefined without leader election). */
  get identity(): string | undefined {
    return this.#elector?.identity;
  }

  /** Adds a runnable (before `start`). */
  add(runnable: Runnable): void {
    if (this.#started) throw new Error('failed to add runnable: manager already started');
    this.#runnables.push(runnable);
  }

  /** Adds a liveness check served at `/healthz`. */
  addHealthzCheck(name: string, check: HealthCheck): void {
    this.#healthz.set(name, check);
  }

  /** Adds a readiness check served at `/readyz` (besides "informers-synced"). */
  addReadyzCheck(name: string, check: HealthCheck): void {
    this.#readyz.set(name, check);
  }

  /** Resolves once this instance is the leader (at once without leader election). */
  elected(): Promise<void> {
    return this.#elected.promise;
  }

  /** Whether leader-only runnables run in this instance (false again once the manager stopped). */
  isLeader(): boolean {
    return this.#leaderStarted;
  }

  /** The bound `/healthz` `/readyz` address once started. */
  get healthAddress(): BoundAddress | undefined {
    return this.#healthAddress;
  }

  /** The bound `/metrics` address once started. */
  get metricsAddress(): BoundAddress | undefined {
    return this.#metricsAddress;
  }

  /**
   * Runs until `signal` aborts; rejects when leadership is lost or a runnable fails. `opts.hardStop` aborts in-flight
   * work at once rather than after the graceful shutdown period (helm-controller's near-OOM watch).
   */
  async start(signal: AbortSignal, opts: { hardStop?: AbortSignal } = {}): Promise<void> {
    if (this.#started) throw new Error('failed to start manager: already started');
    this.#started = true;
    const log = this.logger;
    const stop = new AbortController(); // stop intake
    const hard = new AbortController(); // abort in-flight work
    if (opts.hardStop?.aborted) hard.abort();
    else opts.hardStop?.addEventListener('abort', () => hard.abort(), { once: true });
    const cacheStop = new AbortController();
    const leaseStop = new AbortController();
    let fatal: Error | undefined;
    const fail = (err: Error): void => {
      if (!fatal) fatal = err;
      stop.abort();
    };
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop.abort();

    const servers: FastifyInstance[] = [];
    const running: Promise<void>[] = [];
    const runAll = (list: Runnable[]): void => {
      for (const r of list) {
        running.push(
          r.start(stop.signal, { hardStop: hard.signal }).catch((err: unknown) => {
            // An abort error surfacing from the stop itself is a normal end, not a failure.
            if (stop.signal.aborted && (err as { name?: unknown } | null)?.name === 'AbortError') return;
            const e = err instanceof Error ? err : new Error(String(err));
            log.error({ err: e }, 'runnable failed');
            fail(new Error(`failed to run manager: runnable failed: ${e.message}`, { cause: e }));
          }),
        );
      }
    };
    let electorRun: Promise<unknown> = Promise.resolve();

    try {
      if (this.#opts.healthAddr) {
        const app = buildHealthServer({ healthz: this.#healthz, readyz: this.#readyz });
        servers.push(app);
        this.#healthAddress = await listen(app, this.#opts.healthAddr);
        log.info({ address: this.#healthAddress.url }, 'starting health probe server');
      }
      if (this.#opts.metricsAddr) {
        const app = buildMetricsServer({ registry: this.metrics.registry });
        servers.push(app);
        this.#metricsAddress = await listen(app, this.#opts.metricsAddr);
        log.info({ address: this.#metricsAddress.url }, 'starting metrics server');
      }

      log.info('starting cache');
      await this.cache.start(cacheStop.signal);
      await Promise.race([
        // The cache rejects the wait when the signal aborts: a normal stop.
        this.cache.waitForCacheSync(stop.signal).catch((err: unknown) => {
          if (!stop.signal.aborted) throw err;
        }),
        abortPromise(stop.signal),
      ]);
      if (!stop.signal.aborted) {
        log.info('caches synced');
        // Like controller-runtime: plain runnables start once the caches are synced, leader-only ones once elected.
        runAll(this.#runnables.filter((r) => !r.needLeaderElection));
      }

      const startLeaderRunnables = (): void => {
        if (stop.signal.aborted) return;
        this.#leaderStarted = true;
        this.#elected.resolve();
        runAll(this.#runnables.filter((r) => r.needLeaderElection));
      };
      if (this.#elector) {
        const elector = this.#elector;
        const lease = { name: this.#opts.leaderElection?.name ?? '' };
        this.metrics.leaderElectionMasterStatus.set(lease, 0);
        void elector.elected().then(() => this.metrics.leaderElectionMasterStatus.set(lease, 1));
        // elected() never rejects; if the lease is never won, the runnables simply never start
        void elector.elected().then(startLeaderRunnables);
        electorRun = elector.run(leaseStop.signal).then((outcome) => {
          if (outcome === 'lost') fail(new Error('failed to run manager: leader election lost'));
        });
      } else if (!stop.signal.aborted) {
        startLeaderRunnables();
      }

      await abortPromise(stop.signal);
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop.abort();
      log.info('stopping and waiting for runnables');
      const grace = this.#opts.gracefulShutdownMs ?? 30_000;
      const timer = setTimeout(() => hard.abort(), grace);
      const settled = Promise.allSettled(running);
      await Promise.race([settled, abortPromise(hard.signal)]);
      if (hard.signal.aborted) {
        if (opts.hardStop?.aborted) log.error('hard stop requested, aborting in-flight work');
        else log.error({ gracePeriodMs: grace }, 'graceful shutdown deadline passed, aborting in-flight work');
        // Runnables must honour hardStop; give them one more grace period to wind down.
        let second: NodeJS.Timeout | undefined;
        await Promise.race([settled, new Promise<void>((r) => (second = setTimeout(r, grace)))]);
        clearTimeout(second);
      }
      clearTimeout(timer);
      hard.abort();
      this.#leaderStarted = false;
      leaseStop.abort();
      await electorRun;
      cacheStop.abort();
      await Promise.allSettled(servers.map((s) => s.close()));
      log.info('manager stopped');
    }
    if (fatal) throw fatal;
  }
}
