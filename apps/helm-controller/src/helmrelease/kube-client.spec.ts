import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { GenericError, KubeClient } from '@flux-ts/runtime';
import type { Transport, TransportRequest, TransportResponse } from '@flux-ts/runtime';
import { RemoteClientCache, impersonatedUser, releaseClusterFor } from './kube-client.ts';

const hr = (spec: Partial<HelmRelease['spec']> = {}): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { interval: '5m', chartRef: { kind: 'HelmChart', name: 'c' }, ...spec },
  }) as HelmRelease;

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
  - name: remote
    cluster: { server: 'https://remote.example:6443' }
users:
  - name: admin
    user: { token: secret-token }
contexts:
  - name: remote
    context: { cluster: remote, user: admin }
current-context: remote
`;

/** A transport answering discovery of v1 and Secrets from a table, recording what was asked and with which headers. */
function fakeTransport(secrets: Record<string, Record<string, string>>): Transport & { seen: TransportRequest[] } {
  const seen: TransportRequest[] = [];
  const json = (status: number, body: unknown): TransportResponse => ({
    status,
    headers: {},
    body: JSON.stringify(body),
  });
  return {
    seen,
    async request(req) {
      seen.push(req);
      if (req.path === '/api/v1')
        return json(200, { groupVersion: 'v1', resources: [{ name: 'secrets', kind: 'Secret', namespaced: true }] });
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(req.path);
      const data = m ? secrets[`${m[1]}/${m[2]}`] : undefined;
      if (m && data)
        return json(200, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: m[2], namespace: m[1], resourceVersion: '7' },
          data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        });
      return json(404, {
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `secrets "${m?.[2] ?? ''}" not found`,
      });
    },
    async stream() {
      throw new Error('no watch');
    },
  };
}

const signal = new AbortController().signal;

describe('impersonatedUser', () => {
  it('is spec.serviceAccountName, else --default-service-account, in the HelmRelease namespace', () => {
    expect(impersonatedUser(hr({ serviceAccountName: 'deployer' }), 'fallback')).toBe(
      'system:serviceaccount:apps:deployer',
    );
    expect(impersonatedUser(hr(), 'fallback')).toBe('system:serviceaccount:apps:fallback');
    expect(impersonatedUser(hr())).toBeUndefined();
  });
});

describe('releaseClusterFor (helm-controller buildRESTClientGetter)', () => {
  it('impersonates the service account on every request of the release client', async () => {
    const t = fakeTransport({ 'apps/x': { a: 'b' } });
    const cluster = await releaseClusterFor(
      hr({ serviceAccountName: 'deployer' }),
      { client: new KubeClient(t) },
      signal,
    );
    expect(cluster).toMatchObject({
      key: 'local|system:serviceaccount:apps:deployer',
      impersonate: 'system:serviceaccount:apps:deployer',
    });
    expect(cluster.getRaw).toBeUndefined();
    await cluster.client.get({ apiVersion: 'v1', kind: 'Secret' }, { namespace: 'apps', name: 'x' });
    const get = t.seen.find((r) => r.path === '/api/v1/namespaces/apps/secrets/x');
    expect(get?.headers?.['Impersonate-User']).toBe('system:serviceaccount:apps:deployer');
  });

  it('is the controller client itself without a service account', async () => {
    const client = new KubeClient(fakeTransport({}));
    const cluster = await releaseClusterFor(hr(), { client }, signal);
    expect(cluster.client).toBe(client);
    expect(cluster.key).toBe('local');
  });

  it('reads the kubeconfig of spec.kubeConfig.secretRef with the controller client (value, then value.yaml)', async () => {
    const t = fakeTransport({ 'apps/remote': { 'value.yaml': kubeconfig } });
    const cluster = await releaseClusterFor(
      hr({ kubeConfig: { secretRef: { name: 'remote' } }, serviceAccountName: 'deployer' }),
      { client: new KubeClient(t) },
      signal,
    );
    expect(cluster.key).toBe('secret:apps/remote@7|system:serviceaccount:apps:deployer');
    expect(cluster.getRaw).toBeTypeOf('function');
    // the Secret was read as the controller, not as the service account
    const read = t.seen.find((r) => r.path === '/api/v1/namespaces/apps/secrets/remote');
    expect(read?.headers?.['Impersonate-User']).toBeUndefined();
  });

  it('reuses the client of an unchanged kubeconfig Secret across reconciles', async () => {
    const remoteClients = new RemoteClientCache();
    const opts = { client: new KubeClient(fakeTransport({ 'apps/remote': { value: kubeconfig } })), remoteClients };
    const release = hr({ kubeConfig: { secretRef: { name: 'remote' } } });
    const first = await releaseClusterFor(release, opts, signal);
    const again = await releaseClusterFor(release, opts, signal);
    expect(again.client).toBe(first.client);
    expect(remoteClients.size).toBe(1);
    // another version of the Secret replaces the entry of the older one
    remoteClients.set('|secret:apps/remote@8', { kc: {} as never, client: first.client });
    expect(remoteClients.get('|secret:apps/remote@7')).toBeUndefined();
    expect(remoteClients.size).toBe(1);
  });

  it('a missing Secret or key is RESTClientError', async () => {
    const client = new KubeClient(fakeTransport({ 'apps/empty': { other: 'x' } }));
    const missing = await releaseClusterFor(
      hr({ kubeConfig: { secretRef: { name: 'nope' } } }),
      { client },
      signal,
    ).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GenericError);
    expect(missing).toMatchObject({
      reason: 'RESTClientError',
      message: `could not get KubeConfig secret 'apps/nope': secrets "nope" not found`,
    });
    const noKey = await releaseClusterFor(
      hr({ kubeConfig: { secretRef: { name: 'empty', key: 'config' } } }),
      { client },
      signal,
    ).catch((e: unknown) => e);
    expect(noKey).toMatchObject({ reason: 'RESTClientError' });
    expect((noKey as Error).message).toContain("'config'");
  });
});
