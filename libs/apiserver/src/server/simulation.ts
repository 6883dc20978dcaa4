/**
 * The optional workload status simulation: a timer that writes the status a controller manager would write to
 * Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs (through `src/workload`).
 */
import { isDeepStrictEqual } from 'node:util';
import { getPath } from '../util.ts';
import { simulateWorkloadStatus, simulationReadyAt } from '../wiring/auth.ts';
import type { ServerContext } from './context.ts';

/** Settings of the simulation: how long a workload takes to become ready, how often the status is written. */
export interface SimulationSettings {
  readyAfterMs: number;
  intervalMs?: number;
}

/** A server's simulation: `set` starts it with new settings (or stops it with undefined). */
export interface WorkloadSimulation {
  set(sim: SimulationSettings | undefined): void;
}

const WORKLOADS = ['apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs'];

const withoutTimes = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutTimes)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => !/(Time|Timestamp)$/.test(k))
            .map(([k, x]) => [k, withoutTimes(x)]),
        )
      : v;

const sameButTimes = (a: unknown, b: unknown): boolean => isDeepStrictEqual(withoutTimes(a), withoutTimes(b));

/**
 * One tick: writes the simulated status of every workload that needs it. `settled` holds the objects whose
 * simulated status is final (written, and past its ready time) at the resourceVersion noted there: the tick skips
 * them until they change, so an idle cluster costs nothing however many workloads it holds.
 */
const tick = (ctx: ServerContext, sim: SimulationSettings, settled: Map<string, string>): void => {
  const now = Date.now();
  const seen = new Set<string>();
  for (const b of WORKLOADS) {
    const [g, r] = b.split('/') as [string, string];
    const def = ctx.registry.all().find((d) => d.group === g && d.resource === r);
    if (!def) continue;
    for (const o of ctx.store.bucket(b).list()) {
      if (getPath(o, 'metadata.deletionTimestamp')) continue;
      const uid = String(getPath(o, 'metadata.uid'));
      const rv = String(getPath(o, 'metadata.resourceVersion'));
      seen.add(uid);
      if (settled.get(uid) === rv) continue;
      const changedAt = ctx.core.generationChangedAt(uid);
      const simOpts = {
        now: new Date(now),
        readyAfterMs: sim.readyAfterMs,
        ...(changedAt !== undefined ? { changedAt: new Date(changedAt) } : {}),
      };
      const status = simulateWorkloadStatus(o, simOpts);
      if (!status) continue;
      if (o['status'] !== undefined && isDeepStrictEqual(o['status'], status)) {
        const readyAt = simulationReadyAt(o, simOpts);
        if (readyAt !== undefined && readyAt.getTime() <= now) settled.set(uid, rv);
        continue;
      }
      // Not changed since this server started (a restart from a snapshot): a stored status that differs from
      // the simulated one only in its timestamps is kept, so that a resumed cluster writes nothing.
      if (changedAt === undefined && o['status'] !== undefined && sameButTimes(o['status'], status)) {
        settled.set(uid, rv);
        continue;
      }
      const next = structuredClone(o);
      next['status'] = status;
      try {
        ctx.core.update(
          def,
          String(getPath(o, 'metadata.namespace') ?? ''),
          String(getPath(o, 'metadata.name')),
          next,
          { dryRun: false, fieldManager: 'kube-controller-manager', fieldValidation: 'Ignore', warnings: [] },
          'status',
        );
      } catch {
        // a concurrent write won; the next tick retries
      }
    }
  }
  for (const uid of settled.keys()) if (!seen.has(uid)) settled.delete(uid);
};

/** Makes the (stopped) workload simulation of a server. */
export const workloadSimulation = (ctx: ServerContext): WorkloadSimulation => {
  let timer: NodeJS.Timeout | undefined;
  return {
    set: (sim) => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (!sim) return;
      const settled = new Map<string, string>();
      timer = setInterval(() => tick(ctx, sim, settled), sim.intervalMs ?? 200);
      timer.unref();
    },
  };
};
