// spec.kubeConfig.configMapRef with the generic provider: the Kustomization applies into a second API server that
// trusts the first one's ServiceAccount tokens; missing keys and cloud providers give upstream's precise messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@flux-ts/testbed';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient, isNotFound } from '@flux-ts/runtime';
import { NS, ready, startKsHarness, until } from './harness.spec-helper.ts';
import type { Ks, KsHarness } from './harness.spec-helper.ts';

describe('Kustomization kubeConfig.configMapRef (workload identity)', () => {
  let h: KsHarness;
  let remote: ApiServer;
  let remoteClient: KubeClient;
  const cm = (name: string, data: Record<string, string>) =>
    h.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data });
  const failed = (name: string) =>
    until(`${name} not Ready`, async () => {
      const k: Ks = await h.getKs(name);
      return ready(k)?.status === 'False' && k.status?.lastAttemptedRevision ? k : undefined;
    });

  beforeAll(async () => {
    h = await startKsHarness({ reconciler: { workloadIdentity: { objectLevelWorkloadIdentity: true } } });
    const { issuer, keys } = h.server.serviceAccountIssuer();
    const port = await freePort();
    remote = await startApiServer({
      port,
      trustedIssuers: [{ issuer, audiences: [`https://127.0.0.1:${port}`], keys, usernamePrefix: 'local:' }],
    });
    remoteClient = KubeClient.fromKubeconfigSecret({ stringData: { value: remote.kubeconfig } });
    await remoteClient.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'local-deployer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `local:system:serviceaccount:${NS}:deployer` },
      ],
    });
    await h.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: NS } });
    await h.publish('remote-app', {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote-app\n  namespace: default\n',
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await remote?.close();
  }, 30_000);

  it('applies into the remote cluster with a ServiceAccount token', { timeout: 60_000 }, async () => {
    await cm('remote-wi', {
      provider: 'generic',
      address: remote.url,
      'ca.crt': remote.caPem,
      serviceAccountName: 'deployer',
    });
    await h.createKs('remote-app', { kubeConfig: { configMapRef: { name: 'remote-wi' } } });
    await until('remote-app Ready', async () => ready(await h.getKs('remote-app'))?.status === 'True');
    const applied = await remoteClient.get(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { namespace: 'default', name: 'remote-app' },
    );
    expect(applied.metadata.labels).toMatchObject({ 'kustomize.toolkit.fluxcd.io/name': 'remote-app' });
    await expect(
      h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default', name: 'remote-app' }),
    ).rejects.toSatisfy(isNotFound);
  });

  it('reports a missing address and stalls on a cloud provider', { timeout: 60_000 }, async () => {
    await cm('no-address', { provider: 'generic', serviceAccountName: 'deployer' });
    await cm('on-gcp', { provider: 'gcp', cluster: 'projects/p/locations/l/clusters/c' });
    await h.publish('no-address', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' });
    await h.publish('on-gcp', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n' });
    await h.createKs('no-address', { kubeConfig: { configMapRef: { name: 'no-address' } } });
    await h.createKs('on-gcp', { kubeConfig: { configMapRef: { name: 'on-gcp' } } });
    const noAddress = await failed('no-address');
    expect(ready(noAddress)).toMatchObject({
      reason: 'ReconciliationFailed',
      message: 'cluster address is required to create a REST config',
    });
    const gcp = await failed('on-gcp');
    expect(ready(gcp)).toMatchObject({
      reason: 'ReconciliationFailed',
      message:
        "provider 'gcp' is not supported by this build of flux-ts: only the 'generic' provider (Kubernetes ServiceAccount tokens) is implemented",
    });
    expect(gcp.status?.conditions?.find((c) => c.type === 'Stalled')?.status).toBe('True');
  });
});
