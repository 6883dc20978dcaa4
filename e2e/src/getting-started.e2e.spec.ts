/**
 * Flux's getting-started guide, end to end: a podinfo-like repository on the real smart-HTTP git server, the seed
 * manifests users already have (old API versions included) applied with the real kubectl, and source-controller
 * and kustomize-controller running as their own processes against libs/apiserver over HTTPS.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '@flux-ts/embedded';
import { isNotFound } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { run } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import { GIT_ENV, GVK as gvk, KUBECTL, startE2eStack } from './stack.ts';

const seeds = join(import.meta.dirname, '..', 'fixtures', 'seeds');

const podinfo = { namespace: 'flux-system', name: 'podinfo' };
const inDefault = { namespace: 'default', name: 'podinfo' };

type Flux = KubeObject & {
  spec: { suspend?: boolean };
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    lastAppliedRevision?: string;
    artifact?: { revision: string };
    lastHandledReconcileAt?: string;
  };
};
type Deployment = KubeObject & { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };

const files = (replicas: number, withService = true): Record<string, string> => ({
  'kustomize/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - hpa.yaml',
    '  - deployment.yaml',
    ...(withService ? ['  - service.yaml'] : []),
    '',
  ].join('\n'),
  'kustomize/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
        - name: podinfod
          image: ghcr.io/stefanprodan/podinfo:6.7.1
          ports:
            - name: http
              containerPort: 9898
`,
  'kustomize/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: podinfo
spec:
  type: ClusterIP
  selector:
    app: podinfo
  ports:
    - name: http
      port: 9898
      targetPort: http
`,
  'kustomize/hpa.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: podinfo
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  minReplicas: 2
  maxReplicas: 4
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 99
`,
});

const ready = (o: Flux) => o.status?.conditions?.find((c) => c.type === 'Ready');

describe('e2e: the getting-started guide on flux-ts', () => {
  let e: Embedded;
  let tmp: string;
  let work: string;
  let kubeconfig: string;

  const kubectl = (...args: string[]): Promise<string> => run(KUBECTL, ['--kubeconfig', kubeconfig, ...args]);
  const git = (...args: string[]): Promise<string> => run('git', ['-C', work, ...args], { env: GIT_ENV });

  /** Writes the repository content, commits and pushes over smart HTTP; returns the new commit. */
  async function push(content: Record<string, string>, message: string): Promise<string> {
    for (const f of Object.keys(files(1))) if (!(f in content) && existsSync(join(work, f))) unlinkSync(join(work, f));
    for (const [p, text] of Object.entries(content)) {
      mkdirSync(dirname(join(work, p)), { recursive: true });
      writeFileSync(join(work, p), text);
    }
    await git('add', '-A');
    await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@flux-ts.local', 'commit', '-qm', message);
    await git('push', '-q', 'origin', 'master');
    return (await git('rev-parse', 'HEAD')).trim();
  }

  /** What `flux reconcile source git podinfo` does: annotate, then wait until the request was handled. */
  async function reconcileSource(): Promise<void> {
    const at = new Date().toISOString();
    await e.client.patch(
      gvk.git,
      podinfo,
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } },
      { type: 'merge' },
    );
    await until(
      'the source reconcile',
      async () => (await e.client.get<Flux>(gvk.git, podinfo)).status?.lastHandledReconcileAt === at,
    );
  }

  async function reconcileKustomization(): Promise<Flux> {
    const at = new Date().toISOString();
    await e.client.patch(
      gvk.ks,
      podinfo,
      { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } },
      { type: 'merge' },
    );
    return until('the Kustomization reconcile', async () => {
      const ks = await e.client.get<Flux>(gvk.ks, podinfo);
      return ks.status?.lastHandledReconcileAt === at && ready(ks)?.status === 'True' ? ks : undefined;
    });
  }

  const appliedAt = (commit: string) =>
    until(`Kustomization applied ${commit}`, async () => {
      const ks = await e.client.get<Flux>(gvk.ks, podinfo);
      return ks.status?.lastAppliedRevision === `master@sha1:${commit}` && ready(ks)?.status === 'True'
        ? ks
        : undefined;
    });

  const deployment = () => e.client.get<Deployment>(gvk.deployment, inDefault);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'flux-ts-e2e-'));
    e = await startE2eStack(tmp);
    kubeconfig = e.layout.kubeconfig;
    // The podinfo repository: a bare repository served over smart HTTP (pushes allowed) and a working clone.
    const bare = join(e.layout.git, 'podinfo.git');
    await run('git', ['init', '-q', '--bare', '-b', 'master', bare], { env: GIT_ENV });
    await run('git', ['-C', bare, 'config', 'http.receivepack', 'true'], { env: GIT_ENV });
    work = join(tmp, 'podinfo');
    await run('git', ['init', '-q', '-b', 'master', work], { env: GIT_ENV });
    await git('remote', 'add', 'origin', `${e.git.url}/podinfo.git`);
  }, 60_000);

  afterAll(async () => {
    await e?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  let first: string;

  it(
    'applies the seed manifests (GitRepository v1beta1, Kustomization v1beta2) with kubectl and deploys podinfo',
    { timeout: 120_000 },
    async () => {
      first = await push(files(1), 'podinfo');
      await kubectl('create', 'namespace', 'flux-system');
      // The seed as users have it, pointed at the local server instead of GitHub.
      const seed = readFileSync(join(seeds, '01-getting-started.yaml'), 'utf8').replace(
        'https://github.com/stefanprodan/podinfo',
        `${e.git.url}/podinfo.git`,
      );
      const seedFile = join(tmp, 'getting-started.yaml');
      writeFileSync(seedFile, seed);
      const out = await kubectl('apply', '-f', seedFile);
      expect(out).toContain('gitrepository.source.toolkit.fluxcd.io/podinfo created');
      expect(out).toContain('kustomization.kustomize.toolkit.fluxcd.io/podinfo created');

      const ks = await appliedAt(first);
      expect(ready(ks)).toMatchObject({
        reason: 'ReconciliationSucceeded',
        message: `Applied revision: master@sha1:${first}`,
      });
      const src = await e.client.get<Flux>(gvk.git, podinfo);
      expect(src.status?.artifact?.revision).toBe(`master@sha1:${first}`);
      const dep = await deployment();
      expect(dep.spec.replicas).toBe(1);
      expect(dep.metadata.labels).toMatchObject({
        'kustomize.toolkit.fluxcd.io/name': 'podinfo',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      });
      await e.client.get(gvk.service, inDefault);
      await e.client.get(gvk.hpa, inDefault);
      // kubectl reads the objects at the old versions too, as a user's scripts do.
      expect(
        await kubectl(
          'get',
          'gitrepositories.v1beta1.source.toolkit.fluxcd.io',
          '-n',
          'flux-system',
          'podinfo',
          '-o',
          'jsonpath={.spec.url}',
        ),
      ).toBe(`${e.git.url}/podinfo.git`);
    },
  );

  it('applies the inline HPA patch of the v1 seed', { timeout: 60_000 }, async () => {
    const seedFile = join(tmp, 'inline-patch.yaml');
    writeFileSync(seedFile, readFileSync(join(seeds, '06-inline-patch.yaml'), 'utf8'));
    expect(await kubectl('apply', '-f', seedFile)).toContain(
      'kustomization.kustomize.toolkit.fluxcd.io/podinfo configured',
    );
    await until('HPA minReplicas 3', async () => {
      const hpa = await e.client.get<KubeObject & { spec: { minReplicas: number } }>(gvk.hpa, inDefault);
      return hpa.spec.minReplicas === 3;
    });
  });

  it(
    'applies a commit that changes the replicas, and prunes a file removed from Git',
    { timeout: 120_000 },
    async () => {
      const scaled = await push(files(3), 'scale to 3');
      await reconcileSource();
      await appliedAt(scaled);
      expect((await deployment()).spec.replicas).toBe(3);

      const noService = await push(files(3, false), 'remove the service');
      await reconcileSource();
      await appliedAt(noService);
      await until('the Service pruned', async () => {
        try {
          await e.client.get(gvk.service, inDefault);
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      });
    },
  );

  it('reverts a kubectl edit at the next reconcile', { timeout: 60_000 }, async () => {
    await kubectl(
      '-n',
      'default',
      'patch',
      'deployment',
      'podinfo',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":5}}',
    );
    expect((await deployment()).spec.replicas).toBe(5);
    await reconcileKustomization();
    await until('replicas back to 3', async () => (await deployment()).spec.replicas === 3);
  });

  it('stops on suspend and catches up on resume', { timeout: 120_000 }, async () => {
    await e.client.patch(gvk.ks, podinfo, { spec: { suspend: true } }, { type: 'merge' });
    const later = await push(files(2, false), 'scale to 2 while suspended');
    await reconcileSource();
    await new Promise((r) => setTimeout(r, 3000));
    expect((await deployment()).spec.replicas).toBe(3);
    expect((await e.client.get<Flux>(gvk.ks, podinfo)).status?.lastAppliedRevision).not.toBe(`master@sha1:${later}`);
    await e.client.patch(gvk.ks, podinfo, { spec: { suspend: false } }, { type: 'merge' });
    await appliedAt(later);
    expect((await deployment()).spec.replicas).toBe(2);
  });

  it('deletes what it applied when the Kustomization is deleted', { timeout: 60_000 }, async () => {
    await kubectl('-n', 'flux-system', 'delete', 'kustomization', 'podinfo', '--wait=true');
    for (const [what, g] of [
      ['Deployment', gvk.deployment],
      ['HorizontalPodAutoscaler', gvk.hpa],
    ] as const)
      await until(`${what} deleted`, async () => {
        try {
          await e.client.get(g, inDefault);
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      });
  });
});
