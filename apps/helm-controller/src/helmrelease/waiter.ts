/**
 * Helm's waits (`kube.Client.Wait`, `WaitWithJobs`, `WaitForDelete`, `WatchUntilReady`) for the release actions:
 * libs/helm's `StatusWaiter` with a poll that starts fast and backs off to Helm's 2 s. Helm polls every 2 s from the
 * start, so a Deployment that rolls out a few milliseconds after it was applied cost every install and upgrade a
 * whole 2 s. Only the objects not ready yet are read again.
 */
import { StatusWaiter } from '@flux-ts/helm';
import type { HelmKubeClient } from '@flux-ts/helm';

/** Options of {@link BackoffWaiter}. */
export interface BackoffWaiterOptions {
  /** The wait after the first poll in ms (default 100), doubled after each poll. */
  firstIntervalMs?: number;
  /** The longest wait between two polls in ms (default 2000, Helm's interval). */
  maxIntervalMs?: number;
}

/** A Helm waiter polling through a {@link HelmKubeClient} with a backing-off interval (100 ms doubling to 2 s). */
export class BackoffWaiter extends StatusWaiter {
  constructor(client: HelmKubeClient, opts: BackoffWaiterOptions = {}) {
    super(client, { intervalMs: opts.maxIntervalMs ?? 2000, firstIntervalMs: opts.firstIntervalMs ?? 100 });
  }
}
