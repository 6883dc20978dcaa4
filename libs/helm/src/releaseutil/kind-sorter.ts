// helm 3.18.0's pkg/releaseutil/kind_sorter.go: the install and uninstall orders of kinds and the stable sort by
// kind (unknown kinds last, alphabetically among themselves, equal kinds in their original order).

/** A KindSortOrder: kinds in the order they are installed (or uninstalled). */
export type KindSortOrder = readonly string[];

/** releaseutil.InstallOrder. */
export const INSTALL_ORDER: KindSortOrder = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

/** releaseutil.UninstallOrder. */
export const UNINSTALL_ORDER: KindSortOrder = [
  'APIService',
  'Ingress',
  'IngressClass',
  'Service',
  'CronJob',
  'Job',
  'StatefulSet',
  'HorizontalPodAutoscaler',
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'Pod',
  'DaemonSet',
  'RoleBindingList',
  'RoleBinding',
  'RoleList',
  'Role',
  'ClusterRoleBindingList',
  'ClusterRoleBinding',
  'ClusterRoleList',
  'ClusterRole',
  'CustomResourceDefinition',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StorageClass',
  'ConfigMap',
  'SecretList',
  'Secret',
  'ServiceAccount',
  'PodDisruptionBudget',
  'PodSecurityPolicy',
  'LimitRange',
  'ResourceQuota',
  'NetworkPolicy',
  'Namespace',
  'PriorityClass',
];

/**
 * lessByKind as a comparator for a stable sort (Array.prototype.sort is stable, as sort.SliceStable): known kinds
 * by their index, unknown kinds after them, ordered by name (Go's byte order), equal kinds keep their order.
 */
export function kindComparator(ordering: KindSortOrder): (a: string, b: string) => number {
  const index = new Map<string, number>();
  ordering.forEach((k, i) => index.set(k, i));
  return (a, b) => {
    const first = index.get(a);
    const second = index.get(b);
    if (first === undefined && second === undefined) return a === b ? 0 : compareBytes(a, b);
    if (first === undefined) return 1;
    if (second === undefined) return -1;
    return first - second;
  };
}

/** Go's string order (UTF-8 bytes), for kinds. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** sortManifestsByKind / sortHooksByKind: a stable sort of items by their kind. */
export function sortByKind<T>(items: T[], kind: (t: T) => string, ordering: KindSortOrder = INSTALL_ORDER): T[] {
  const cmp = kindComparator(ordering);
  return items.sort((x, y) => cmp(kind(x), kind(y)));
}
