import { describe, expect, it } from 'vitest';
import { forbiddenMessage } from './forbidden.ts';
import { requestAttributes } from './request-info.ts';
import type { AuthorizationAttributes } from './types.ts';

const user = { username: 'u', groups: [] };
type Want = Omit<AuthorizationAttributes, 'user'>;

describe('requestAttributes', () => {
  const cases: Array<[string, string, string, Want]> = [
    ['GET', '/version', '', { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/version' }],
    ['GET', '/api', '', { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/api' }],
    ['GET', '/api/v1', '', { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/api/v1' }],
    ['GET', '/apis/apps/v1', '', { verb: 'get', apiGroup: '', resource: '', nonResourcePath: '/apis/apps/v1' }],
    ['POST', '/healthz', '', { verb: 'post', apiGroup: '', resource: '', nonResourcePath: '/healthz' }],
    ['GET', '/api/v1/pods', '', { verb: 'list', apiGroup: '', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/apps/pods', '', { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'apps' }],
    [
      'GET',
      '/api/v1/namespaces/apps/pods',
      'watch=true&resourceVersion=5',
      { verb: 'watch', apiGroup: '', resource: 'pods', namespace: 'apps' },
    ],
    [
      'GET',
      '/api/v1/namespaces/apps/pods',
      'watch=1&fieldSelector=metadata.name%3Dp1',
      { verb: 'watch', apiGroup: '', resource: 'pods', namespace: 'apps', name: 'p1' },
    ],
    [
      'GET',
      '/api/v1/watch/namespaces/apps/pods/p1',
      '',
      { verb: 'watch', apiGroup: '', resource: 'pods', namespace: 'apps', name: 'p1' },
    ],
    [
      'GET',
      '/api/v1/namespaces/apps/pods/p1/log',
      '',
      { verb: 'get', apiGroup: '', resource: 'pods', subresource: 'log', namespace: 'apps', name: 'p1' },
    ],
    [
      'HEAD',
      '/api/v1/namespaces/apps/configmaps/c',
      '',
      { verb: 'get', apiGroup: '', resource: 'configmaps', namespace: 'apps', name: 'c' },
    ],
    [
      'POST',
      '/apis/apps/v1/namespaces/apps/deployments',
      '',
      { verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'apps' },
    ],
    [
      'PUT',
      '/apis/apps/v1/namespaces/apps/deployments/web/scale',
      '',
      {
        verb: 'update',
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'apps',
        name: 'web',
      },
    ],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/apps/deployments/web',
      'fieldManager=kubectl',
      { verb: 'patch', apiGroup: 'apps', resource: 'deployments', namespace: 'apps', name: 'web' },
    ],
    [
      'DELETE',
      '/api/v1/namespaces/apps/secrets/s',
      '',
      { verb: 'delete', apiGroup: '', resource: 'secrets', namespace: 'apps', name: 's' },
    ],
    [
      'DELETE',
      '/api/v1/namespaces/apps/secrets',
      '',
      { verb: 'deletecollection', apiGroup: '', resource: 'secrets', namespace: 'apps' },
    ],
    [
      'POST',
      '/api/v1/namespaces/apps/serviceaccounts/sa/token',
      '',
      {
        verb: 'create',
        apiGroup: '',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'apps',
        name: 'sa',
      },
    ],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', apiGroup: '', resource: 'namespaces' }],
    [
      'GET',
      '/api/v1/namespaces/apps',
      '',
      { verb: 'get', apiGroup: '', resource: 'namespaces', namespace: 'apps', name: 'apps' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/apps/finalize',
      '',
      {
        verb: 'update',
        apiGroup: '',
        resource: 'namespaces',
        subresource: 'finalize',
        namespace: 'apps',
        name: 'apps',
      },
    ],
    [
      'GET',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin',
      '',
      { verb: 'get', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'admin' },
    ],
    [
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      '',
      { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
    ],
    [
      'GET',
      '/api/v1/namespaces/apps/services/svc:80/proxy/metrics',
      '',
      { verb: 'get', apiGroup: '', resource: 'services', subresource: 'proxy', namespace: 'apps', name: 'svc:80' },
    ],
  ];
  it.each(cases)('%s %s?%s', (method, path, query, want) => {
    expect(requestAttributes({ method, path, query: new URLSearchParams(query), user })).toEqual({ user, ...want });
  });

  it('accepts a parsed query record', () => {
    expect(requestAttributes({ method: 'GET', path: '/api/v1/pods', query: { watch: ['true'] }, user }).verb).toBe(
      'watch',
    );
  });

  it('yields the attributes of the real 403 for a namespace get', () => {
    const attrs = requestAttributes({ method: 'GET', path: '/api/v1/namespaces/apps', user });
    expect(forbiddenMessage(attrs)).toBe(
      'namespaces "apps" is forbidden: User "u" cannot get resource "namespaces" in API group "" in the namespace "apps"',
    );
  });
});
