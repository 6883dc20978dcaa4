// sortOptions: kustomize's legacy order (by kind priority, then gvk and id strings) or fifo (input order).
import { isMap, idOf, KustomizeError, type Gvk, type ResId, type Resource } from './resource.ts';
import type { YamlValue } from './yaml-emit.ts';

/** kustomize's default legacy orderFirst list. */
export const DEFAULT_ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
/** kustomize's default legacy orderLast list. */
export const DEFAULT_ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function gvkString(g: Gvk): string {
  return [g.group || '~G', g.version || '~V', g.kind || '~K'].join('_');
}

function idSortString(id: ResId): string {
  return [gvkString(id), id.namespace || '~X', id.name || '~N'].join('|');
}

// Go compares strings bytewise; compare UTF-8 encodings.
const goLess = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Sorts resources per the top-level kustomization's sortOptions (legacy when absent). */
export function sortResources(resources: Resource[], sortOptions: YamlValue | undefined): Resource[] {
  let order = 'legacy';
  let first = DEFAULT_ORDER_FIRST;
  let last = DEFAULT_ORDER_LAST;
  if (isMap(sortOptions)) {
    order = typeof sortOptions['order'] === 'string' ? sortOptions['order'] : '';
    if (order !== 'legacy' && order !== 'fifo') {
      throw new KustomizeError(`the field 'sortOptions.order' must be one of [fifo, legacy]`);
    }
    const lso = sortOptions['legacySortOptions'];
    if (order === 'fifo' && lso !== undefined && lso !== null) {
      throw new KustomizeError(
        `the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'`,
      );
    }
    if (isMap(lso)) {
      first = Array.isArray(lso['orderFirst']) ? lso['orderFirst'].map(String) : [];
      last = Array.isArray(lso['orderLast']) ? lso['orderLast'].map(String) : [];
    }
  }
  if (order === 'fifo') return resources;
  const rank = new Map<string, number>();
  first.forEach((k, i) => rank.set(k, -first.length + i));
  last.forEach((k, i) => rank.set(k, 1 + i));
  const keyed = resources.map((r) => ({ r, id: idOf(r.obj) }));
  keyed.sort((a, b) => {
    const ga = gvkString(a.id);
    const gb = gvkString(b.id);
    if (ga !== gb) {
      const ra = rank.get(a.id.kind) ?? 0;
      const rb = rank.get(b.id.kind) ?? 0;
      if (ra !== rb) return ra - rb;
      return goLess(ga, gb);
    }
    return goLess(idSortString(a.id), idSortString(b.id));
  });
  return keyed.map((k) => k.r);
}
