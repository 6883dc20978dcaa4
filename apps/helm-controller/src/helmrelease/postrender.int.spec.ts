import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '@flux-ts/runtime';
import { WEB_CHART, cond, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Hr, HrHarness } from './harness.spec-helper.ts';
import { commonMetadataDigest, postRenderersDigest } from './postrender.ts';
import type { PostRendererSpec } from './postrender.ts';

const NS = 'rendered';
const chartRef = { kind: 'HelmChart', name: 'web', namespace: 'flux-system' };
type Deploy = KubeObject & {
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
};

/** The web chart with a pre-install hook ConfigMap. */
const HOOKED_CHART: Record<string, string> = {
  ...WEB_CHART,
  'templates/hook.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hook
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
data:
  ran: "yes"
`,
};

describe('HelmRelease post-renderers and commonMetadata against the API server, with the helm CLI as judge', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS]);
    await h.serveChart('flux-system', 'web', HOOKED_CHART, true);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  }, 60_000);

  const waitFor = (name: string, what: string, ok: (hr: Hr) => boolean): Promise<Hr> =>
    until(`${NS}/${name}: ${what}`, async () => {
      const hr = await h.getHr(NS, name);
      return ok(hr) && settled(hr) ? hr : undefined;
    });
  const deployment = () =>
    h.client.get<Deploy>({ apiVersion: 'apps/v1', kind: 'Deployment' }, { namespace: NS, name: 'web' });
  const configMap = (name: string) => h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: NS, name });

  const postRenderers: PostRendererSpec[] = [
    {
      kustomize: {
        patches: [
          { patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n' },
          {
            patch: '- op: add\n  path: /metadata/annotations\n  value:\n    patched: json6902\n',
            target: { kind: 'ConfigMap', name: 'web-cm' },
          },
        ],
        images: [{ name: 'nginx', newTag: '1.28' }],
      },
    },
  ];

  it(
    'applies patches, images, commonMetadata and origin labels to the cluster objects and the release manifest',
    { timeout: 90_000 },
    async () => {
      await h.createHr(NS, 'web', {
        chartRef,
        postRenderers,
        commonMetadata: { labels: { team: 'platform' }, annotations: { owner: 'ops' } },
      });
      const hr = await waitFor('web', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
      expect(cond(hr, 'Ready')?.message).toBe(
        'Helm install succeeded for release rendered/web.v1 with chart web@1.0.0',
      );
      const status = hr.status as Record<string, unknown>;
      expect(status['observedPostRenderersDigest']).toBe(postRenderersDigest(postRenderers));
      expect(status['observedCommonMetadataDigest']).toBe(
        commonMetadataDigest({ labels: { team: 'platform' }, annotations: { owner: 'ops' } }),
      );

      const d = await deployment();
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.template.spec.containers[0]?.image).toBe('nginx:1.28');
      expect(d.metadata.labels).toMatchObject({
        team: 'platform',
        'helm.toolkit.fluxcd.io/name': 'web',
        'helm.toolkit.fluxcd.io/namespace': NS,
        'app.kubernetes.io/managed-by': 'Helm',
      });
      expect(d.metadata.annotations).toMatchObject({ owner: 'ops', 'meta.helm.sh/release-name': 'web' });
      expect((await configMap('web-cm')).metadata.annotations).toMatchObject({ patched: 'json6902', owner: 'ops' });

      const manifest = await h.helm(['get', 'manifest', 'web', '-n', NS]);
      expect(manifest).toContain('# Source: web/templates/deploy.yaml');
      expect(manifest).toContain('replicas: 2');
      expect(manifest).toContain('image: nginx:1.28');
      expect(manifest).toContain('team: platform');
      expect(manifest).toContain('helm.toolkit.fluxcd.io/name: web');
      expect(manifest).not.toContain('postrender-filename');
      // combined (the default strategy): the hook went through the post-renderers too
      const hooks = await h.helm(['get', 'hooks', 'web', '-n', NS]);
      expect(hooks).toContain('name: web-hook');
      expect(hooks).toContain('helm.toolkit.fluxcd.io/namespace: rendered');
    },
  );

  it(
    'upgrades when only commonMetadata changes, and again when only the post-renderers change',
    { timeout: 90_000 },
    async () => {
      await h.patchSpec(NS, 'web', { commonMetadata: { labels: { team: 'apps' }, annotations: null } });
      let hr = await waitFor('web', 'upgraded to v2', (x) =>
        (cond(x, 'Ready')?.message ?? '').startsWith('Helm upgrade succeeded for release rendered/web.v2'),
      );
      expect((hr.status as Record<string, unknown>)['observedCommonMetadataDigest']).toBe(
        commonMetadataDigest({ labels: { team: 'apps' } }),
      );
      const d = await deployment();
      expect(d.metadata.labels?.['team']).toBe('apps');
      expect(d.metadata.annotations?.['owner']).toBeUndefined();

      await h.patchSpec(NS, 'web', { postRenderers: [{ kustomize: { images: [{ name: 'nginx', newTag: '1.29' }] } }] });
      hr = await waitFor('web', 'upgraded to v3', (x) =>
        (cond(x, 'Ready')?.message ?? '').startsWith('Helm upgrade succeeded for release rendered/web.v3'),
      );
      expect((await deployment()).spec.template.spec.containers[0]?.image).toBe('nginx:1.29');
      const history = JSON.parse(await h.helm(['history', 'web', '-n', NS, '-o', 'json'])) as { revision: number }[];
      expect(history.map((r) => r.revision)).toEqual([1, 2, 3]);

      // nothing changed: a further reconcile makes no release
      await h.requestReconcile(NS, 'web');
      const after = JSON.parse(await h.helm(['history', 'web', '-n', NS, '-o', 'json'])) as unknown[];
      expect(after).toHaveLength(3);
    },
  );

  it("a post-renderer that fails gives Ready=False with helm's post-render error", { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'broken', {
      chartRef,
      postRenderers: [
        { kustomize: { patches: [{ patch: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: absent\n' }] } },
      ],
    });
    const hr = await until(`${NS}/broken: Ready=False`, async () => {
      const x = await h.getHr(NS, 'broken');
      return cond(x, 'Ready')?.status === 'False' ? x : undefined;
    });
    expect(cond(hr, 'Ready')?.message).toContain('error while running post render on files');
  });
});
