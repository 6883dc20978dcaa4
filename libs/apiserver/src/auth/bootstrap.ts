/**
 * The default ClusterRoles and ClusterRoleBindings of a real cluster that matter to flux-ts (from kube-apiserver's
 * bootstrap policy, rule lists trimmed to the resources this server serves).
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from './types.ts';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, SYSTEM_MASTERS } from './user.ts';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...WRITE, ...READ];
const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

const rule = (verbs: string[], apiGroups: string[], resources: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const clusterRole = (
  name: string,
  rules: PolicyRule[],
  extraLabels: Record<string, string> = {},
  aggregateFrom?: string,
): ClusterRole => {
  const cr: ClusterRole = {
    apiVersion: RBAC_V1,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...extraLabels },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    rules,
  };
  if (aggregateFrom !== undefined)
    cr.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: 'true' } }] };
  return cr;
};

const binding = (name: string, groups: string[], roleName = name): ClusterRoleBinding => ({
  apiVersion: RBAC_V1,
  kind: 'ClusterRoleBinding',
  metadata: {
    name,
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  },
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
  subjects: groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
});

/**
 * Fresh copies of the bootstrap ClusterRoles (`cluster-admin`, aggregated `admin`/`edit`/`view` and the
 * `system:aggregate-to-*` roles that feed them, `system:discovery`, `system:basic-user`,
 * `system:public-info-viewer`) and their ClusterRoleBindings. `admin`/`edit`/`view` carry `rules: []` and an
 * aggregationRule; `authorize` resolves them at evaluation time (or fill them with `aggregateClusterRoles`).
 */
export const bootstrapRbacObjects = (): { clusterRoles: ClusterRole[]; clusterRoleBindings: ClusterRoleBinding[] } => {
  const clusterRoles: ClusterRole[] = [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', [], {}, AGG_ADMIN),
    clusterRole('edit', [], { [AGG_ADMIN]: 'true' }, AGG_EDIT),
    clusterRole('view', [], { [AGG_EDIT]: 'true' }, AGG_VIEW),
    clusterRole(
      'system:aggregate-to-admin',
      [
        rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
        rule(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles']),
      ],
      { [AGG_ADMIN]: 'true' },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(
          ['create', 'delete', 'deletecollection', 'patch', 'update'],
          [''],
          ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'],
        ),
        rule(['create'], [''], ['pods/eviction']),
        rule(
          READ_WRITE,
          [''],
          [
            'configmaps',
            'events',
            'persistentvolumeclaims',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'secrets',
            'serviceaccounts',
            'services',
            'services/proxy',
          ],
        ),
        rule(['create'], [''], ['serviceaccounts/token']),
        rule(
          READ_WRITE,
          ['apps'],
          [
            'daemonsets',
            'deployments',
            'deployments/rollback',
            'deployments/scale',
            'replicasets',
            'replicasets/scale',
            'statefulsets',
            'statefulsets/scale',
          ],
        ),
        rule(READ_WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(READ_WRITE, ['batch'], ['cronjobs', 'jobs']),
        rule(READ_WRITE, ['policy'], ['poddisruptionbudgets']),
        rule(READ_WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
        rule(['impersonate'], [''], ['serviceaccounts']),
      ],
      { [AGG_EDIT]: 'true' },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(
          READ,
          [''],
          [
            'configmaps',
            'endpoints',
            'persistentvolumeclaims',
            'persistentvolumeclaims/status',
            'pods',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'serviceaccounts',
            'services',
            'services/status',
          ],
        ),
        rule(
          READ,
          [''],
          [
            'bindings',
            'events',
            'limitranges',
            'namespaces/status',
            'pods/log',
            'pods/status',
            'replicationcontrollers/status',
            'resourcequotas',
            'resourcequotas/status',
          ],
        ),
        rule(READ, [''], ['namespaces']),
        rule(READ, ['discovery.k8s.io'], ['endpointslices']),
        rule(
          READ,
          ['apps'],
          [
            'controllerrevisions',
            'daemonsets',
            'daemonsets/status',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'replicasets',
            'replicasets/scale',
            'replicasets/status',
            'statefulsets',
            'statefulsets/scale',
            'statefulsets/status',
          ],
        ),
        rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
        rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
      ],
      { [AGG_VIEW]: 'true' },
    ),
    clusterRole('system:discovery', [
      urls(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
  ];
  const clusterRoleBindings: ClusterRoleBinding[] = [
    binding('cluster-admin', [SYSTEM_MASTERS]),
    binding('system:discovery', [ALL_AUTHENTICATED]),
    binding('system:basic-user', [ALL_AUTHENTICATED]),
    binding('system:public-info-viewer', [ALL_AUTHENTICATED, ALL_UNAUTHENTICATED]),
  ];
  return { clusterRoles, clusterRoleBindings };
};
