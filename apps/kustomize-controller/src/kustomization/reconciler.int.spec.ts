import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@flux-ts/runtime';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { NS, ksGVK, ready, startKsHarness, until } from './harness.spec-helper.ts';
import type { Cond, Ks, KsHarness } from './harness.spec-helper.ts';

const deployGVK = { apiVersion: 'apps/v1', kind: 'Deployment' };

const deploymentYaml = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: app
          image: ${image}
`;
const serviceYaml = (name: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - port: 80
      targetPort: 9898
`;

const cond = (k: Ks, type: string): Cond | undefined => k.status?.conditions?.find((c) => c.type === type);

describe('Kustomization reconciler against the API server', () => {
  let h: KsHarness;
  let server: KsHarness['server'];
  let client: KubeClient;
  let writes: string[];
  let events: KsHarness['events'];

  beforeAll(async () => {
    h = await startKsHarness({ namespaces: ['apps'] });
    ({ server, client, writes, events } = h);
  }, 60_000);

  afterAll(async () => h?.close(), 60_000);

  const publish = (name: string, files: Record<string, string>) => h.publish(name, files);
  const createKs = (name: string, spec: Record<string, unknown>) => h.createKs(name, spec);
  const getKs = (name: string) => h.getKs(name);

  async function requestReconcile(name: string): Promise<string> {
    const token = `t-${Date.now()}-${Math.random()}`;
    await client.patch(
      ksGVK,
      { namespace: NS, name },
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } },
      { type: 'merge' },
    );
    await until(
      `reconcile ${token} of ${name}`,
      async () => (await getKs(name)).status?.lastHandledReconcileAt === token,
    );
    return token;
  }

  it(
    'applies a getting-started Kustomization, becomes Ready with an inventory, and a re-run with the same revision writes nothing',
    { timeout: 120_000 },
    async () => {
      const rev = await publish('podinfo', {
        'kustomize/kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n',
        'kustomize/deployment.yaml': deploymentYaml('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.0'),
        'kustomize/service.yaml': serviceYaml('podinfo'),
      });
      await createKs('podinfo', { path: './kustomize', targetNamespace: 'apps' });
      const ks = await until('podinfo Ready', async () => {
        const k = await getKs('podinfo');
        // The status is patched in parts (conditions first): wait for all of it.
        return ready(k)?.status === 'True' && k.status?.lastAppliedRevision === rev && k.status.inventory
          ? k
          : undefined;
      });
      expect(ready(ks)).toMatchObject({ reason: 'ReconciliationSucceeded', message: `Applied revision: ${rev}` });
      expect(ks.status?.lastAppliedRevision).toBe(rev);
      expect(ks.status?.lastAttemptedRevision).toBe(rev);
      expect(ks.status?.observedGeneration).toBe(ks.metadata.generation);
      expect(ks.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
      expect(ks.status?.inventory?.entries).toEqual([
        { id: 'apps_podinfo__Service', v: 'v1' },
        { id: 'apps_podinfo_apps_Deployment', v: 'v1' },
      ]);
      expect(cond(ks, 'Reconciling')).toBeUndefined();
      const dep = await client.get(deployGVK, { namespace: 'apps', name: 'podinfo' });
      expect(dep.metadata.labels).toMatchObject({
        'kustomize.toolkit.fluxcd.io/name': 'podinfo',
        'kustomize.toolkit.fluxcd.io/namespace': NS,
      });
      expect(
        (dep.metadata.managedFields as { manager: string }[]).some((m) => m.manager === 'kustomize-controller'),
      ).toBe(true);

      // Steady state: reads and dry-runs only; the only writes are to the Kustomization itself.
      const rv = dep.metadata.resourceVersion;
      writes.length = 0;
      await requestReconcile('podinfo');
      await requestReconcile('podinfo');
      expect(writes.filter((w) => !w.includes('/kustomizations/podinfo') && !w.includes('/events'))).toEqual([]);
      expect((await client.get(deployGVK, { namespace: 'apps', name: 'podinfo' })).metadata.resourceVersion).toBe(rv);
    },
  );

  it('applies a new revision, prunes removed objects and reverts manual edits', { timeout: 120_000 }, async () => {
    const rev2 = await publish('podinfo', {
      'kustomize/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - config.yaml\n',
      'kustomize/deployment.yaml': deploymentYaml('podinfo', 'ghcr.io/stefanprodan/podinfo:6.1.0'),
      'kustomize/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\ndata:\n  a: "1"\n',
    });
    const ks = await until('revision 2 applied', async () => {
      const k = await getKs('podinfo');
      return k.status?.lastAppliedRevision === rev2 ? k : undefined;
    });
    expect(ks.status?.inventory?.entries.map((e) => e.id)).toEqual([
      'apps_podinfo__ConfigMap',
      'apps_podinfo_apps_Deployment',
    ]);
    const image = async () =>
      (
        await client.get<KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
          deployGVK,
          { namespace: 'apps', name: 'podinfo' },
        )
      ).spec.template.spec.containers[0]!.image;
    expect(await image()).toBe('ghcr.io/stefanprodan/podinfo:6.1.0');
    await until('service pruned', async () => {
      try {
        await client.get({ apiVersion: 'v1', kind: 'Service' }, { namespace: 'apps', name: 'podinfo' });
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    });

    // A manual edit of an applied field is reverted on the next reconcile.
    await client.patch(
      deployGVK,
      { namespace: 'apps', name: 'podinfo' },
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'evil:latest' }] } } } },
      { type: 'strategic', fieldManager: 'kubectl-edit' },
    );
    expect(await image()).toBe('evil:latest');
    await requestReconcile('podinfo');
    expect(await image()).toBe('ghcr.io/stefanprodan/podinfo:6.1.0');

    // Deleting the Kustomization prunes its objects (deletionPolicy MirrorPrune with prune: true).
    await client.delete(ksGVK, { namespace: NS, name: 'podinfo' });
    await until('objects pruned on delete', async () => {
      try {
        await client.get(deployGVK, { namespace: 'apps', name: 'podinfo' });
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    });
    await until('Kustomization gone', async () =>
      getKs('podinfo').then(
        () => false,
        (err: unknown) => isNotFound(err),
      ),
    );
  });

  it('reports a missing source as ArtifactFailed', { timeout: 60_000 }, async () => {
    await createKs('nosource', { sourceRef: { kind: 'GitRepository', name: 'nope' } });
    const ks = await until('ArtifactFailed', async () => {
      const k = await getKs('nosource');
      return ready(k)?.reason === 'ArtifactFailed' ? k : undefined;
    });
    expect(ready(ks)).toMatchObject({ status: 'False', message: "Source 'GitRepository/flux-system/nope' not found" });
  });

  it('waits for dependsOn (DependencyNotReady), then proceeds', { timeout: 120_000 }, async () => {
    await publish('child', {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: child\n  namespace: apps\n',
    });
    await createKs('child', { dependsOn: [{ name: 'parent' }] });
    const waiting = await until('DependencyNotReady', async () => {
      const k = await getKs('child');
      return ready(k)?.reason === 'DependencyNotReady' ? k : undefined;
    });
    expect(ready(waiting)).toMatchObject({ status: 'False', message: "dependency 'flux-system/parent' not found" });

    await publish('parent', {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: parent\n  namespace: apps\n',
    });
    await createKs('parent', {});
    await until('child Ready after parent', async () => ready(await getKs('child'))?.status === 'True');
    await client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'apps', name: 'child' });
  });

  it(
    'substitutes postBuild variables from spec and ConfigMaps, with optional sources',
    { timeout: 60_000 },
    async () => {
      await client.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'vars', namespace: NS, labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } },
        data: { REGION: 'eu-1', COLOR: 'red' },
      });
      await publish('subst', {
        'app/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP_NAME}\n  namespace: apps\ndata:\n  region: ${REGION}\n  color: ${COLOR}\n  greeting: ${GREETING:=hello}\n',
      });
      await createKs('subst', {
        path: './app',
        postBuild: {
          substitute: { APP_NAME: 'substituted', COLOR: 'blue' },
          substituteFrom: [
            { kind: 'ConfigMap', name: 'vars' },
            { kind: 'Secret', name: 'missing', optional: true },
          ],
        },
      });
      await until('subst Ready', async () => ready(await getKs('subst'))?.status === 'True');
      const cm = await client.get<KubeObject & { data: Record<string, string> }>(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { namespace: 'apps', name: 'substituted' },
      );
      expect(cm.data).toEqual({ region: 'eu-1', color: 'blue', greeting: 'hello' });

      // A watched ConfigMap (reconcile.fluxcd.io/watch: Enabled) triggers the Kustomization when its data changes.
      await client.patch(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { namespace: NS, name: 'vars' },
        { data: { REGION: 'us-2' } },
        { type: 'merge' },
      );
      await until('substituted value updated', async () => {
        const c = await client.get<KubeObject & { data: Record<string, string> }>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { namespace: 'apps', name: 'substituted' },
        );
        return c.data['region'] === 'us-2';
      });
    },
  );

  it('reports a broken kustomization as BuildFailed with the precise cause', { timeout: 60_000 }, async () => {
    await publish('broken', {
      'kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n',
    });
    await createKs('broken', {});
    const ks = await until('BuildFailed', async () => {
      const k = await getKs('broken');
      return ready(k)?.reason === 'BuildFailed' && k.status?.lastAttemptedRevision ? k : undefined;
    });
    expect(ready(ks)?.status).toBe('False');
    expect(ready(ks)?.message).toMatch(/^kustomize build failed: .*missing\.yaml/);
    expect(ks.status?.lastAttemptedRevision).toMatch(/^main@sha1:/);
    expect(ks.status?.lastAppliedRevision).toBeUndefined();
  });

  it('waits for workloads with wait: true and sets Healthy', { timeout: 120_000 }, async () => {
    server.hooks.setSimulation({ readyAfterMs: 500, intervalMs: 100 });
    try {
      await publish('healthy', {
        'deploy.yaml': deploymentYaml('healthy', 'nginx:1').replace(
          'metadata:\n  name: healthy',
          'metadata:\n  name: healthy\n  namespace: apps',
        ),
      });
      await createKs('healthy', { wait: true, timeout: '30s' });
      const ks = await until('healthy Ready', async () => {
        const k = await getKs('healthy');
        return ready(k)?.status === 'True' && cond(k, 'Healthy') ? k : undefined;
      });
      expect(cond(ks, 'Healthy')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    } finally {
      server.hooks.setSimulation(undefined);
    }
  });

  it(
    'applies inline patches, images and commonMetadata, and emits the change set as event',
    { timeout: 60_000 },
    async () => {
      const rev = await publish('patched', {
        'deploy.yaml': deploymentYaml('patched', 'ghcr.io/stefanprodan/podinfo:6.0.0').replace(
          'metadata:\n  name: patched',
          'metadata:\n  name: patched\n  namespace: apps',
        ),
      });
      await createKs('patched', {
        patches: [
          {
            patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: patched\nspec:\n  replicas: 3\n',
            target: { kind: 'Deployment', name: 'patched' },
          },
        ],
        images: [{ name: 'ghcr.io/stefanprodan/podinfo', newTag: '6.2.0' }],
        commonMetadata: { labels: { team: 'a' }, annotations: { owner: 'me' } },
      });
      await until('patched Ready', async () => ready(await getKs('patched'))?.status === 'True');
      const dep = await client.get<
        KubeObject & { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } }
      >(deployGVK, { namespace: 'apps', name: 'patched' });
      expect(dep.spec.replicas).toBe(3);
      expect(dep.spec.template.spec.containers[0]!.image).toBe('ghcr.io/stefanprodan/podinfo:6.2.0');
      expect(dep.metadata.labels).toMatchObject({ team: 'a' });
      expect(dep.metadata.annotations).toMatchObject({ owner: 'me' });
      const mine = events.filter((e) => e.obj === 'patched').map((e) => e.ev);
      expect(mine).toContainEqual(
        expect.objectContaining({
          type: 'Normal',
          message: 'Deployment/apps/patched created',
          metadata: { 'kustomize.toolkit.fluxcd.io/revision': rev },
        }),
      );
      expect(mine).toContainEqual(
        expect.objectContaining({
          type: 'Normal',
          reason: 'ReconciliationSucceeded',
          message: expect.stringMatching(/^Reconciliation finished in .*, next run in 10m0s$/),
        }),
      );
    },
  );

  it('shows the health wait while it lasts, as Flux does', { timeout: 60_000 }, async () => {
    await publish('waiting', {
      'deploy.yaml': deploymentYaml('waiting', 'nginx:1').replace(
        'metadata:\n  name: waiting',
        'metadata:\n  name: waiting\n  namespace: apps',
      ),
    });
    await createKs('waiting', {
      timeout: '5m',
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'waiting', namespace: 'apps' }],
    });
    const ks = await until('the health wait in the status', async () => {
      const k = await getKs('waiting');
      return cond(k, 'Healthy')?.status === 'Unknown' ? k : undefined;
    });
    expect(ready(ks)).toMatchObject({
      status: 'Unknown',
      reason: 'Progressing',
      message: 'Reconciliation in progress',
    });
    const running = /^Running health checks for revision main@sha1:[0-9a-f]{40} with a timeout of 5m0s$/;
    expect(cond(ks, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Progressing', message: running });
    expect(cond(ks, 'Healthy')).toMatchObject({ reason: 'Progressing', message: running });
    await client.delete(ksGVK, { namespace: NS, name: 'waiting' });
  });

  it('fails health checks with HealthCheckFailed after the timeout', { timeout: 60_000 }, async () => {
    await publish('unhealthy', {
      'deploy.yaml': deploymentYaml('unhealthy', 'nginx:1').replace(
        'metadata:\n  name: unhealthy',
        'metadata:\n  name: unhealthy\n  namespace: apps',
      ),
    });
    await createKs('unhealthy', {
      timeout: '1s',
      healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'unhealthy', namespace: 'apps' }],
    });
    const ks = await until('HealthCheckFailed', async () => {
      const k = await getKs('unhealthy');
      return ready(k)?.reason === 'HealthCheckFailed' && k.status?.inventory && cond(k, 'Healthy') ? k : undefined;
    });
    expect(ready(ks)?.message).toMatch(
      /^health check failed after .*: timeout waiting for: \[Deployment\/apps\/unhealthy status: 'InProgress'\]$/,
    );
    expect(cond(ks, 'Healthy')).toMatchObject({ status: 'False', reason: 'HealthCheckFailed' });
    // Applied objects are in the inventory even though the health check failed.
    expect(ks.status?.inventory?.entries.map((e) => e.id)).toEqual(['apps_unhealthy_apps_Deployment']);
    expect(
      events.some((e) => e.obj === 'unhealthy' && e.ev.type === 'Warning' && e.ev.reason === 'HealthCheckFailed'),
    ).toBe(true);
  });

  it('applies as spec.serviceAccountName: without RBAC the apply is forbidden', { timeout: 60_000 }, async () => {
    await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'restricted', namespace: NS } });
    await publish('impersonated', {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: impersonated\n  namespace: apps\n',
    });
    await createKs('impersonated', { serviceAccountName: 'restricted' });
    const ks = await until('ReconciliationFailed', async () => {
      const k = await getKs('impersonated');
      return ready(k)?.reason === 'ReconciliationFailed' ? k : undefined;
    });
    expect(ready(ks)?.message).toContain('system:serviceaccount:flux-system:restricted');
    expect(ready(ks)?.message).toMatch(/^ConfigMap\/apps\/impersonated query failed: .*forbidden/);
  });

  it('applies to the cluster of spec.kubeConfig.secretRef', { timeout: 60_000 }, async () => {
    await client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'remote-kubeconfig', namespace: NS },
      stringData: { value: server.kubeconfig },
    });
    await publish('remote', {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: remote\n  namespace: apps\n',
    });
    await createKs('remote', { kubeConfig: { secretRef: { name: 'remote-kubeconfig' } } });
    await until('remote Ready', async () => ready(await getKs('remote'))?.status === 'True');
    const cm = await client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'apps', name: 'remote' });
    expect(cm.metadata.labels).toMatchObject({ 'kustomize.toolkit.fluxcd.io/name': 'remote' });
  });

  it('keeps the objects of a deleted Kustomization with deletionPolicy Orphan', { timeout: 60_000 }, async () => {
    await publish('orphan', {
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orphan\n  namespace: apps\n',
    });
    await createKs('orphan', { deletionPolicy: 'Orphan' });
    await until('orphan Ready', async () => {
      const k = await getKs('orphan');
      return ready(k)?.status === 'True' && k.status?.inventory ? k : undefined;
    });
    await client.delete(ksGVK, { namespace: NS, name: 'orphan' });
    await until('orphan Kustomization gone', async () =>
      getKs('orphan').then(
        () => false,
        (err: unknown) => isNotFound(err),
      ),
    );
    await client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'apps', name: 'orphan' });
  });
});
