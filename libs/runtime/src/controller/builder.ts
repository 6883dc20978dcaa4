import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Runnable } from '../manager/runnable.ts';
import type { Clock } from '../queue/clock.ts';
import { Controller } from './controller.ts';
import { enqueueForObject, enqueueForOwner } from './handlers.ts';
import type { MapFunc } from './handlers.ts';
import type { Predicate } from './predicates.ts';
import type { GroupVersionKind } from '../client/types.ts';
import type { InformerProvider, InformerScopeLike, Reconciler } from './types.ts';
import type { KubeObject } from '../client/types.ts';

/** What the builder needs from a manager (the runtime's `Manager` satisfies it). */
export interface ControllerManager {
  readonly cache: InformerProvider;
  readonly logger: Logger;
  readonly metrics: Metrics;
  add(runnable: Runnable): void;
}

/** Tunables of a built controller (Flux flags `--concurrent`, `--min-retry-delay`, `--max-retry-delay`; ms). */
export interface BuilderOptions {
  concurrent?: number;
  minRetryDelay?: number;
  maxRetryDelay?: number;
  reconcileTimeout?: number;
  recordDuration?: boolean;
  clock?: Clock;
}

/** Options of a watch: event filters and, for other kinds, an informer scope. */
export interface WatchOptions<T extends KubeObject> {
  predicates?: Predicate<T>[];
  /** Scope of this kind's informer when the builder creates it (ignored when the informer already exists). */
  scope?: InformerScopeLike;
}

interface PendingWatch {
  gvk: GroupVersionKind;
  scope: InformerScopeLike | undefined;
  map: (forKind: GroupVersionKind) => MapFunc<KubeObject>;
  predicates: readonly Predicate<KubeObject>[];
}

/** Fluent builder like controller-runtime's `builder.ControllerManagedBy(mgr)`; `complete` adds it to the manager. */
export class ControllerBuilder {
  readonly #mgr: ControllerManager;
  #name: string | undefined;
  #for: { gvk: GroupVersionKind; predicates: readonly Predicate<KubeObject>[] } | undefined;
  readonly #watches: PendingWatch[] = [];
  #options: BuilderOptions = {};

  constructor(mgr: ControllerManager) {
    this.#mgr = mgr;
  }

  /** Controller name (default: the lower-cased kind). */
  named(name: string): this {
    this.#name = name;
    return this;
  }

  /** The reconciled kind; its events enqueue the object itself. */
  for<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, opts: { predicates?: Predicate<T>[] } = {}): this {
    if (this.#for) throw new Error(`failed to build controller: for() already called with ${this.#for.gvk.kind}`);
    this.#for = { gvk, predicates: (opts.predicates ?? []) as Predicate<KubeObject>[] };
    return this;
  }

  /** Objects of `gvk` controlled by the reconciled kind enqueue their owner. */
  owns<T extends KubeObject = KubeObject>(gvk: GroupVersionKind, opts: WatchOptions<T> = {}): this {
    this.#watches.push({
      gvk,
      scope: opts.scope,
      map: (forKind) => enqueueForOwner(forKind),
      predicates: (opts.predicates ?? []) as Predicate<KubeObject>[],
    });
    return this;
  }

  /** Objects of `gvk` enqueue the requests `mapFn` returns. */
  watches<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    mapFn: MapFunc<T>,
    opts: WatchOptions<T> = {},
  ): this {
    this.#watches.push({
      gvk,
      scope: opts.scope,
      map: () => mapFn as MapFunc<KubeObject>,
      predicates: (opts.predicates ?? []) as Predicate<KubeObject>[],
    });
    return this;
  }

  withOptions(options: BuilderOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /** Creates the controller, registers its watches and adds it to the manager. */
  complete(reconciler: Reconciler): Controller {
    if (!this.#for) throw new Error('failed to build controller: for() was not called');
    const forKind = this.#for.gvk;
    const controller = new Controller({
      name: this.#name ?? forKind.kind.toLowerCase(),
      forKind,
      reconciler,
      logger: this.#mgr.logger,
      metrics: this.#mgr.metrics,
      ...this.#options,
    });
    controller.watch(this.#mgr.cache.informerFor(forKind), enqueueForObject(), this.#for.predicates);
    for (const w of this.#watches) {
      controller.watch(this.#mgr.cache.informerFor(w.gvk, w.scope), w.map(forKind), w.predicates);
    }
    this.#mgr.add(controller);
    return controller;
  }
}

/** Starts building a controller managed by `mgr`. */
export function controllerBuilder(mgr: ControllerManager): ControllerBuilder {
  return new ControllerBuilder(mgr);
}
