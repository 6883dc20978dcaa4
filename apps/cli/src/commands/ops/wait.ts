/** The waits the ops commands share: flux2's status checker (`pkg/status`), the command's signal. */
import { setTimeout as sleep } from 'node:timers/promises';
import { HealthChecker } from '@flux-ts/ssa';
import type { HealthRef, StatusResult } from '@flux-ts/ssa';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import type { CliLogger } from '../../logger.ts';

/** How often the waits poll (flux's status checker polls every 5 s; a CLI against a local cluster can ask more often). */
export const POLL_MS = 1000;

/**
 * flux2 `StatusChecker.Assess`: polls the objects until all are Current or `timeoutMs` passes, then logs each as
 * `<name>: <kind> ready`, `… not found` or `… not ready` (sorted by name).
 * @throws Error `timed out waiting for condition` when one is not Current in time
 */
export async function assessReady(
  client: KubeClient,
  refs: readonly HealthRef[],
  logger: CliLogger,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  const checker = new HealthChecker({ client });
  const deadline = Date.now() + opts.timeoutMs;
  let statuses = new Map<HealthRef, StatusResult>();
  for (;;) {
    statuses = new Map();
    for (const ref of refs) statuses.set(ref, await checker.check(ref, opts.signal));
    if ([...statuses.values()].every((s) => s.status === 'Current') || Date.now() >= deadline) break;
    await sleep(POLL_MS, undefined, { signal: opts.signal });
  }
  const sorted = [...statuses.entries()].sort(([a], [b]) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const [ref, s] of sorted) {
    const what = `${ref.metadata.name}: ${ref.kind.toLowerCase()}`;
    if (s.status === 'Current') logger.successf(`${what} ready`);
    else if (s.status === 'NotFound') logger.failuref(`${what} not found`);
    else logger.failuref(`${what} not ready`);
  }
  if (sorted.some(([, s]) => s.status !== 'Current')) throw new Error('timed out waiting for condition');
}

/** A Flux object's status as the waits read it. */
export type FluxObject = KubeObject & {
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
};

/** The signal of one command: the process's, bounded by `--timeout`. */
export function commandSignal(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}
