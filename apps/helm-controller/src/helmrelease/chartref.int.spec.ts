// spec.chartRef to an OCIRepository and to an ExternalArtifact. The tests play source-controller: they create the
// source object and write its status (Ready, artifact URL, digest, revision) pointing at a chart tarball served by
// the harness, as an OCIRepository with `layerSelector.operation: copy` exposes a Helm chart.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArchive } from '@flux-ts/helm';
import { isAlreadyExists } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { WEB_CHART, cond, settled, startHrHarness, until } from './harness.spec-helper.ts';
import type { Cond, Hr, HrHarness } from './harness.spec-helper.ts';

const NS = 'apps';
const ociGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' };
const eaGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact' };
const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Creates (when missing) a source object and writes its status: Ready, the artifact of `files` at `revision`. */
async function publish(
  h: HrHarness,
  gvk: { apiVersion: string; kind: string },
  name: string,
  files: Record<string, string>,
  revision: (tgzDigest: string) => string,
  spec: Record<string, unknown>,
): Promise<{ revision: string; digest: string }> {
  let obj: KubeObject;
  try {
    obj = await h.client.get(gvk, { namespace: NS, name });
  } catch {
    obj = await h.client.create({ ...gvk, metadata: { name, namespace: NS }, spec } as never);
  }
  const tgz = writeArchive(
    'web',
    Object.entries(files).map(([n, t]) => ({ name: n, data: Buffer.from(t) })),
  );
  const digest = `sha256:${sha(tgz)}`;
  const path = `${gvk.kind.toLowerCase()}/${NS}/${name}/${sha(tgz).slice(0, 16)}.tar.gz`;
  const url = h.serveArtifact(path, tgz);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const generation = obj.metadata.generation ?? 1;
  const rev = revision(digest);
  await h.client.patch(
    gvk,
    { namespace: NS, name },
    {
      status: {
        observedGeneration: generation,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Succeeded',
            message: `stored artifact for digest '${rev}'`,
            lastTransitionTime: now,
            observedGeneration: generation,
          },
        ],
        artifact: { url, path, revision: rev, digest, size: tgz.length, lastUpdateTime: now },
      },
    },
    { type: 'merge', subresource: 'status' },
  );
  return { revision: rev, digest };
}

const ociSpec = {
  url: 'oci://registry.example/charts/web',
  interval: '10m',
  ref: { tag: '1.0.0' },
  layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
};
// a manifest digest: what source-controller puts after `@` in an OCIRepository revision
const manifestDigest = (seed: string): string => `sha256:${sha(`manifest ${seed}`)}`;

function readyWhere(h: HrHarness, name: string, what: string, ok: (hr: Hr) => boolean): Promise<Hr> {
  return until(`${NS}/${name} ${what}`, async () => {
    const hr = await h.getHr(NS, name);
    return ok(hr) ? hr : undefined;
  });
}
const readyFalse = (h: HrHarness, name: string, reason: string): Promise<Cond> =>
  readyWhere(h, name, `Ready=False/${reason}`, (hr) => cond(hr, 'Ready')?.reason === reason).then(
    (hr) => cond(hr, 'Ready') as Cond,
  );

describe('HelmRelease chartRef to an OCIRepository', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS]);
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  it(
    'installs the chart with the OCI digest in its version, and upgrades when the same tag is re-pushed',
    { timeout: 120_000 },
    async () => {
      const first = manifestDigest('one');
      await publish(h, ociGVK, 'web', WEB_CHART, () => `1.0.0@${first}`, ociSpec);
      await h.createHr(NS, 'web', { chartRef: { kind: 'OCIRepository', name: 'web' }, timeout: '30s' });
      const version1 = `1.0.0+${first.slice(7, 19)}`;
      const hr = await readyWhere(h, 'web', 'Ready=True', (o) => cond(o, 'Ready')?.status === 'True' && settled(o));
      expect(cond(hr, 'Ready')?.message).toBe(
        `Helm install succeeded for release apps/web.v1 with chart web@${version1}`,
      );
      expect(hr.status?.lastAttemptedRevision).toBe(version1);
      expect(hr.status).toMatchObject({ lastAttemptedRevisionDigest: first });
      expect(hr.status?.history?.[0]).toMatchObject({
        chartName: 'web',
        chartVersion: version1,
        status: 'deployed',
        ociDigest: first,
      });
      const list = JSON.parse(await h.helm(['list', '-n', NS, '-o', 'json'])) as { name: string; chart: string }[];
      expect(list).toContainEqual(expect.objectContaining({ name: 'web', chart: `web-${version1}` }));

      // the same tag pushed again with other content: a new manifest digest, so a new chart version
      const second = manifestDigest('two');
      await publish(
        h,
        ociGVK,
        'web',
        { ...WEB_CHART, 'values.yaml': 'replicas: 1\nmessage: repushed\nfail: false\nsimulate: ""\n' },
        () => `1.0.0@${second}`,
        ociSpec,
      );
      const version2 = `1.0.0+${second.slice(7, 19)}`;
      const upgraded = await readyWhere(
        h,
        'web',
        'upgraded to the re-pushed chart',
        (o) => cond(o, 'Ready')?.reason === 'UpgradeSucceeded' && o.status?.lastAttemptedRevision === version2,
      );
      expect(upgraded.status?.history?.[0]).toMatchObject({ version: 2, chartVersion: version2, ociDigest: second });
      expect(upgraded.status?.history?.[1]).toMatchObject({ version: 1, ociDigest: first });
      const values = JSON.parse(await h.helm(['get', 'values', 'web', '-n', NS, '-a', '-o', 'json'])) as {
        message: string;
      };
      expect(values.message).toBe('repushed');
    },
  );

  it('a bare digest revision also becomes the build metadata', { timeout: 90_000 }, async () => {
    const digest = manifestDigest('bare');
    await publish(h, ociGVK, 'bare', WEB_CHART, () => digest, ociSpec);
    await h.createHr(NS, 'bare', { chartRef: { kind: 'OCIRepository', name: 'bare', namespace: NS } });
    const hr = await readyWhere(h, 'bare', 'Ready=True', (o) => cond(o, 'Ready')?.status === 'True' && settled(o));
    expect(hr.status?.lastAttemptedRevision).toBe(`1.0.0+${digest.slice(7, 19)}`);
  });

  it(
    'an OCIRepository without an artifact: SourceNotReady, then installs once it has one',
    { timeout: 90_000 },
    async () => {
      await h.client.create({ ...ociGVK, metadata: { name: 'late', namespace: NS }, spec: ociSpec } as never);
      await h.createHr(NS, 'late', { chartRef: { kind: 'OCIRepository', name: 'late' } });
      const notReady = await readyFalse(h, 'late', 'SourceNotReady');
      expect(notReady.message).toBe(
        "OCIRepository 'apps/late' is not ready: latest generation of object has not been reconciled",
      );
      await publish(h, ociGVK, 'late', WEB_CHART, () => `1.0.0@${manifestDigest('late')}`, ociSpec);
      await readyWhere(h, 'late', 'Ready=True', (o) => cond(o, 'Ready')?.status === 'True' && settled(o));
    },
  );

  it('a missing OCIRepository: ArtifactFailed', { timeout: 60_000 }, async () => {
    await h.createHr(NS, 'nothing', { chartRef: { kind: 'OCIRepository', name: 'nope' } });
    const ready = await readyFalse(h, 'nothing', 'ArtifactFailed');
    expect(ready.message).toBe(
      'could not get Source object: ocirepositories.source.toolkit.fluxcd.io "nope" not found',
    );
  });

  it('a revision whose tag is not the chart version: ChartMutateError', { timeout: 60_000 }, async () => {
    await publish(h, ociGVK, 'other-tag', WEB_CHART, () => `2.0.0@${manifestDigest('x')}`, ociSpec);
    await h.createHr(NS, 'mismatch', { chartRef: { kind: 'OCIRepository', name: 'other-tag' } });
    const ready = await readyFalse(h, 'mismatch', 'ChartMutateError');
    expect(ready.message).toBe('artifact revision 2.0.0 does not match chart version 1.0.0');
  });

  it(
    'an ExternalArtifact without the ExternalArtifact feature gate: AccessDenied, stalled',
    { timeout: 60_000 },
    async () => {
      await h.createHr(NS, 'external', { chartRef: { kind: 'ExternalArtifact', name: 'web' } });
      const hr = await readyWhere(h, 'external', 'Stalled', (o) => cond(o, 'Stalled')?.status === 'True');
      const msg = "can't access 'ExternalArtifact/apps/web', ExternalArtifact feature gate is disabled";
      expect(cond(hr, 'Stalled')).toMatchObject({ reason: 'AccessDenied', message: msg });
      expect(cond(hr, 'Ready')).toMatchObject({ status: 'False', reason: 'AccessDenied', message: msg });
    },
  );
});

describe('HelmRelease chartRef with feature gates ExternalArtifact and DisableChartDigestTracking', () => {
  let h: HrHarness;
  beforeAll(async () => {
    h = await startHrHarness([NS], { featureGates: { ExternalArtifact: true, DisableChartDigestTracking: true } });
    // deploy/crds serves ExternalArtifact; where it does not, a minimal CRD stands in
    await h.client
      .create({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'externalartifacts.source.toolkit.fluxcd.io' },
        spec: {
          group: 'source.toolkit.fluxcd.io',
          names: {
            kind: 'ExternalArtifact',
            listKind: 'ExternalArtifactList',
            plural: 'externalartifacts',
            singular: 'externalartifact',
          },
          scope: 'Namespaced',
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          ],
        },
      } as never)
      .catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
  }, 120_000);
  afterAll(async () => h?.close(), 60_000);

  it(
    'installs from an ExternalArtifact, and upgrades when its artifact has a new chart version',
    { timeout: 120_000 },
    async () => {
      const spec = {
        sourceRef: { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator', name: 'gen' },
      };
      const rev = (d: string): string => `latest@${d}`;
      await until('ExternalArtifact served', async () =>
        publish(h, eaGVK, 'web', WEB_CHART, rev, spec).then(
          () => true,
          () => false,
        ),
      );
      await h.createHr(NS, 'from-ea', { chartRef: { kind: 'ExternalArtifact', name: 'web' }, timeout: '30s' });
      const hr = await readyWhere(h, 'from-ea', 'Ready=True', (o) => cond(o, 'Ready')?.status === 'True' && settled(o));
      expect(cond(hr, 'Ready')?.message).toBe(
        'Helm install succeeded for release apps/from-ea.v1 with chart web@1.0.0',
      );
      expect(hr.status).not.toHaveProperty('lastAttemptedRevisionDigest');
      expect(hr.status?.history?.[0]).not.toHaveProperty('ociDigest');

      await publish(
        h,
        eaGVK,
        'web',
        { ...WEB_CHART, 'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.1\nappVersion: "1.0"\n' },
        rev,
        spec,
      );
      await readyWhere(
        h,
        'from-ea',
        'upgraded',
        (o) => cond(o, 'Ready')?.reason === 'UpgradeSucceeded' && o.status?.history?.[0]?.['version'] === 2,
      );
    },
  );

  it('DisableChartDigestTracking keeps the chart version of an OCIRepository chart', { timeout: 90_000 }, async () => {
    const digest = manifestDigest('kept');
    await publish(h, ociGVK, 'web', WEB_CHART, () => `1.0.0@${digest}`, ociSpec);
    await h.createHr(NS, 'plain', { chartRef: { kind: 'OCIRepository', name: 'web' } });
    const hr = await readyWhere(h, 'plain', 'Ready=True', (o) => cond(o, 'Ready')?.status === 'True' && settled(o));
    expect(hr.status?.lastAttemptedRevision).toBe('1.0.0');
    expect(hr.status).toMatchObject({ lastAttemptedRevisionDigest: digest });
  });
});
