import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { applyDiff, diffRelease, summarizeDiffSet } from './drift.ts';
import { WEB_CHART, cond, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Hr, HrHarness } from './harness.spec-helper.ts';

const NS = 'drift';
const chartRef = { kind: 'HelmChart', name: 'web', namespace: 'flux-system' };
const deployGVK = { apiVersion: 'apps/v1', kind: 'Deployment' };
const cmGVK = { apiVersion: 'v1', kind: 'ConfigMap' };
type Deploy = KubeObject & { spec: { replicas: number } };

describe('HelmRelease drift detection against the API server', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS]);
    await h.serveChart('flux-system', 'web', WEB_CHART, true);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  }, 60_000);

  const waitFor = (name: string, what: string, ok: (hr: Hr) => boolean): Promise<Hr> =>
    until(`${NS}/${name}: ${what}`, async () => {
      const hr = await h.getHr(NS, name);
      return ok(hr) && settled(hr) ? hr : undefined;
    });
  const install = async (name: string, spec: Record<string, unknown>): Promise<Hr> => {
    await h.createHr(NS, name, { chartRef, ...spec });
    return waitFor(name, 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
  };
  /** A hand edit of the rendered Deployment, as `kubectl scale` writes it. */
  const scale = (name: string, replicas: number) =>
    h.client.patch(
      deployGVK,
      { namespace: NS, name },
      { spec: { replicas } },
      {
        type: 'merge',
        fieldManager: 'kubectl',
      },
    );
  const replicas = async (name: string): Promise<number> =>
    (await h.client.get<Deploy>(deployGVK, { namespace: NS, name })).spec.replicas;
  const eventsOf = (name: string, reason: string) =>
    h.events.filter((e) => e.obj === name && e.ev.reason === reason).map((e) => e.ev);
  const revisions = async (name: string): Promise<number> =>
    (JSON.parse(await h.helm(['history', name, '-n', NS, '-o', 'json'])) as unknown[]).length;

  it(
    'warn: a hand edit gives a DriftDetected event and Drifted=True, and nothing is changed',
    { timeout: 90_000 },
    async () => {
      const installed = await install('warned', { driftDetection: { mode: 'warn' } });
      expect(cond(installed, 'Drifted')).toMatchObject({
        status: 'False',
        reason: 'NoDriftDetected',
        message: 'No drift detected against the cluster state.',
      });

      await scale('warned', 3);
      await h.requestReconcile(NS, 'warned');
      const hr = await waitFor('warned', 'Drifted', (x) => cond(x, 'Drifted')?.status === 'True');
      const message =
        'Cluster state of release drift/warned.v1 has drifted from the desired state:\n' +
        'Deployment/drift/warned changed (0 additions, 1 changes, 0 removals)';
      expect(cond(hr, 'Drifted')).toMatchObject({ reason: 'DriftDetected', message });
      expect(cond(hr, 'Ready')?.status).toBe('True');
      expect(eventsOf('warned', 'DriftDetected')).toContainEqual(expect.objectContaining({ type: 'Warning', message }));
      expect(await replicas('warned')).toBe(3);
      expect(eventsOf('warned', 'DriftCorrected')).toEqual([]);
      expect(await revisions('warned')).toBe(1);
    },
  );

  it(
    'enabled: a hand edit is reverted and a deleted object recreated, without a Helm upgrade',
    { timeout: 90_000 },
    async () => {
      await install('fixed', { driftDetection: { mode: 'enabled' } });
      await scale('fixed', 4);
      await h.requestReconcile(NS, 'fixed');
      await until('fixed scaled back to 1', async () => (await replicas('fixed')) === 1);
      await until('DriftCorrected event', async () => eventsOf('fixed', 'DriftCorrected').length > 0);
      expect(eventsOf('fixed', 'DriftDetected')[0]?.message).toBe(
        'Cluster state of release drift/fixed.v1 has drifted from the desired state:\n' +
          'Deployment/drift/fixed changed (0 additions, 1 changes, 0 removals)',
      );
      expect(eventsOf('fixed', 'DriftCorrected')[0]).toMatchObject({
        type: 'Normal',
        message: 'Cluster state of release drift/fixed.v1 has been corrected:\nDeployment/drift/fixed configured',
        metadata: { 'helm.toolkit.fluxcd.io/revision': '1.0.0' },
      });
      const hr = await waitFor(
        'fixed',
        'Drifted=False',
        (x) => cond(x, 'Drifted')?.reason === 'NoDriftDetected' && cond(x, 'Ready')?.status === 'True',
      );
      expect(cond(hr, 'Ready')?.message).toBe('Helm install succeeded for release drift/fixed.v1 with chart web@1.0.0');

      await h.client.delete(cmGVK, { namespace: NS, name: 'fixed-cm' });
      await h.requestReconcile(NS, 'fixed');
      const cm = await until('fixed-cm recreated', async () => {
        try {
          return await h.client.get<KubeObject & { data: Record<string, string> }>(cmGVK, {
            namespace: NS,
            name: 'fixed-cm',
          });
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      });
      expect(cm.data).toEqual({ message: 'hello' });
      expect(cm.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.toolkit.fluxcd.io/name': 'fixed',
      });
      expect(cm.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'fixed' });
      await until('a second DriftCorrected event', async () => eventsOf('fixed', 'DriftCorrected').length > 1);
      expect(eventsOf('fixed', 'DriftCorrected')[1]?.message).toBe(
        'Cluster state of release drift/fixed.v1 has been corrected:\nConfigMap/drift/fixed-cm created',
      );
      expect(await revisions('fixed')).toBe(1);
    },
  );

  it(
    'ignore rules and the driftDetection: disabled annotation keep a change from being drift',
    { timeout: 90_000 },
    async () => {
      await install('ignoring', {
        driftDetection: { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] },
      });
      await scale('ignoring', 2);
      await h.client.patch(
        cmGVK,
        { namespace: NS, name: 'ignoring-cm' },
        {
          metadata: { annotations: { 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' } },
          data: { message: 'edited' },
        },
        { type: 'merge', fieldManager: 'kubectl' },
      );
      await h.requestReconcile(NS, 'ignoring');
      const hr = await waitFor('ignoring', 'Drifted=False', (x) => cond(x, 'Drifted')?.status === 'False');
      expect(cond(hr, 'Drifted')?.reason).toBe('NoDriftDetected');
      expect(await replicas('ignoring')).toBe(2);
      const cm = await h.client.get<KubeObject & { data: Record<string, string> }>(cmGVK, {
        namespace: NS,
        name: 'ignoring-cm',
      });
      expect(cm.data).toEqual({ message: 'edited' });
      expect(eventsOf('ignoring', 'DriftDetected')).toEqual([]);
    },
  );

  it(
    '--override-manager: a field only kubectl set counts as drift, and correction removes it',
    { timeout: 60_000 },
    async () => {
      await install('overridden', {});
      await h.client.patch(
        deployGVK,
        { namespace: NS, name: 'overridden' },
        { metadata: { labels: { 'added-by': 'hand' } } },
        { type: 'merge', fieldManager: 'kubectl' },
      );
      const release = {
        manifest: await h.helm(['get', 'manifest', 'overridden', '-n', NS]),
        name: 'overridden',
        namespace: NS,
      };
      const plain = await diffRelease(h.client, release, { fieldManager: 'helm-controller' });
      expect(plain.error).toBeUndefined();
      expect(summarizeDiffSet(plain.diffs)).toBe('');

      const overridden = await diffRelease(h.client, release, {
        fieldManager: 'helm-controller',
        overrideManagers: ['kubectl'],
      });
      expect(summarizeDiffSet(overridden.diffs)).toBe(
        'Deployment/drift/overridden changed (0 additions, 0 changes, 1 removals)',
      );
      const { changeSet, error } = await applyDiff(h.client, overridden.diffs, 'helm-controller');
      expect(error).toBeUndefined();
      expect(changeSet.toString()).toBe('Deployment/drift/overridden configured');
      const d = await h.client.get<Deploy>(deployGVK, { namespace: NS, name: 'overridden' });
      expect(d.metadata.labels?.['added-by']).toBeUndefined();
    },
  );

  it('disabling drift detection removes the Drifted condition', { timeout: 60_000 }, async () => {
    await h.patchSpec(NS, 'warned', { driftDetection: { mode: 'disabled' } });
    const hr = await waitFor('warned', 'no Drifted', (x) => cond(x, 'Drifted') === undefined);
    expect(cond(hr, 'Ready')?.status).toBe('True');
    expect(await replicas('warned')).toBe(3);
  });
});
