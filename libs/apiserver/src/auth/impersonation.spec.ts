import { describe, expect, it } from 'vitest';
import { StatusError } from '../errors.ts';
import { ForbiddenError } from './forbidden.ts';
import { hasImpersonationHeaders, resolveImpersonation } from './impersonation.ts';
import { authorize, staticRbacSource } from './rbac.ts';
import type { AuthorizationAttributes, UserInfo } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const admin: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
const operator: UserInfo = { username: 'operator', groups: ['system:authenticated'] };

// operator may impersonate ServiceAccounts in "apps", the user "dev", the group "devs" and the extra key "scopes"
const rbac = staticRbacSource({
  clusterRoles: [
    {
      metadata: { name: 'impersonator' },
      rules: [
        { verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['dev'] },
        { verbs: ['impersonate'], apiGroups: [''], resources: ['groups'], resourceNames: ['devs'] },
        { verbs: ['impersonate'], apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'] },
      ],
    },
    {
      metadata: { name: 'sa-impersonator' },
      rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] }],
    },
  ],
  clusterRoleBindings: [
    {
      metadata: { name: 'op' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'impersonator' },
      subjects: [{ kind: 'User', name: 'operator' }],
    },
  ],
  roleBindings: [
    {
      metadata: { name: 'op-sa', namespace: 'apps' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'sa-impersonator' },
      subjects: [{ kind: 'User', name: 'operator' }],
    },
  ],
});
const authz = (a: AuthorizationAttributes) => authorize(a, rbac);

describe('resolveImpersonation', () => {
  it('returns the user unchanged without impersonation headers', () => {
    expect(resolveImpersonation(operator, { accept: 'application/json' }, authz)).toBe(operator);
    expect(hasImpersonationHeaders({ accept: 'application/json' })).toBe(false);
    expect(hasImpersonationHeaders({ 'Impersonate-User': 'x' })).toBe(true);
  });

  const allowed: Array<{
    name: string;
    requestor: UserInfo;
    headers: Record<string, string | string[]>;
    want: UserInfo;
  }> = [
    {
      name: 'a ServiceAccount gets its fixed groups plus system:authenticated',
      requestor: admin,
      headers: { 'impersonate-user': 'system:serviceaccount:apps:sa' },
      want: {
        username: 'system:serviceaccount:apps:sa',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated'],
      },
    },
    {
      name: 'a user without groups gets system:authenticated',
      requestor: operator,
      headers: { 'Impersonate-User': 'dev' },
      want: { username: 'dev', groups: ['system:authenticated'] },
    },
    {
      name: 'repeated groups, extra and uid',
      requestor: admin,
      headers: {
        'impersonate-user': 'jane',
        'impersonate-group': ['g1', 'g2'],
        'impersonate-extra-scopes': ['view', 'edit'],
        'impersonate-extra-example.com%2fteam': 'a',
        'impersonate-uid': '1234',
      },
      want: {
        username: 'jane',
        uid: '1234',
        groups: ['g1', 'g2', 'system:authenticated'],
        extra: { scopes: ['view', 'edit'], 'example.com/team': ['a'] },
      },
    },
    {
      name: 'explicit groups replace the ServiceAccount groups',
      requestor: admin,
      headers: { 'impersonate-user': 'system:serviceaccount:apps:sa', 'impersonate-group': 'x' },
      want: { username: 'system:serviceaccount:apps:sa', groups: ['x', 'system:authenticated'] },
    },
    {
      name: 'system:authenticated is not added twice',
      requestor: admin,
      headers: { 'impersonate-user': 'jane', 'impersonate-group': 'system:authenticated' },
      want: { username: 'jane', groups: ['system:authenticated'] },
    },
    {
      name: 'anonymous gets system:unauthenticated',
      requestor: admin,
      headers: { 'impersonate-user': 'system:anonymous' },
      want: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    },
    {
      name: 'RBAC-granted user, group and extra impersonation',
      requestor: operator,
      headers: { 'impersonate-user': 'dev', 'impersonate-group': 'devs', 'impersonate-extra-scopes': 'x' },
      want: { username: 'dev', groups: ['devs', 'system:authenticated'], extra: { scopes: ['x'] } },
    },
    {
      name: 'a namespaced grant on serviceaccounts allows ServiceAccounts of that namespace',
      requestor: operator,
      headers: { 'impersonate-user': 'system:serviceaccount:apps:reconciler' },
      want: {
        username: 'system:serviceaccount:apps:reconciler',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:apps', 'system:authenticated'],
      },
    },
  ];
  it.each(allowed)('$name', ({ requestor, headers, want }) => {
    expect(resolveImpersonation(requestor, headers, authz)).toEqual(want);
  });

  const denied: Array<{ name: string; headers: Record<string, string | string[]>; message: string }> = [
    {
      name: 'another user',
      headers: { 'impersonate-user': 'x' },
      message:
        'users "x" is forbidden: User "operator" cannot impersonate resource "users" in API group "" at the cluster scope',
    },
    {
      name: 'a ServiceAccount in a namespace without grant',
      headers: { 'impersonate-user': 'system:serviceaccount:other:sa' },
      message:
        'serviceaccounts "sa" is forbidden: User "operator" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "other"',
    },
    {
      name: 'a group not granted',
      headers: { 'impersonate-user': 'dev', 'impersonate-group': ['devs', 'system:masters'] },
      message:
        'groups "system:masters" is forbidden: User "operator" cannot impersonate resource "groups" in API group "" at the cluster scope',
    },
    {
      name: 'an extra key not granted',
      headers: { 'impersonate-user': 'dev', 'impersonate-extra-other': 'v' },
      message:
        'userextras.authentication.k8s.io "v" is forbidden: User "operator" cannot impersonate resource "userextras/other" in API group "authentication.k8s.io" at the cluster scope',
    },
    {
      name: 'a uid not granted',
      headers: { 'impersonate-user': 'dev', 'impersonate-uid': 'u1' },
      message:
        'uids.authentication.k8s.io "u1" is forbidden: User "operator" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope',
    },
  ];
  it.each(denied)('denies $name with 403', ({ headers, message }) => {
    let caught: unknown;
    try {
      resolveImpersonation(operator, headers, authz);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ForbiddenError);
    expect((caught as ForbiddenError).status).toBe(403);
    expect((caught as ForbiddenError).message).toBe(message);
  });

  it('splits groups that Node joined into one header value, but not array values', () => {
    expect(resolveImpersonation(admin, { 'impersonate-user': 'jane', 'impersonate-group': 'g1, g2' }, authz)).toEqual({
      username: 'jane',
      groups: ['g1', 'g2', 'system:authenticated'],
    });
    expect(
      resolveImpersonation(admin, { 'impersonate-user': 'jane', 'impersonate-group': ['g1, g2'] }, authz).groups,
    ).toEqual(['g1, g2', 'system:authenticated']);
  });

  it('rejects groups without a user', () => {
    let caught: unknown;
    try {
      resolveImpersonation(admin, { 'impersonate-group': 'g' }, authz);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    expect((caught as StatusError).code).toBe(500);
  });

  it('checks impersonation with the requesting user and verb impersonate', () => {
    const seen: AuthorizationAttributes[] = [];
    resolveImpersonation(operator, { 'impersonate-user': 'system:serviceaccount:apps:sa' }, (a) => {
      seen.push(a);
      return { allowed: true, reason: '' };
    });
    expect(seen).toEqual([
      { user: operator, verb: 'impersonate', apiGroup: '', resource: 'serviceaccounts', namespace: 'apps', name: 'sa' },
    ]);
  });
});
