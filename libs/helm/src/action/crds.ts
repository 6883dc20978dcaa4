// The CRDs of a chart's crds/ directories, applied before the chart's templates as helm-controller's `crds` policy
// says: Skip, Create (helm's installCRDs: create each, skip those present) or CreateReplace (create or replace,
// never delete). Created CRDs are waited for (Established) for up to 60 s, as Helm does.
import type { Chart } from '../chart/chart.ts';
import { crdObjects } from '../releaseutil/render-resources.ts';
import type { ActionRun } from './configuration.ts';
import { buildObjects, isAlreadyExists, type KubeObject } from './kube.ts';
import { updateObjects } from './resources.ts';

/** helm-controller's CRD policy. */
export type CrdPolicy = 'Skip' | 'Create' | 'CreateReplace';

/** Applies the chart's CRDs by policy; returns the CRD objects created or replaced. */
export async function applyCrds(run: ActionRun, chart: Chart, policy: CrdPolicy): Promise<KubeObject[]> {
  if (policy === 'Skip') return [];
  const crds = crdObjects(chart);
  if (crds.length === 0) return [];
  const total: KubeObject[] = [];
  if (policy === 'Create') {
    for (const c of crds) {
      let objs: KubeObject[];
      try {
        objs = await buildObjects(run.cfg.kube, c.data.toString('utf8'), '', run.signal);
      } catch (e) {
        throw new Error(`failed to install CRD ${c.name}: ${(e as Error).message}`, { cause: e });
      }
      let created = true;
      for (const o of objs) {
        try {
          await run.cfg.kube.create(o, run.signal);
        } catch (e) {
          if (isAlreadyExists(e)) {
            run.log(`CRD ${o.metadata.name} is already present. Skipping.`);
            created = false;
            continue;
          }
          throw new Error(`failed to install CRD ${c.name}: ${(e as Error).message}`, { cause: e });
        }
      }
      if (created) total.push(...objs);
    }
  } else {
    const all: KubeObject[] = [];
    for (const c of crds) {
      try {
        all.push(...(await buildObjects(run.cfg.kube, c.data.toString('utf8'), '', run.signal)));
      } catch (e) {
        throw new Error(`failed to install CRD ${c.name}: ${(e as Error).message}`, { cause: e });
      }
    }
    const original: KubeObject[] = [];
    for (const o of all) {
      if (
        (await run.cfg.kube.get(
          { apiVersion: o.apiVersion, kind: o.kind, namespace: '', name: o.metadata.name },
          run.signal,
        )) !== undefined
      )
        original.push(o);
    }
    try {
      const r = await updateObjects(run.cfg.kube, original, all, {
        force: true,
        ...(run.signal ? { signal: run.signal } : {}),
        log: (l) => run.log(l),
      });
      total.push(...r.created, ...r.updated);
    } catch (e) {
      throw new Error(`failed to update CRD(s): ${(e as Error).message}`, { cause: e });
    }
  }
  if (total.length > 0) {
    await run.cfg.waiter.wait(total, { timeoutMs: 60_000, ...(run.signal ? { signal: run.signal } : {}) });
  }
  return total;
}
