// kubeConfig.configMapRef workload identity between two in-process API servers: the remote one trusts the local
// one's ServiceAccount tokens (structured JWT authentication), as a cluster set up for Flux's generic provider does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { isNotFound } from './errors.ts';
import {
  UnsupportedKubeConfigProviderError,
  kubeConfigFromConfigMap,
  parseClusterAddress,
} from './kubeconfig-configmap.ts';
import type { KubeConfigConfigMapOptions } from './kubeconfig-configmap.ts';
import { startTestCluster, type TestCluster } from './testing.spec-helper.ts';

const NS = 'wi';
const REMOTE_USER = 'local:system:serviceaccount:wi:deployer';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });

describe('kubeConfigFromConfigMap (generic provider)', () => {
  let local: TestCluster;
  let remote: TestCluster;
  let dir: string;
  const signal = new AbortController().signal;
  const cm = async (name: string, data: Record<string, string>): Promise<void> => {
    await local.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data });
  };
  const load = (name: string, opts: KubeConfigConfigMapOptions = { objectLevelWorkloadIdentity: true }) =>
    kubeConfigFromConfigMap(local.client, NS, name, opts, signal);
  const remoteConfigMap = (client: KubeClient, name: string) =>
    client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: {} });

  beforeAll(async () => {
    local = await startTestCluster();
    const { issuer, keys } = local.server.serviceAccountIssuer();
    const port = await freePort();
    remote = await startTestCluster({
      port,
      trustedIssuers: [{ issuer, audiences: [`https://127.0.0.1:${port}`, 'remote'], keys, usernamePrefix: 'local:' }],
    });
    await local.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    for (const name of ['deployer', 'controller'])
      await local.client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS } });
    await remote.client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'local-deployer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: REMOTE_USER },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'local:system:serviceaccount:wi:controller' },
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'wi-'));
    await cm('generic', {
      provider: 'generic',
      address: remote.server.url,
      'ca.crt': remote.server.caPem,
      serviceAccountName: 'deployer',
    });
  }, 30_000);

  afterAll(async () => {
    await remote?.server.close();
    await local?.server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('reaches the remote cluster as the ServiceAccount, with the address as the default audience', async () => {
    const wi = await load('generic');
    expect(wi.serviceAccount).toBe('wi/deployer');
    const client = KubeClient.fromKubeConfig(wi.kubeConfig);
    await remoteConfigMap(client, 'from-local');
    await remote.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default', name: 'from-local' });
    // the object is on the remote cluster only
    await expect(
      local.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default', name: 'from-local' }),
    ).rejects.toSatisfy(isNotFound);
  });

  it('keeps a token for 80% of its lifetime, then mints a new one', async () => {
    let now = Date.now();
    const wi = await load('generic', { objectLevelWorkloadIdentity: true, now: () => now });
    const client = KubeClient.fromKubeConfig(wi.kubeConfig);
    const tokenRequests = () => local.server.counters.get('create', 'serviceaccounts/token');
    const before = tokenRequests();
    await remoteConfigMap(client, 'refresh-1');
    now += 2800_000; // TokenRequest's default lifetime is 3600 s: still within 80%
    await remoteConfigMap(client, 'refresh-2');
    expect(tokenRequests()).toBe(before);
    now += 100_000;
    await remoteConfigMap(client, 'refresh-3');
    expect(tokenRequests()).toBe(before + 1);
  });

  it('sends the audiences of the ConfigMap; a token for another audience is refused', async () => {
    await cm('aud-ok', {
      provider: 'generic',
      address: remote.server.url,
      'ca.crt': remote.server.caPem,
      serviceAccountName: 'deployer',
      audiences: '- remote\n',
    });
    await remoteConfigMap(KubeClient.fromKubeConfig((await load('aud-ok')).kubeConfig), 'aud-ok');
    await cm('aud-other', {
      provider: 'generic',
      address: remote.server.url,
      'ca.crt': remote.server.caPem,
      serviceAccountName: 'deployer',
      audiences: '[elsewhere]',
    });
    const other = KubeClient.fromKubeConfig((await load('aud-other')).kubeConfig, { maxRetries: 0 });
    await expect(remoteConfigMap(other, 'aud-other')).rejects.toThrow(/Unauthorized/);
  });

  it("uses --default-kubeconfig-service-account, else the controller's own ServiceAccount", async () => {
    await cm('no-sa', { provider: 'generic', address: remote.server.url, 'ca.crt': remote.server.caPem });
    const viaDefault = await load('no-sa', {
      objectLevelWorkloadIdentity: true,
      defaultKubeConfigServiceAccount: 'deployer',
    });
    expect(viaDefault.serviceAccount).toBe('wi/deployer');
    const issued = await local.client.createSubresource<{ status: { token: string } }>(
      { apiVersion: 'v1', kind: 'ServiceAccount' },
      { namespace: NS, name: 'controller' },
      'token',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    );
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, issued.status.token);
    // controller-level identity needs no feature gate
    const viaController = await load('no-sa', { controllerTokenFile: tokenFile });
    expect(viaController.serviceAccount).toBe('wi/controller');
    await remoteConfigMap(KubeClient.fromKubeConfig(viaController.kubeConfig), 'from-controller');
  });

  it('gives upstream errors for missing keys, unknown providers and a disabled gate', async () => {
    await cm('no-provider', { address: remote.server.url });
    await cm('aws', { provider: 'aws', cluster: 'arn:aws:eks:eu-west-1:000000000000:cluster/c' });
    await cm('unknown', { provider: 'openstack' });
    await cm('no-address', { provider: 'generic', serviceAccountName: 'deployer' });
    await cm('http', { provider: 'generic', address: 'http://127.0.0.1:1', serviceAccountName: 'deployer' });
    await cm('bad-aud', { provider: 'generic', address: remote.server.url, audiences: 'remote' });
    await cm('missing-sa', { provider: 'generic', address: remote.server.url, serviceAccountName: 'ghost' });
    await expect(load('nope')).rejects.toThrow(/^failed to get configmap wi\/nope: .*not found/);
    await expect(load('no-provider')).rejects.toThrow("provider '' not implemented");
    await expect(load('unknown')).rejects.toThrow("provider 'openstack' not implemented");
    await expect(load('aws')).rejects.toThrow(UnsupportedKubeConfigProviderError);
    await expect(load('aws')).rejects.toThrow(
      "provider 'aws' is not supported by this build of flux-ts: only the 'generic' provider (Kubernetes ServiceAccount tokens) is implemented",
    );
    await expect(load('no-address')).rejects.toThrow('cluster address is required to create a REST config');
    await expect(load('http')).rejects.toThrow(
      "failed to parse cluster address http://127.0.0.1:1: the Kubernetes API server address 'http://127.0.0.1:1' must use https scheme",
    );
    await expect(load('bad-aud')).rejects.toThrow(
      "failed to unmarshal audiences 'remote': error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type []string",
    );
    await expect(load('missing-sa')).rejects.toThrow(
      /^failed to get access token for cluster: failed to get service account 'wi\/ghost': .*not found/,
    );
    await expect(
      load('no-sa', { objectLevelWorkloadIdentity: true, defaultKubeConfigServiceAccount: 'ghost' }),
    ).rejects.toThrow(
      "failed to get access token for cluster: failed to get service account 'wi/ghost': default service account not found",
    );
    await expect(load('generic', {})).rejects.toThrow(
      'failed to get access token for cluster: ObjectLevelWorkloadIdentity feature gate is not enabled',
    );
    await expect(load('no-sa', { controllerTokenFile: join(dir, 'absent') })).rejects.toThrow(
      `failed to get access token for cluster: failed to create provider access token for the controller: failed to read service account token file ${join(dir, 'absent')}`,
    );
  });

  it('canonicalizes addresses as fluxcd/pkg ParseClusterAddress', () => {
    expect(parseClusterAddress('API.Example.com')).toBe('https://api.example.com:443');
    expect(parseClusterAddress('https://10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
  });
});
