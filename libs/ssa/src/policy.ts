/** Per-object apply/prune policy from the `kustomize.toolkit.fluxcd.io/*` annotations (and labels). */
import { KustomizeAnnotations, KustomizeAnnotationValues } from '@flux-ts/api';
import type { KubeObject } from '@flux-ts/runtime';

/** The value of `kustomize.toolkit.fluxcd.io/ssa` (`Override` when unset or unknown). */
export type SsaPolicy = 'Override' | 'Merge' | 'IfNotPresent' | 'Ignore';

function metaValue(obj: Pick<KubeObject, 'metadata'>, key: string): string | undefined {
  return obj.metadata.annotations?.[key] ?? obj.metadata.labels?.[key];
}

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The SSA policy of an object. */
export function ssaPolicyOf(obj: Pick<KubeObject, 'metadata'>): SsaPolicy {
  const v = metaValue(obj, KustomizeAnnotations.SSA);
  if (eq(v, KustomizeAnnotationValues.Merge)) return 'Merge';
  if (eq(v, KustomizeAnnotationValues.IfNotPresent)) return 'IfNotPresent';
  if (eq(v, KustomizeAnnotationValues.Ignore)) return 'Ignore';
  return 'Override';
}

/** `kustomize.toolkit.fluxcd.io/reconcile: disabled`. */
export function isReconcileDisabled(obj: Pick<KubeObject, 'metadata'>): boolean {
  return eq(metaValue(obj, KustomizeAnnotations.Reconcile), KustomizeAnnotationValues.Disabled);
}

/** `kustomize.toolkit.fluxcd.io/force: enabled`. */
export function isForceEnabled(obj: Pick<KubeObject, 'metadata'>): boolean {
  return eq(metaValue(obj, KustomizeAnnotations.Force), KustomizeAnnotationValues.Enabled);
}

/** Objects that are never applied: `ssa: Ignore` or `reconcile: disabled`. */
export function isApplySkipped(obj: Pick<KubeObject, 'metadata'>): boolean {
  return ssaPolicyOf(obj) === 'Ignore' || isReconcileDisabled(obj);
}

/** Objects that are never pruned: `prune: disabled`, `reconcile: disabled` or `ssa: Ignore`. */
export function isPruneDisabled(obj: Pick<KubeObject, 'metadata'>): boolean {
  return (
    eq(metaValue(obj, KustomizeAnnotations.Prune), KustomizeAnnotationValues.Disabled) ||
    isReconcileDisabled(obj) ||
    ssaPolicyOf(obj) === 'Ignore'
  );
}
