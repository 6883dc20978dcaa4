/**
 * Helm's waits (`kube.Client.Wait`, `WaitWithJobs`, `WaitForDelete`, `WatchUntilReady`) for the release actions,
 * with libs/helm's readiness rules (`objectStatus`, `hookStatus`) and a poll that starts fast and backs off to Helm's
 * 2 s: Helm polls every 2 s from the start, so a Deployment that rolls out a few milliseconds after it was applied
 * cost every install and upgrade a whole 2 s. Only the objects not ready yet are read again.
 *
 * Written here rather than with libs/helm's `StatusWaiter` because that one polls at one fixed interval.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WaitError, hookStatus, objectStatus } from '@flux-ts/helm';
import type { HelmKubeClient, KubeObject, ObjectStatus, ReadyStatus, WaitOptions, Waiter } from '@flux-ts/helm';

/** Options of {@link BackoffWaiter}. */
export interface BackoffWaiterOptions {
  /** The wait after the first poll in ms (default 100), doubled after each poll. */
  firstIntervalMs?: number;
  /** The longest wait between two polls in ms (default 2000, Helm's interval). */
  maxIntervalMs?: number;
}

const jobCreated: ObjectStatus = { status: 'Current', message: 'Job created' };

/** A Helm {@link Waiter} polling through a {@link HelmKubeClient} with a backing-off interval. */
export class BackoffWaiter implements Waiter {
  readonly #client: HelmKubeClient;
  readonly #first: number;
  readonly #max: number;

  constructor(client: HelmKubeClient, opts: BackoffWaiterOptions = {}) {
    this.#client = client;
    this.#max = opts.maxIntervalMs ?? 2000;
    this.#first = Math.min(opts.firstIntervalMs ?? 100, this.#max);
  }

  /** Until every object is Current (Jobs count as ready once created, as Helm's Wait without jobs). */
  wait(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    const rule = (o: KubeObject | undefined): ObjectStatus =>
      o !== undefined && o.kind === 'Job' && o.apiVersion.startsWith('batch/') ? jobCreated : objectStatus(o);
    return this.#poll(objects, opts, rule, 'Current');
  }

  /** Until every object is Current, Jobs complete. */
  waitWithJobs(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    return this.#poll(objects, opts, objectStatus, 'Current');
  }

  /** Until no object exists. */
  waitForDelete(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    return this.#poll(objects, opts, objectStatus, 'NotFound', false);
  }

  /** Helm's hook watch: Jobs until complete, Pods until succeeded, others at once; a failure ends it. */
  watchUntilReady(objects: readonly KubeObject[], opts: WaitOptions): Promise<void> {
    return this.#poll(objects, opts, hookStatus, 'Current');
  }

  async #poll(
    objects: readonly KubeObject[],
    opts: WaitOptions,
    rule: (o: KubeObject | undefined) => ObjectStatus,
    want: ReadyStatus,
    failFast = true,
  ): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    let pending = [...objects];
    let interval = this.#first;
    for (;;) {
      const next: KubeObject[] = [];
      let last = '';
      for (const o of pending) {
        const ref = {
          apiVersion: o.apiVersion,
          kind: o.kind,
          namespace: o.metadata.namespace ?? '',
          name: o.metadata.name,
        };
        const s = rule(await this.#client.get(ref, opts.signal));
        if (failFast && s.status === 'Failed') throw new WaitError(s.message);
        if (s.status !== want) {
          next.push(o);
          if (last === '')
            last = `resource not ready, name: ${o.metadata.name}, kind: ${o.kind}, status: ${s.status}: ${s.message}`;
        }
      }
      pending = next;
      if (pending.length === 0) return;
      if (Date.now() >= deadline) throw new WaitError(`${last}: context deadline exceeded`);
      await sleep(Math.min(interval, Math.max(1, deadline - Date.now())), undefined, { signal: opts.signal });
      interval = Math.min(interval * 2, this.#max);
    }
  }
}
