import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { realClock } from '../queue/clock.ts';
import type { Clock } from '../queue/clock.ts';
import type { Logger } from '../observability/logger.ts';

/** The `coordination.k8s.io/v1` Lease fields leader election reads and writes. */
export type Lease = {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  spec?: LeaseSpec;
  [key: string]: unknown;
};

/** `Lease.spec` (times are MicroTime: RFC 3339 with microseconds). */
export type LeaseSpec = {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [key: string]: unknown;
};

const leaseGVK = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

/** What the elector needs from a Kubernetes client (the runtime's `KubeClient` satisfies it). */
export interface LeaseClient {
  get(gvk: typeof leaseGVK, key: { namespace?: string; name: string }, opts?: { signal?: AbortSignal }): Promise<Lease>;
  create(obj: Lease, opts?: { signal?: AbortSignal }): Promise<Lease>;
  update(obj: Lease, opts?: { signal?: AbortSignal }): Promise<Lease>;
}

/** Options of {@link LeaderElector}; durations in ms, defaults are Flux's flags. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  /** Namespace of the Lease (the controller's runtime namespace). */
  namespace: string;
  /** Lease name, e.g. from {@link leaderElectionID}. */
  name: string;
  /** Holder identity; default `<hostname>_<uuid>` like controller-runtime. */
  identity?: string;
  /** `--leader-election-lease-duration`, default 35s. */
  leaseDurationMs?: number;
  /** `--leader-election-renew-deadline`, default 30s. */
  renewDeadlineMs?: number;
  /** `--leader-election-retry-period`, default 5s. */
  retryPeriodMs?: number;
  /** `--leader-election-release-on-cancel`, default true: clear holderIdentity when stopped. */
  releaseOnCancel?: boolean;
  /** Monotonic time for expiry and renew deadlines. */
  clock?: Clock;
  /** Wall-clock time written to acquireTime/renewTime; default `new Date()`. */
  wallClock?: () => Date;
  logger?: Logger;
}

/** How {@link LeaderElector.run} ended. */
export type LeaderElectionOutcome = 'stopped' | 'lost';

/**
 * Flux's Lease name: `<base>` or, with a watch label selector (sharding), `<base>-<first 8 hex of
 * sha256(additions…)>` like fluxcd/pkg `leaderelection.GenerateID`. Empty additions are ignored.
 */
export function leaderElectionID(base: string, ...additions: string[]): string {
  if (base === '') return '';
  const extra = additions.filter((a) => a !== '').join('');
  if (extra === '') return base;
  return `${base}-${createHash('sha256').update(extra).digest('hex').slice(0, 8)}`;
}

/** `metav1.MicroTime` text of a Date (RFC 3339, six fractional digits, UTC). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Lease-based leader election with client-go semantics: candidates retry every `retryPeriod`; a lease held by
 * someone else is taken only after its record has not changed for `leaseDuration` (measured on the local
 * clock); the leader renews every `retryPeriod` and gives up when no renewal succeeded for `renewDeadline`.
 * Writes use the Lease resourceVersion (optimistic concurrency), so two candidates never both win.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #opts: Required<Omit<LeaderElectorOptions, 'logger' | 'identity'>>;
  readonly #log: Logger;
  #observed: { record: string; at: number; lease: Lease } | undefined;
  #leader = false;
  #elected: { promise: Promise<void>; resolve: () => void };

  constructor(opts: LeaderElectorOptions) {
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
    this.#opts = {
      client: opts.client,
      namespace: opts.namespace,
      name: opts.name,
      leaseDurationMs: opts.leaseDurationMs ?? 35_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 30_000,
      retryPeriodMs: opts.retryPeriodMs ?? 5_000,
      releaseOnCancel: opts.releaseOnCancel ?? true,
      clock: opts.clock ?? realClock,
      wallClock: opts.wallClock ?? (() => new Date()),
    };
    if (!(this.#opts.leaseDurationMs > this.#opts.renewDeadlineMs)) {
      throw new Error('invalid leader election options: lease duration must be greater than renew deadline');
    }
    if (!(this.#opts.renewDeadlineMs > this.#opts.retryPeriodMs * 1.2)) {
      throw new Error('invalid leader election options: renew deadline must exceed 1.2 × retry period');
    }
    this.#log = (opts.logger ?? pino({ level: 'silent' })).child({ lease: `${opts.namespace}/${opts.name}` });
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#elected = { promise, resolve };
  }

  /** Whether this instance currently holds the lease. */
  isLeader(): boolean {
    return this.#leader;
  }

  /** Resolves once this instance has acquired the lease. */
  elected(): Promise<void> {
    return this.#elected.promise;
  }

  /**
   * Acquires the lease, then renews it until `signal` aborts ('stopped', releasing the lease when
   * releaseOnCancel) or a renewal deadline passes ('lost').
   */
  async run(signal: AbortSignal): Promise<LeaderElectionOutcome> {
    this.#log.info({ identity: this.identity }, 'attempting to acquire leader lease');
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(signal)) break;
      await this.#sleep(this.#jittered(this.#opts.retryPeriodMs), signal);
    }
    if (signal.aborted) return 'stopped';
    this.#leader = true;
    this.#log.info({ identity: this.identity }, 'successfully acquired lease');
    this.#elected.resolve();

    let lastRenew = this.#opts.clock.now();
    while (!signal.aborted) {
      await this.#sleep(this.#opts.retryPeriodMs, signal);
      if (signal.aborted) break;
      if (await this.#tryAcquireOrRenew(signal)) {
        lastRenew = this.#opts.clock.now();
        continue;
      }
      if (this.#opts.clock.now() - lastRenew >= this.#opts.renewDeadlineMs || !this.#holdsObserved()) {
        this.#leader = false;
        this.#log.error({ identity: this.identity }, 'leader election lost');
        return 'lost';
      }
    }
    if (this.#opts.releaseOnCancel) await this.#release();
    this.#leader = false;
    return 'stopped';
  }

  #holdsObserved(): boolean {
    const holder = this.#observed?.lease.spec?.holderIdentity;
    return holder === undefined || holder === this.identity;
  }

  #jittered(ms: number): number {
    // client-go wait.JitterUntil with factor 1.2.
    return ms + Math.random() * 1.2 * ms;
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = (): void => {
        timer.cancel();
        resolve();
      };
      const timer = this.#opts.clock.setTimer(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #record(now: Date, previous: LeaseSpec | undefined): LeaseSpec {
    const takeover = previous?.holderIdentity !== this.identity || previous === undefined;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.#opts.leaseDurationMs / 1000)),
      acquireTime: takeover || !previous?.acquireTime ? microTime(now) : previous.acquireTime,
      renewTime: microTime(now),
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (takeover && previous !== undefined ? 1 : 0),
    };
  }

  #observe(lease: Lease): void {
    const spec = lease.spec ?? {};
    // Any change of the record (a renewal included) resets the expiry countdown; the resourceVersion also
    // catches renewals whose renewTime text happens to repeat.
    const record = JSON.stringify([
      spec.holderIdentity ?? '',
      spec.renewTime ?? '',
      spec.leaseTransitions ?? 0,
      lease.metadata.resourceVersion ?? '',
    ]);
    if (!this.#observed || this.#observed.record !== record) {
      this.#observed = { record, at: this.#opts.clock.now(), lease };
    } else {
      this.#observed.lease = lease;
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, namespace, name } = this.#opts;
    const now = this.#opts.wallClock();
    let current: Lease;
    try {
      current = await client.get(leaseGVK, { namespace, name }, { signal });
    } catch (err) {
      if (statusOf(err) !== 404) {
        this.#log.error({ err }, 'error retrieving resource lock');
        return false;
      }
      try {
        const created = await client.create(
          { ...leaseGVK, metadata: { name, namespace }, spec: this.#record(now, undefined) },
          { signal },
        );
        this.#observe(created);
        return true;
      } catch (createErr) {
        if (statusOf(createErr) !== 409)
          this.#log.error({ err: createErr }, 'error initially creating leader election record');
        return false;
      }
    }
    this.#observe(current);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.identity) {
      const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.#opts.leaseDurationMs / 1000)) * 1000;
      if (this.#observed!.at + durationMs > this.#opts.clock.now()) {
        this.#log.debug({ holder }, 'lock is held by another candidate and has not yet expired');
        return false;
      }
    }
    try {
      const updated = await client.update({ ...current, spec: { ...spec, ...this.#record(now, spec) } }, { signal });
      this.#observe(updated);
      return true;
    } catch (err) {
      if (statusOf(err) !== 409) this.#log.error({ err }, 'failed to update lock');
      return false;
    }
  }

  async #release(): Promise<void> {
    const lease = this.#observed?.lease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    const now = microTime(this.#opts.wallClock());
    try {
      // A fresh signal: the run signal is already aborted when releasing.
      const released = await this.#opts.client.update(
        {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: lease.spec?.leaseTransitions ?? 0,
          },
        },
        { signal: AbortSignal.timeout(this.#opts.retryPeriodMs) },
      );
      this.#observe(released);
      this.#log.info('released leader lease');
    } catch (err) {
      this.#log.error({ err }, 'failed to release lock');
    }
  }
}
