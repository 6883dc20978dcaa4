import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kstatusViolations } from '@flux-ts/testing';
import { kustomizationReadyConditions } from './conditions.ts';
import { isNotFound } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { NS, ksGVK, ready, startKsHarness, until } from './harness.spec-helper.ts';
import type { KsHarness } from './harness.spec-helper.ts';

const cmGVK = { apiVersion: 'v1', kind: 'ConfigMap' };
type ConfigMap = KubeObject & { data?: Record<string, string> };

const configMap = (name: string, data: Record<string, string>, annotations: Record<string, string> = {}): string =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    '  namespace: apps',
    ...(Object.keys(annotations).length > 0
      ? ['  annotations:', ...Object.entries(annotations).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)]
      : []),
    'data:',
    ...Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    '',
  ].join('\n');

describe('Kustomization: substitutions, failures that keep what is applied, and per-object policies', () => {
  let h: KsHarness;
  beforeAll(async () => {
    h = await startKsHarness({ namespaces: ['apps'] });
  }, 60_000);
  afterAll(async () => h?.close(), 60_000);

  const getCm = (name: string) => h.client.get<ConfigMap>(cmGVK, { namespace: 'apps', name });
  const readyAt = async (name: string, revision: string) => {
    const ks = await until(`${name} Ready at ${revision}`, async () => {
      const ks = await h.getKs(name);
      return ready(ks)?.status === 'True' && ks.status?.lastAppliedRevision === revision ? ks : undefined;
    });
    expect(kstatusViolations(ks as never, { negativePolarity: kustomizationReadyConditions.negativePolarity })).toEqual(
      [],
    );
    return ks;
  };

  it('substitutes variables from a Secret, and the value reaches neither the status nor an event', async () => {
    await h.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'subst-vars', namespace: NS },
      data: { TOKEN: Buffer.from('s3cr3t-value-42').toString('base64'), TAG: Buffer.from('1.25').toString('base64') },
    });
    const rev = await h.publish('subst', {
      'cm.yaml': configMap('subst-cm', { image: 'nginx:${TAG}', token: '${TOKEN}', kept: '${UNSET:=fallback}' }),
    });
    await h.createKs('subst', { path: './', postBuild: { substituteFrom: [{ kind: 'Secret', name: 'subst-vars' }] } });
    const ks = await readyAt('subst', rev);
    expect((await getCm('subst-cm')).data).toEqual({ image: 'nginx:1.25', token: 's3cr3t-value-42', kept: 'fallback' });
    expect(JSON.stringify(ks.status)).not.toContain('s3cr3t');
    expect(JSON.stringify(h.events.filter((e) => e.obj === 'subst'))).not.toContain('s3cr3t');
  });

  it('fails the build on a variable missing in strict mode, and prunes nothing of the last applied revision', async () => {
    const first = await h.publish('strict', {
      'a.yaml': configMap('strict-a', { v: '1' }),
      'b.yaml': configMap('strict-b', { v: '1' }),
    });
    await h.createKs('strict', { path: './', postBuild: { substitute: { KNOWN: 'x' } } });
    await readyAt('strict', first);
    // The next revision drops strict-b and references a variable nobody sets.
    await h.publish('strict', { 'a.yaml': configMap('strict-a', { v: '${MISSING_VAR}', k: '${KNOWN}' }) });
    const failed = await until('strict BuildFailed', async () => {
      const ks = await h.getKs('strict');
      return ready(ks)?.reason === 'BuildFailed' ? ks : undefined;
    });
    expect(ready(failed)?.status).toBe('False');
    expect(ready(failed)?.message).toContain('variable not set (strict mode): "MISSING_VAR"');
    expect(failed.status?.lastAppliedRevision).toBe(first);
    // Nothing was applied or pruned: both objects are as the first revision left them.
    expect((await getCm('strict-a')).data).toEqual({ v: '1' });
    expect((await getCm('strict-b')).data).toEqual({ v: '1' });
  });

  it(
    'reports an object the API server rejects as ReconciliationFailed with its message',
    { timeout: 30_000 },
    async () => {
      const rev = await h.publish('rejected', {
        'ok.yaml': configMap('rejected-ok', { v: '1' }),
        // A name no API server accepts (not an RFC 1123 subdomain); kustomize builds it as it is.
        'bad.yaml': configMap('Rejected_Name', { v: '1' }),
      });
      await h.createKs('rejected', { path: './' });
      const failed = await until(
        'rejected ReconciliationFailed',
        async () => {
          const ks = await h.getKs('rejected');
          return ready(ks)?.reason === 'ReconciliationFailed' && ks.status?.lastAttemptedRevision === rev
            ? ks
            : undefined;
        },
        10_000,
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}; last status: ${JSON.stringify((await h.getKs('rejected')).status)}`);
      });
      expect(ready(failed)?.status).toBe('False');
      expect(ready(failed)?.message).toMatch(
        /^ConfigMap\/apps\/Rejected_Name dry-run failed \(Invalid\): ConfigMap "Rejected_Name" is invalid: metadata\.name: Invalid value: "Rejected_Name": a lowercase RFC 1123 subdomain/,
      );
      expect(failed.status?.lastAttemptedRevision, JSON.stringify(failed.status)).toBe(rev);
      expect(failed.status?.lastAppliedRevision).toBeUndefined();
    },
  );

  it('honours ssa: IfNotPresent (created once, never overwritten) and prune: disabled (kept when removed)', async () => {
    const first = await h.publish('policies', {
      'once.yaml': configMap('policy-once', { v: '1' }, { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }),
      'keep.yaml': configMap('policy-keep', { v: '1' }, { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' }),
      'gone.yaml': configMap('policy-gone', { v: '1' }),
    });
    await h.createKs('policies', { path: './' });
    await readyAt('policies', first);
    // Someone edits the IfNotPresent object in the cluster.
    await h.client.patch(
      cmGVK,
      { namespace: 'apps', name: 'policy-once' },
      { data: { v: 'edited' } },
      { type: 'merge' },
    );
    const second = await h.publish('policies', {
      'once.yaml': configMap('policy-once', { v: '2' }, { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' }),
    });
    await readyAt('policies', second);
    expect((await getCm('policy-once')).data).toEqual({ v: 'edited' });
    expect((await getCm('policy-keep')).data).toEqual({ v: '1' });
    await until('policy-gone pruned', async () => {
      try {
        await getCm('policy-gone');
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    });
  });

  it('records status.history: one snapshot per digest and Ready reason, newest first, counting repeats', async () => {
    const first = await h.publish('history', { 'cm.yaml': configMap('history-cm', { v: '1' }) });
    await h.createKs('history', { path: './' });
    await readyAt('history', first);
    await until('a second reconcile of the same revision', async () => {
      await h.client.patch(
        ksGVK,
        { namespace: NS, name: 'history' },
        { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': `again-${Date.now()}` } } },
        { type: 'merge' },
      );
      const ks = await h.getKs('history');
      return (ks.status?.history?.[0]?.totalReconciliations ?? 0) >= 2 ? ks : undefined;
    });
    const second = await h.publish('history', { 'cm.yaml': configMap('history-cm', { v: '2' }) });
    const ks = await readyAt('history', second);
    const history = ks.status?.history ?? [];
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({
      lastReconciledStatus: 'ReconciliationSucceeded',
      totalReconciliations: 1,
      metadata: { revision: second },
    });
    expect(history[1]).toMatchObject({
      lastReconciledStatus: 'ReconciliationSucceeded',
      metadata: { revision: first },
    });
    expect(history[1]!.totalReconciliations).toBeGreaterThanOrEqual(2);
    for (const s of history) {
      expect(s.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(s.lastReconciled).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(s.lastReconciledDuration).toMatch(/^[0-9.]+(ms|s|m)/);
    }
    expect(history[0]!.digest).not.toBe(history[1]!.digest);
  });

  it('honours spec.ignore: a field another applier owns is left to it, a field only we own keeps its live value', async () => {
    const deployment = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ignored
  namespace: apps
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ignored
  template:
    metadata:
      labels:
        app: ignored
    spec:
      containers:
        - name: app
          image: ${image}
`;
    const first = await h.publish('ignore', {
      'deploy.yaml': deployment(1, 'nginx:1'),
      'cm.yaml': configMap('ignore-cm', { mode: 'from-git', other: '1' }),
    });
    await h.createKs('ignore', {
      path: './',
      ignore: [
        { paths: ['/spec/replicas'], target: { kind: 'Deployment' } },
        { paths: ['/data/mode'], target: { kind: 'ConfigMap', name: 'ignore-.*' } },
      ],
    });
    await readyAt('ignore', first);
    // An autoscaler takes spec.replicas with its own server-side apply; a person edits the ConfigMap.
    const depGVK = { apiVersion: 'apps/v1', kind: 'Deployment' };
    await h.client.apply(
      { ...depGVK, metadata: { name: 'ignored', namespace: 'apps' }, spec: { replicas: 4 } } as KubeObject,
      { fieldManager: 'hpa-controller', force: true },
    );
    await h.client.patch(
      cmGVK,
      { namespace: 'apps', name: 'ignore-cm' },
      { data: { mode: 'by-hand' } },
      { type: 'merge' },
    );
    // A new revision changes both ignored fields and one that is not ignored.
    const second = await h.publish('ignore', {
      'deploy.yaml': deployment(2, 'nginx:2'),
      'cm.yaml': configMap('ignore-cm', { mode: 'from-git-2', other: '2' }),
    });
    await readyAt('ignore', second);
    const dep = await h.client.get<
      KubeObject & { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } }
    >(depGVK, { namespace: 'apps', name: 'ignored' });
    expect(dep.spec.replicas).toBe(4);
    expect(dep.spec.template.spec.containers[0]!.image).toBe('nginx:2');
    expect((await getCm('ignore-cm')).data).toEqual({ mode: 'by-hand', other: '2' });
  });
});
