import { describe, expect, it } from 'vitest';
import { StatusError } from '../errors.ts';
import { ForbiddenError, forbiddenMessage } from './forbidden.ts';
import type { AuthorizationAttributes } from './types.ts';

const user = { username: 'system:serviceaccount:apps:sa', groups: ['system:authenticated'] };

describe('forbiddenMessage', () => {
  const cases: Array<{ name: string; attrs: AuthorizationAttributes; reason?: string; want: string }> = [
    {
      name: 'named namespaced object',
      attrs: { user, verb: 'get', apiGroup: 'apps', resource: 'deployments', namespace: 'apps', name: 'web' },
      want: 'deployments.apps "web" is forbidden: User "system:serviceaccount:apps:sa" cannot get resource "deployments" in API group "apps" in the namespace "apps"',
    },
    {
      name: 'list without name',
      attrs: { user, verb: 'list', apiGroup: 'apps', resource: 'deployments', namespace: 'apps' },
      want: 'deployments.apps is forbidden: User "system:serviceaccount:apps:sa" cannot list resource "deployments" in API group "apps" in the namespace "apps"',
    },
    {
      name: 'core group at the cluster scope',
      attrs: { user, verb: 'list', apiGroup: '', resource: 'namespaces' },
      want: 'namespaces is forbidden: User "system:serviceaccount:apps:sa" cannot list resource "namespaces" in API group "" at the cluster scope',
    },
    {
      name: 'subresource',
      attrs: {
        user,
        verb: 'create',
        apiGroup: '',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'apps',
        name: 'x',
      },
      want: 'serviceaccounts "x" is forbidden: User "system:serviceaccount:apps:sa" cannot create resource "serviceaccounts/token" in API group "" in the namespace "apps"',
    },
    {
      name: 'impersonation of a user',
      attrs: { user: { username: 'y', groups: [] }, verb: 'impersonate', apiGroup: '', resource: 'users', name: 'x' },
      want: 'users "x" is forbidden: User "y" cannot impersonate resource "users" in API group "" at the cluster scope',
    },
    {
      name: 'non-resource path',
      attrs: { user, verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/metrics' },
      want: 'forbidden: User "system:serviceaccount:apps:sa" cannot get path "/metrics"',
    },
    {
      name: 'authorizer reason appended',
      attrs: { user, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'apps' },
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
      want: 'pods is forbidden: User "system:serviceaccount:apps:sa" cannot get resource "pods" in API group "" in the namespace "apps": RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    },
    {
      name: 'HTML-looking characters are escaped',
      attrs: { user: { username: '<b>&', groups: [] }, verb: 'get', apiGroup: '', resource: 'pods', namespace: 'a' },
      want: 'pods is forbidden: User "&lt;b&gt;&amp;" cannot get resource "pods" in API group "" in the namespace "a"',
    },
  ];
  it.each(cases)('$name', ({ attrs, reason, want }) => {
    expect(forbiddenMessage(attrs, reason)).toBe(want);
  });
});

describe('ForbiddenError', () => {
  it('is a 403 StatusError with Kubernetes details', () => {
    const err = new ForbiddenError({
      user,
      verb: 'get',
      apiGroup: 'apps',
      resource: 'deployments',
      namespace: 'apps',
      name: 'web',
    });
    expect(err).toBeInstanceOf(StatusError);
    expect(err.status).toBe(403);
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "system:serviceaccount:apps:sa" cannot get resource "deployments" in API group "apps" in the namespace "apps"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
  });
});
