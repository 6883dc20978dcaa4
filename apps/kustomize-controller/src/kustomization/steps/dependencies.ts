/**
 * The dependsOn step: every dependency must be Ready (or pass its CEL `readyExpr`), and one built from the same
 * source must have applied this revision already; otherwise DependencyNotReady, requeued after
 * `--requeue-dependency`.
 */
import { Result, checkDependencies } from '@flux-ts/runtime';
import type { KustomizationObject, KustomizationState } from '../state.ts';

/** Waits for `spec.dependsOn`. */
export async function reconcileDependencies(obj: KustomizationObject, state: KustomizationState): Promise<Result> {
  const deps = obj.spec.dependsOn ?? [];
  if (deps.length === 0) return Result.Success;
  const { opts } = state;
  const revision = state.revision;
  await checkDependencies(obj, deps, {
    reader: opts.reader ?? opts.client,
    requeueAfter: opts.requeueDependency ?? 30_000,
    additiveCEL: opts.featureGates?.AdditiveCELDependencyCheck ?? false,
    extraCheck: (d) => {
      const sameSource =
        d.spec?.sourceRef?.kind === obj.spec.sourceRef.kind &&
        d.spec.sourceRef.name === obj.spec.sourceRef.name &&
        (d.spec.sourceRef.namespace || d.metadata.namespace) ===
          (obj.spec.sourceRef.namespace || obj.metadata.namespace);
      if (sameSource && d.status?.lastAppliedRevision !== revision)
        return `dependency '${d.metadata.namespace}/${d.metadata.name}' revision is not up to date`;
      return undefined;
    },
    signal: state.ctx.signal,
  });
  state.log.debug('all dependencies are ready');
  return Result.Success;
}
