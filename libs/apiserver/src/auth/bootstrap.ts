/**
 * The default ClusterRoles and ClusterRoleBindings kube-apiserver bootstraps (its bootstrap policy, as data in
 * `bootstrap-policy.ts`): cluster-admin, the aggregated admin/edit/view and the `system:aggregate-to-*` roles that
 * feed them, the `system:*` component roles, and one `system:controller:<name>` role and binding per controller.
 */
import {
  CLUSTER_ROLE_BINDINGS,
  CLUSTER_ROLES,
  CONTROLLER_ROLES,
  type BootstrapBinding,
  type BootstrapRole,
} from './bootstrap-policy.ts';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from './types.ts';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const CONTROLLER_PREFIX = 'system:controller:';

const list = (s: string | undefined): string[] => (s === undefined ? [] : s.split(','));

/** Parses one rule of the compact notation of `bootstrap-policy.ts`. */
export const parseRule = (spec: string): PolicyRule => {
  const parts = spec.split('|');
  if (spec.startsWith('@')) return { nonResourceURLs: list(parts[0]?.slice(1)), verbs: list(parts[1]) };
  const rule: PolicyRule = { apiGroups: list(parts[0]), resources: list(parts[1]), verbs: list(parts[2]) };
  if (parts[3] !== undefined) rule.resourceNames = list(parts[3]);
  return rule;
};

const toClusterRole = (r: BootstrapRole, name = r.name): ClusterRole => {
  const cr: ClusterRole = {
    apiVersion: RBAC_V1,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...r.labels }, annotations: { ...AUTOUPDATE } },
    rules: r.rules.map(parseRule),
  };
  if (r.aggregateFrom !== undefined)
    cr.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [r.aggregateFrom]: 'true' } }] };
  return cr;
};

const toSubject = (s: string): Subject => {
  const i = s.indexOf(':');
  const kind = s.slice(0, i);
  const rest = s.slice(i + 1);
  if (kind === 'ServiceAccount') {
    const j = rest.indexOf(':');
    return { kind, name: rest.slice(j + 1), namespace: rest.slice(0, j) };
  }
  return { apiGroup: RBAC_GROUP, kind, name: rest };
};

const toBinding = (b: BootstrapBinding): ClusterRoleBinding => ({
  apiVersion: RBAC_V1,
  kind: 'ClusterRoleBinding',
  metadata: { name: b.name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: b.role },
  subjects: b.subjects.map(toSubject),
});

/**
 * Fresh copies of the bootstrap ClusterRoles and ClusterRoleBindings. `admin`/`edit`/`view` carry `rules: []` and
 * an aggregationRule; `authorize` resolves them at evaluation time (or fill them with `aggregateClusterRoles`).
 */
export const bootstrapRbacObjects = (): { clusterRoles: ClusterRole[]; clusterRoleBindings: ClusterRoleBinding[] } => {
  const clusterRoles = [
    ...CLUSTER_ROLES.map((r) => toClusterRole(r)),
    ...CONTROLLER_ROLES.map((r) => toClusterRole(r, `${CONTROLLER_PREFIX}${r.name}`)),
  ];
  const clusterRoleBindings = [
    ...CLUSTER_ROLE_BINDINGS.map(toBinding),
    ...CONTROLLER_ROLES.map((r) =>
      toBinding({
        name: `${CONTROLLER_PREFIX}${r.name}`,
        role: `${CONTROLLER_PREFIX}${r.name}`,
        subjects: [`ServiceAccount:kube-system:${r.name}`],
      }),
    ),
  ];
  return { clusterRoles, clusterRoleBindings };
};
