import { describe, expect, it } from 'vitest';
import { bootstrapRbacObjects } from './bootstrap.ts';
import { aggregateClusterRoles, authorize, labelSelectorMatches, staticRbacSource } from './rbac.ts';
import type {
  AuthorizationAttributes,
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  UserInfo,
} from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';

const role = (namespace: string, name: string, rules: PolicyRule[]): Role => ({ metadata: { name, namespace }, rules });
const clusterRole = (name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole => ({
  metadata: labels ? { name, labels } : { name },
  rules,
});
const rb = (
  namespace: string,
  name: string,
  kind: 'Role' | 'ClusterRole',
  roleName: string,
  subjects: RoleBinding['subjects'],
): RoleBinding => ({
  metadata: { name, namespace },
  roleRef: { apiGroup: RBAC, kind, name: roleName },
  subjects,
});
const crb = (name: string, roleName: string, subjects: ClusterRoleBinding['subjects']): ClusterRoleBinding => ({
  metadata: { name },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName },
  subjects,
});

const sa = (ns: string, name: string): UserInfo => ({
  username: `system:serviceaccount:${ns}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
});
const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const bob: UserInfo = { username: 'bob', groups: ['system:authenticated'] };
const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

const source = staticRbacSource({
  roles: [
    role('apps', 'cm-reader', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }]),
    role('apps', 'one-secret', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }]),
    role('apps', 'scaler', [{ verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }]),
    role('apps', 'log-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]),
    role('other', 'cm-reader', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ],
  roleBindings: [
    rb('apps', 'sa-reads-cm', 'Role', 'cm-reader', [{ kind: 'ServiceAccount', name: 'reconciler' }]),
    rb('apps', 'alice-secret', 'Role', 'one-secret', [{ kind: 'User', apiGroup: RBAC, name: 'alice' }]),
    rb('apps', 'devs-scale', 'Role', 'scaler', [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }]),
    rb('apps', 'devs-logs', 'Role', 'log-reader', [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }]),
    rb('apps', 'tenant-edit', 'ClusterRole', 'deployer', [
      { kind: 'ServiceAccount', name: 'tenant', namespace: 'tenants' },
    ]),
    rb('apps', 'dangling', 'ClusterRole', 'missing-role', [{ kind: 'User', apiGroup: RBAC, name: 'bob' }]),
  ],
  clusterRoles: [
    clusterRole('deployer', [{ verbs: ['get', 'create', 'patch'], apiGroups: ['apps'], resources: ['deployments'] }]),
    clusterRole('ns-lister', [{ verbs: ['list'], apiGroups: [''], resources: ['namespaces'] }]),
    clusterRole('healthz', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/metrics/*'] }]),
    clusterRole('everything', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ],
  clusterRoleBindings: [
    crb('alice-ns', 'ns-lister', [{ kind: 'User', apiGroup: RBAC, name: 'alice' }]),
    crb('authenticated-healthz', 'healthz', [{ kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' }]),
    // a ServiceAccount subject without namespace in a ClusterRoleBinding never matches
    crb('broken-sa', 'everything', [{ kind: 'ServiceAccount', name: 'reconciler' }]),
    crb('ops-everything', 'everything', [{ kind: 'ServiceAccount', name: 'ops', namespace: 'flux-system' }]),
  ],
});

type Case = {
  name: string;
  attrs: Omit<AuthorizationAttributes, 'user'>;
  user: UserInfo;
  allowed: boolean;
  reason: string;
};

const cases: Case[] = [
  {
    name: 'Role via RoleBinding to a ServiceAccount in the binding namespace',
    user: sa('apps', 'reconciler'),
    attrs: { verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'apps' },
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "sa-reads-cm/apps" of Role "cm-reader" to ServiceAccount "reconciler/apps"',
  },
  {
    name: 'the same ServiceAccount name in another namespace does not match',
    user: sa('other', 'reconciler'),
    attrs: { verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'apps' },
    allowed: false,
    reason: '',
  },
  {
    name: 'Role grants only its verbs',
    user: sa('apps', 'reconciler'),
    attrs: { verb: 'delete', apiGroup: '', resource: 'configmaps', namespace: 'apps', name: 'x' },
    allowed: false,
    reason: '',
  },
  {
    name: 'Role grants nothing in another namespace',
    user: sa('apps', 'reconciler'),
    attrs: { verb: 'list', apiGroup: '', resource: 'configmaps', namespace: 'other' },
    allowed: false,
    reason: '',
  },
  {
    name: 'Role grants nothing at the cluster scope',
    user: sa('apps', 'reconciler'),
    attrs: { verb: 'list', apiGroup: '', resource: 'configmaps' },
    allowed: false,
    reason: '',
  },
  {
    name: 'RoleBinding to a ClusterRole is a namespaced grant',
    user: sa('tenants', 'tenant'),
    attrs: { verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'apps', name: 'web' },
    allowed: true,
    reason:
      'RBAC: allowed by RoleBinding "tenant-edit/apps" of ClusterRole "deployer" to ServiceAccount "tenant/tenants"',
  },
  {
    name: 'RoleBinding to a ClusterRole does not grant other namespaces',
    user: sa('tenants', 'tenant'),
    attrs: { verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'tenants', name: 'web' },
    allowed: false,
    reason: '',
  },
  {
    name: 'apiGroup must match',
    user: sa('tenants', 'tenant'),
    attrs: { verb: 'get', apiGroup: 'extensions', resource: 'deployments', namespace: 'apps', name: 'web' },
    allowed: false,
    reason: '',
  },
  {
    name: 'User subject with resourceNames: the named object',
    user: alice,
    attrs: { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'apps', name: 'db' },
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "alice-secret/apps" of Role "one-secret" to User "alice"',
  },
  {
    name: 'resourceNames: another object is denied',
    user: alice,
    attrs: { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'apps', name: 'other' },
    allowed: false,
    reason: '',
  },
  {
    name: 'resourceNames: a request without name (list) is denied',
    user: alice,
    attrs: { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'apps' },
    allowed: false,
    reason: '',
  },
  {
    name: 'Group subject and */subresource',
    user: alice,
    attrs: {
      verb: 'update',
      apiGroup: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'apps',
      name: 'web',
    },
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "devs-scale/apps" of Role "scaler" to Group "devs"',
  },
  {
    name: '*/scale does not grant the main resource',
    user: alice,
    attrs: { verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'apps', name: 'web' },
    allowed: false,
    reason: '',
  },
  {
    name: 'resource/subresource rule grants the subresource',
    user: alice,
    attrs: { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'log', namespace: 'apps', name: 'p' },
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "devs-logs/apps" of Role "log-reader" to Group "devs"',
  },
  {
    name: 'resource/subresource rule does not grant the resource',
    user: alice,
    attrs: { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'apps', name: 'p' },
    allowed: false,
    reason: '',
  },
  {
    name: 'ClusterRoleBinding grants at the cluster scope',
    user: alice,
    attrs: { verb: 'list', apiGroup: '', resource: 'namespaces' },
    allowed: true,
    reason: 'RBAC: allowed by ClusterRoleBinding "alice-ns" of ClusterRole "ns-lister" to User "alice"',
  },
  {
    name: 'ClusterRoleBinding grants in every namespace',
    user: alice,
    attrs: { verb: 'list', apiGroup: '', resource: 'namespaces', namespace: 'anything' },
    allowed: true,
    reason: 'RBAC: allowed by ClusterRoleBinding "alice-ns" of ClusterRole "ns-lister" to User "alice"',
  },
  {
    name: 'nonResourceURLs exact',
    user: bob,
    attrs: { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/healthz' },
    allowed: true,
    reason:
      'RBAC: allowed by ClusterRoleBinding "authenticated-healthz" of ClusterRole "healthz" to Group "system:authenticated"',
  },
  {
    name: 'nonResourceURLs prefix wildcard',
    user: bob,
    attrs: { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/metrics/slis' },
    allowed: true,
    reason:
      'RBAC: allowed by ClusterRoleBinding "authenticated-healthz" of ClusterRole "healthz" to Group "system:authenticated"',
  },
  {
    name: 'nonResourceURLs: other paths and verbs are denied',
    user: bob,
    attrs: { verb: 'post', apiGroup: '', resource: '', nonResourcePath: '/healthz' },
    allowed: false,
    reason: '',
  },
  {
    name: 'resource rules never grant non-resource paths',
    user: sa('flux-system', 'ops'),
    attrs: { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/version' },
    allowed: false,
    reason: '',
  },
  {
    name: 'wildcards grant everything, subresources included',
    user: sa('flux-system', 'ops'),
    attrs: {
      verb: 'create',
      apiGroup: '',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace: 'x',
      name: 'y',
    },
    allowed: true,
    reason:
      'RBAC: allowed by ClusterRoleBinding "ops-everything" of ClusterRole "everything" to ServiceAccount "ops/flux-system"',
  },
  {
    name: 'system:masters is allowed everything without bindings',
    user: admin,
    attrs: { verb: 'escalate', apiGroup: RBAC, resource: 'clusterroles', name: 'x' },
    allowed: true,
    reason: '',
  },
  {
    name: 'a binding to a missing ClusterRole shows up in the denial reason',
    user: bob,
    attrs: { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'apps', name: 'p' },
    allowed: false,
    reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing-role" not found',
  },
  {
    name: 'a binding to a missing role does not matter when another grants',
    user: bob,
    attrs: { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/healthz' },
    allowed: true,
    reason:
      'RBAC: allowed by ClusterRoleBinding "authenticated-healthz" of ClusterRole "healthz" to Group "system:authenticated"',
  },
];

describe('authorize', () => {
  it.each(cases)('$name', ({ user, attrs, allowed, reason }) => {
    expect(authorize({ ...attrs, user }, source)).toEqual({ allowed, reason });
  });

  it('reports several resolution errors deduplicated in brackets', () => {
    const src = staticRbacSource({
      roleBindings: [
        rb('ns', 'a', 'Role', 'gone', [{ kind: 'User', name: 'u' }]),
        rb('ns', 'b', 'ClusterRole', 'gone', [{ kind: 'User', name: 'u' }]),
        rb('ns', 'c', 'ClusterRole', 'gone', [{ kind: 'User', name: 'u' }]),
      ],
    });
    expect(
      authorize(
        { user: { username: 'u', groups: [] }, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ns' },
        src,
      ),
    ).toEqual({
      allowed: false,
      reason:
        'RBAC: [role.rbac.authorization.k8s.io "gone" not found, clusterrole.rbac.authorization.k8s.io "gone" not found]',
    });
  });
});

describe('ClusterRole aggregation', () => {
  const aggregated: ClusterRole = {
    metadata: { name: 'monitoring' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }] },
    rules: [],
  };
  const src = staticRbacSource({
    clusterRoles: [
      aggregated,
      clusterRole('pods-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], {
        'example.com/aggregate-to-monitoring': 'true',
      }),
      clusterRole('svc-reader', [{ verbs: ['list'], apiGroups: [''], resources: ['services'] }], {
        'example.com/aggregate-to-monitoring': 'false',
      }),
    ],
    roleBindings: [rb('apps', 'mon', 'ClusterRole', 'monitoring', [{ kind: 'User', name: 'carol' }])],
  });
  const carol: UserInfo = { username: 'carol', groups: [] };

  it('grants the rules of matching ClusterRoles at evaluation time', () => {
    expect(
      authorize({ user: carol, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'apps', name: 'p' }, src),
    ).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "mon/apps" of ClusterRole "monitoring" to User "carol"',
    });
    expect(
      authorize({ user: carol, verb: 'list', apiGroup: '', resource: 'services', namespace: 'apps' }, src).allowed,
    ).toBe(false);
  });

  it('bootstrap admin aggregates edit and view transitively, and view stays read-only', () => {
    const { clusterRoles } = bootstrapRbacObjects();
    const s = staticRbacSource({
      clusterRoles,
      roleBindings: [
        rb('t', 'admin', 'ClusterRole', 'admin', [{ kind: 'User', name: 'a' }]),
        rb('t', 'view', 'ClusterRole', 'view', [{ kind: 'User', name: 'v' }]),
      ],
    });
    const can = (username: string, verb: string, apiGroup: string, resource: string): boolean =>
      authorize({ user: { username, groups: [] }, verb, apiGroup, resource, namespace: 't' }, s).allowed;
    expect(can('a', 'create', RBAC, 'rolebindings')).toBe(true); // from aggregate-to-admin
    expect(can('a', 'patch', 'apps', 'deployments')).toBe(true); // from aggregate-to-edit via edit
    expect(can('a', 'list', 'batch', 'jobs')).toBe(true); // from aggregate-to-view via edit and view
    expect(can('v', 'list', 'apps', 'deployments')).toBe(true);
    expect(can('v', 'patch', 'apps', 'deployments')).toBe(false);
    expect(can('v', 'get', '', 'secrets')).toBe(false);
  });

  it('aggregateClusterRoles fills rules without mutating the input', () => {
    const { clusterRoles } = bootstrapRbacObjects();
    const out = aggregateClusterRoles(clusterRoles);
    const view = out.find((r) => r.metadata.name === 'view');
    const admin = out.find((r) => r.metadata.name === 'admin');
    expect(clusterRoles.find((r) => r.metadata.name === 'view')?.rules).toEqual([]);
    expect(view?.rules?.some((r) => r.resources?.includes('deployments') && r.verbs.includes('list'))).toBe(true);
    expect(view?.rules?.some((r) => r.verbs.includes('create'))).toBe(false);
    expect(admin?.rules?.some((r) => r.resources?.includes('rolebindings'))).toBe(true);
    // no duplicates although view's rules reach admin both directly and through edit
    const keys = (admin?.rules ?? []).map((r) => JSON.stringify(r));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('tolerates aggregation cycles', () => {
    const a: ClusterRole = {
      metadata: { name: 'a', labels: { agg: 'b' } },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'a' } }] },
    };
    const b: ClusterRole = {
      metadata: { name: 'b', labels: { agg: 'a' } },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'b' } }] },
    };
    const c = clusterRole('c', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], { agg: 'a' });
    const out = aggregateClusterRoles([a, b, c]);
    expect(out.find((r) => r.metadata.name === 'a')?.rules).toEqual([
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    ]);
  });
});

describe('labelSelectorMatches', () => {
  const labels = { tier: 'web', env: 'prod' };
  it.each([
    [{}, true],
    [{ matchLabels: { tier: 'web' } }, true],
    [{ matchLabels: { tier: 'db' } }, false],
    [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }, false],
  ])('%j → %s', (sel, want) => {
    expect(labelSelectorMatches(sel, labels)).toBe(want);
  });
});

describe('bootstrap policy', () => {
  const boot = bootstrapRbacObjects();
  const src = staticRbacSource(boot);
  const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

  it.each([
    ['/api', true],
    ['/apis/apps/v1', true],
    ['/openapi/v3', true],
    ['/version', true],
    ['/metrics', false],
  ])('a ServiceAccount may get %s: %s', (path, want) => {
    expect(
      authorize({ user: sa('apps', 'x'), verb: 'get', apiGroup: '', resource: '', nonResourcePath: path }, src).allowed,
    ).toBe(want);
  });

  it('anonymous users see only the public info', () => {
    expect(
      authorize({ user: anonymous, verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/version' }, src),
    ).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"',
    });
    expect(
      authorize({ user: anonymous, verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/apis' }, src).allowed,
    ).toBe(false);
  });

  it('every authenticated user may create self reviews but not read objects', () => {
    const u = sa('apps', 'x');
    expect(
      authorize(
        { user: u, verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
        src,
      ).allowed,
    ).toBe(true);
    expect(
      authorize({ user: u, verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectrulesreviews' }, src)
        .allowed,
    ).toBe(true);
    expect(authorize({ user: u, verb: 'list', apiGroup: '', resource: 'pods', namespace: 'apps' }, src).allowed).toBe(
      false,
    );
  });

  it('cluster-admin is bound to system:masters', () => {
    const binding = boot.clusterRoleBindings.find((b) => b.metadata.name === 'cluster-admin');
    expect(binding?.subjects).toEqual([{ apiGroup: RBAC, kind: 'Group', name: 'system:masters' }]);
  });

  it('returns fresh objects on every call', () => {
    const clusterAdmin = (o: ReturnType<typeof bootstrapRbacObjects>): ClusterRole | undefined =>
      o.clusterRoles.find((r) => r.metadata.name === 'cluster-admin');
    (clusterAdmin(bootstrapRbacObjects())?.rules ?? []).push({ verbs: ['x'] });
    expect(clusterAdmin(bootstrapRbacObjects())?.rules).toHaveLength(2);
  });
});
