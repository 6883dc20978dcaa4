import { describe, expect, it } from 'vitest';
import { StatusError } from '../errors.ts';
import { bootstrapRbacObjects } from './bootstrap.ts';
import { staticRbacSource } from './rbac.ts';
import {
  localSubjectAccessReview,
  selfSubjectAccessReview,
  selfSubjectReview,
  selfSubjectRulesReview,
  subjectAccessReview,
} from './reviews.ts';
import type { UserInfo } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const boot = bootstrapRbacObjects();
const rbac = staticRbacSource({
  clusterRoles: [
    ...boot.clusterRoles,
    {
      metadata: { name: 'deployer' },
      rules: [{ verbs: ['get', 'patch'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }],
    },
  ],
  clusterRoleBindings: boot.clusterRoleBindings,
  roleBindings: [
    {
      metadata: { name: 'sa-deployer', namespace: 'apps' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'deployer' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'apps' }],
    },
    {
      metadata: { name: 'broken', namespace: 'apps' },
      roleRef: { apiGroup: RBAC, kind: 'Role', name: 'gone' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'apps' }],
    },
  ],
});
const sa: UserInfo = {
  username: 'system:serviceaccount:apps:sa',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated'],
};
const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

const ssar = (resourceAttributes: Record<string, unknown>) => ({
  kind: 'SelfSubjectAccessReview',
  apiVersion: 'authorization.k8s.io/v1',
  metadata: { creationTimestamp: null },
  spec: { resourceAttributes },
});

const expectInvalid = (fn: () => unknown, message: string): void => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StatusError);
  expect((caught as StatusError).code).toBe(422);
  expect((caught as StatusError).message).toBe(message);
};

describe('selfSubjectAccessReview (kubectl auth can-i)', () => {
  it.each([
    [{ namespace: 'apps', verb: 'patch', group: 'apps', resource: 'deployments', name: 'web' }, true],
    [{ namespace: 'apps', verb: 'patch', group: 'apps', resource: 'deployments', name: 'api' }, false],
    [{ namespace: 'apps', verb: 'patch', group: 'apps', resource: 'deployments' }, false],
    [{ namespace: 'other', verb: 'get', group: 'apps', resource: 'deployments', name: 'web' }, false],
    [{ verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }, true],
  ])('%j → %s', (attrs, allowed) => {
    const res = selfSubjectAccessReview(ssar(attrs), sa, rbac);
    expect(res['kind']).toBe('SelfSubjectAccessReview');
    expect(res['apiVersion']).toBe('authorization.k8s.io/v1');
    expect(res['spec']).toEqual({ resourceAttributes: attrs });
    expect((res['status'] as { allowed: boolean }).allowed).toBe(allowed);
  });

  it('reports the RBAC reason when allowed and the resolution errors when denied', () => {
    const yes = selfSubjectAccessReview(
      ssar({ namespace: 'apps', verb: 'get', group: 'apps', resource: 'deployments', name: 'web' }),
      sa,
      rbac,
    );
    expect(yes['status']).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "sa-deployer/apps" of ClusterRole "deployer" to ServiceAccount "sa/apps"',
    });
    const no = selfSubjectAccessReview(
      ssar({ namespace: 'apps', verb: 'delete', group: '', resource: 'pods' }),
      sa,
      rbac,
    );
    expect(no['status']).toEqual({ allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found' });
  });

  it('handles nonResourceAttributes', () => {
    const res = selfSubjectAccessReview({ spec: { nonResourceAttributes: { path: '/apis', verb: 'get' } } }, sa, rbac);
    expect((res['status'] as { allowed: boolean }).allowed).toBe(true);
  });

  it('rejects a spec with neither attributes block', () => {
    expectInvalid(
      () => selfSubjectAccessReview({ spec: {} }, sa, rbac),
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  });
});

describe('subjectAccessReview', () => {
  it('uses exactly the user and groups of the spec', () => {
    const body = (groups: string[]) => ({
      spec: {
        user: 'system:serviceaccount:apps:sa',
        groups,
        resourceAttributes: { namespace: 'apps', verb: 'get', group: 'apps', resource: 'deployments', name: 'web' },
      },
    });
    expect(subjectAccessReview(body([]), rbac)['status']).toMatchObject({ allowed: true });
    const discovery = { spec: { user: 'someone', nonResourceAttributes: { path: '/api', verb: 'get' } } };
    // without system:authenticated in the spec the discovery binding does not apply
    expect(subjectAccessReview(discovery, rbac)['status']).toEqual({ allowed: false });
    const withGroup = { spec: { ...discovery.spec, groups: ['system:authenticated'] } };
    expect(subjectAccessReview(withGroup, rbac)['status']).toMatchObject({ allowed: true });
  });

  it('requires a user or group', () => {
    expectInvalid(
      () => subjectAccessReview({ spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }, rbac),
      'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
  });

  it('reports every invalid field at once', () => {
    expectInvalid(
      () => subjectAccessReview({ spec: {} }, rbac),
      'SubjectAccessReview.authorization.k8s.io "" is invalid: [spec: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified]',
    );
  });
});

describe('localSubjectAccessReview', () => {
  it('defaults the namespace and refuses another one', () => {
    const res = localSubjectAccessReview(
      {
        spec: {
          user: sa.username,
          resourceAttributes: { verb: 'get', group: 'apps', resource: 'deployments', name: 'web' },
        },
      },
      'apps',
      rbac,
    );
    expect(res['status']).toMatchObject({ allowed: true });
    expect((res['spec'] as { resourceAttributes: { namespace: string } }).resourceAttributes.namespace).toBe('apps');
    expect((res['metadata'] as { namespace: string }).namespace).toBe('apps');
    expectInvalid(
      () =>
        localSubjectAccessReview(
          { spec: { user: 'u', resourceAttributes: { namespace: 'x', verb: 'get', resource: 'pods' } } },
          'apps',
          rbac,
        ),
      'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "x": must match metadata.namespace',
    );
  });
});

describe('selfSubjectRulesReview (kubectl auth can-i --list)', () => {
  it('lists the rules of a ServiceAccount in a namespace', () => {
    const res = selfSubjectRulesReview({ spec: { namespace: 'apps' } }, sa, rbac);
    expect(res['kind']).toBe('SelfSubjectRulesReview');
    const status = res['status'] as Record<string, unknown>;
    expect(status['incomplete']).toBe(false);
    expect(status['evaluationError']).toBe('role.rbac.authorization.k8s.io "gone" not found');
    expect(status['resourceRules']).toContainEqual({
      verbs: ['get', 'patch'],
      apiGroups: ['apps'],
      resources: ['deployments'],
      resourceNames: ['web'],
    });
    expect(status['resourceRules']).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    });
    expect(status['nonResourceRules']).toContainEqual({
      verbs: ['get'],
      nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'],
    });
  });

  it('does not list namespaced grants of other namespaces', () => {
    const res = selfSubjectRulesReview({ spec: { namespace: 'other' } }, sa, rbac);
    const rules = (res['status'] as { resourceRules: Array<{ resources?: string[] }> }).resourceRules;
    expect(rules.some((r) => r.resources?.includes('deployments'))).toBe(false);
    expect((res['status'] as Record<string, unknown>)['evaluationError']).toBeUndefined();
  });

  it('gives system:masters the wildcard rules', () => {
    const res = selfSubjectRulesReview({ spec: { namespace: 'default' } }, admin, rbac);
    const status = res['status'] as { resourceRules: unknown[]; nonResourceRules: unknown[] };
    expect(status.resourceRules[0]).toEqual({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    expect(status.nonResourceRules[0]).toEqual({ verbs: ['*'], nonResourceURLs: ['*'] });
  });
});

describe('selfSubjectReview (kubectl auth whoami)', () => {
  it('returns the user attributes', () => {
    expect(selfSubjectReview({ ...sa, uid: 'u1', extra: { k: ['v'] } })).toEqual({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: { userInfo: { username: sa.username, uid: 'u1', groups: sa.groups, extra: { k: ['v'] } } },
    });
  });
});
