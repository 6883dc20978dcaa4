import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import type { Chart } from '@flux-ts/helm';
import { ApiError, GenericError, StallingError, WaitingError } from '@flux-ts/runtime';
import type { ObjectReader } from '@flux-ts/runtime';
import { getReadySource, mutateChartWithSourceRevision, sourceNotReadyMessage } from './chart.ts';
import type { HelmChartObject } from './chart.ts';
import { helmReleaseSteps } from './reconciler.ts';
import type { HelmReleaseState } from './reconciler.ts';

const hex = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const chart = (version: string): Chart => ({ metadata: { name: 'web', version } }) as unknown as Chart;
const artifact = (revision: string) => ({
  url: 'http://x/a.tgz',
  path: 'a.tgz',
  revision,
  digest: `sha256:${hex}`,
  lastUpdateTime: '2026-01-01T00:00:00Z',
});

describe('mutateChartWithSourceRevision (helm-controller)', () => {
  it.each([
    ['a <tag>@<digest> revision', `1.0.0@sha256:${hex}`, '1.0.0', '1.0.0+a1b2c3d4e5f6'],
    ['a bare digest', `sha256:${hex}`, '1.0.0', '1.0.0+a1b2c3d4e5f6'],
    [
      'a tag with _ for +, replacing existing metadata',
      `1.2.3_build.1@sha256:${hex}`,
      '1.2.3+build.1',
      '1.2.3+a1b2c3d4e5f6',
    ],
    ['a prerelease', `2.0.0-rc.1@sha256:${hex}`, '2.0.0-rc.1', '2.0.0-rc.1+a1b2c3d4e5f6'],
  ])('puts the first 12 digest digits into the version of an OCIRepository chart: %s', (_, revision, version, want) => {
    const c = chart(version);
    const digest = mutateChartWithSourceRevision(c, { kind: 'OCIRepository', artifact: artifact(revision) });
    expect(c.metadata.version).toBe(want);
    expect(digest).toBe(`sha256:${hex}`);
  });

  it('keeps the version with DisableChartDigestTracking, and still returns the digest', () => {
    const c = chart('1.0.0');
    const digest = mutateChartWithSourceRevision(
      c,
      { kind: 'OCIRepository', artifact: artifact(`1.0.0@sha256:${hex}`) },
      true,
    );
    expect(c.metadata.version).toBe('1.0.0');
    expect(digest).toBe(`sha256:${hex}`);
  });

  it('leaves charts of other sources alone and returns no digest', () => {
    const c = chart('1.0.0');
    expect(mutateChartWithSourceRevision(c, { kind: 'HelmChart', artifact: artifact('1.0.0') })).toBe('');
    expect(mutateChartWithSourceRevision(c, { kind: 'ExternalArtifact', artifact: artifact(`x@sha256:${hex}`) })).toBe(
      '',
    );
    expect(c.metadata.version).toBe('1.0.0');
  });

  it.each([
    [`2.0.0@sha256:${hex}`, 'artifact revision 2.0.0 does not match chart version 1.0.0'],
    [`latest@sha256:${hex}`, 'failed parsing artifact revision latest'],
    ['1.0.0@sha256:abc', 'invalid artifact revision sha256:abc'],
    ['sha256', 'invalid artifact revision sha256'],
  ])('refuses revision %s: ChartMutateError', (revision, message) => {
    let err: unknown;
    try {
      mutateChartWithSourceRevision(chart('1.0.0'), { kind: 'OCIRepository', artifact: artifact(revision) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GenericError);
    expect(err).toMatchObject({ reason: 'ChartMutateError', message });
  });
});

const source = (status: HelmChartObject['status'], generation = 2): HelmChartObject => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'OCIRepository',
  metadata: { name: 'web', namespace: 'apps', generation },
  spec: {},
  ...(status ? { status } : {}),
});
const ready = (status: string, message = 'm') => ({ type: 'Ready', status, reason: 'R', message });

describe('sourceNotReadyMessage (helm-controller isReady)', () => {
  it.each([
    ['ready with an artifact', source({ observedGeneration: 2, artifact: artifact('r') }), undefined],
    [
      'a generation not reconciled yet',
      source({ observedGeneration: 1, artifact: artifact('r') }),
      "OCIRepository 'apps/web' is not ready: latest generation of object has not been reconciled",
    ],
    [
      'a generation that failed',
      source({ observedGeneration: 1, conditions: [ready('False', 'pull failed')] }),
      "OCIRepository 'apps/web' is not ready: pull failed",
    ],
    [
      'stalled',
      source({
        observedGeneration: 2,
        conditions: [{ type: 'Stalled', status: 'True', reason: 'X', message: 'bad url' }],
      }),
      "OCIRepository 'apps/web' is not ready: bad url",
    ],
    [
      'without an artifact',
      source({ observedGeneration: 2 }),
      "OCIRepository 'apps/web' is not ready: does not have an artifact",
    ],
  ])('%s', (_, obj, want) => {
    expect(sourceNotReadyMessage('OCIRepository', obj)).toBe(want);
  });

  it('an ExternalArtifact has no observedGeneration: its Ready and its artifact decide', () => {
    expect(sourceNotReadyMessage('ExternalArtifact', source({ artifact: artifact('r') }))).toBeUndefined();
    expect(sourceNotReadyMessage('ExternalArtifact', source({ conditions: [ready('False', 'building')] }))).toBe(
      "ExternalArtifact 'apps/web' is not ready: building",
    );
    expect(sourceNotReadyMessage('ExternalArtifact', source({}))).toBe(
      "ExternalArtifact 'apps/web' is not ready: does not have an artifact",
    );
  });
});

const hr = (chartRef: HelmRelease['spec']['chartRef']): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'rel', namespace: 'apps' },
    spec: { interval: '5m', chartRef },
  }) as HelmRelease;
const reader = (objects: Record<string, HelmChartObject>): ObjectReader & { reads: string[] } => {
  const reads: string[] = [];
  return {
    reads,
    get: async <T>(gvk: { kind: string }, key: { namespace?: string; name: string }) => {
      const id = `${gvk.kind}/${key.namespace ?? ''}/${key.name}`;
      reads.push(id);
      const o = objects[id];
      if (!o) throw new ApiError('not found', { status: 404, reason: 'NotFound' });
      return o as T;
    },
  } as ObjectReader & { reads: string[] };
};
const signal = new AbortController().signal;

describe('getReadySource (helm-controller getSource)', () => {
  const ok = source({ observedGeneration: 2, artifact: artifact(`1.0.0@sha256:${hex}`) });

  it('reads the OCIRepository of chartRef at source.toolkit.fluxcd.io/v1, in the HelmRelease namespace by default', async () => {
    const r = reader({ 'OCIRepository/apps/web': ok });
    await expect(
      getReadySource(
        r,
        hr({ kind: 'OCIRepository', name: 'web', apiVersion: 'source.toolkit.fluxcd.io/v1beta2' }),
        1000,
        signal,
      ),
    ).resolves.toEqual({ kind: 'OCIRepository', namespace: 'apps', name: 'web', artifact: ok.status?.artifact });
    expect(r.reads).toEqual(['OCIRepository/apps/web']);
  });

  it('a missing source: ArtifactFailed with the resource name', async () => {
    const err = await getReadySource(
      reader({}),
      hr({ kind: 'OCIRepository', name: 'web', namespace: 'other' }),
      1000,
      signal,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenericError);
    expect(err).toMatchObject({
      reason: 'ArtifactFailed',
      message: 'could not get Source object: ocirepositories.source.toolkit.fluxcd.io "web" not found',
    });
  });

  it('a source not ready: SourceNotReady, waiting the interval', async () => {
    const r = reader({ 'OCIRepository/apps/web': source({ observedGeneration: 2 }) });
    const err = await getReadySource(r, hr({ kind: 'OCIRepository', name: 'web' }), 1234, signal).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WaitingError);
    expect(err).toMatchObject({ reason: 'SourceNotReady', requeueAfter: 1234 });
  });

  it('a HelmChart (chartRef or template) as any other source: read from the reader, SourceNotReady until isReady', async () => {
    const r = reader({
      'HelmChart/apps/web': source({ observedGeneration: 1 }),
      'HelmChart/flux-system/apps-rel': ok,
    });
    const err = await getReadySource(r, hr({ kind: 'HelmChart', name: 'web' }), 1000, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitingError);
    expect(err).toMatchObject({
      reason: 'SourceNotReady',
      message: "HelmChart 'apps/web' is not ready: latest generation of object has not been reconciled",
    });
    const templated = {
      ...hr(undefined),
      spec: {
        interval: '5m',
        chart: {
          spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'repo', namespace: 'flux-system' } },
        },
      },
    } as HelmRelease;
    await expect(getReadySource(r, templated, 1000, signal)).resolves.toMatchObject({
      kind: 'HelmChart',
      namespace: 'flux-system',
      name: 'apps-rel',
    });
    expect(r.reads).toEqual(['HelmChart/apps/web', 'HelmChart/flux-system/apps-rel']);
    // the template's HelmChart was just written: that generation has no artifact, whatever the cache still shows
    const written = await getReadySource(r, templated, 1000, signal, { written: true }).catch((e: unknown) => e);
    expect(written).toMatchObject({
      reason: 'SourceNotReady',
      message: "HelmChart 'flux-system/apps-rel' is not ready: latest generation of object has not been reconciled",
    });
    expect(r.reads).toHaveLength(2);
  });

  it('an ExternalArtifact needs the ExternalArtifact feature gate', async () => {
    const r = reader({ 'ExternalArtifact/apps/web': ok });
    const denied = await getReadySource(r, hr({ kind: 'ExternalArtifact', name: 'web' }), 1000, signal).catch(
      (e: unknown) => e,
    );
    expect(denied).toBeInstanceOf(StallingError);
    expect(denied).toMatchObject({
      reason: 'AccessDenied',
      message: "can't access 'ExternalArtifact/apps/web', ExternalArtifact feature gate is disabled",
    });
    expect(r.reads).toEqual([]);
    await expect(
      getReadySource(r, hr({ kind: 'ExternalArtifact', name: 'web' }), 1000, signal, { allowExternalArtifact: true }),
    ).resolves.toMatchObject({ kind: 'ExternalArtifact', name: 'web' });
  });
});

describe('--no-cross-namespace-refs (helm-controller acl.AllowsAccessTo)', () => {
  const step = helmReleaseSteps.find((s) => s.name === 'reconcileChart');
  const run = (obj: HelmRelease, noCrossNamespaceRefs: boolean): Promise<unknown> => {
    const r = reader({ 'HelmChart/apps/web': source({ observedGeneration: 1 }) });
    const state = { opts: { client: r, reader: r, noCrossNamespaceRefs }, ctx: { signal }, interval: 1000 };
    return step!.run(obj, state as unknown as HelmReleaseState).catch((e: unknown) => e);
  };

  it('refuses a chartRef or a chart template in another namespace, AccessDenied and stalled, before any write', async () => {
    const other = await run(hr({ kind: 'OCIRepository', name: 'web', namespace: 'flux-system' }), true);
    expect(other).toBeInstanceOf(StallingError);
    expect(other).toMatchObject({
      reason: 'AccessDenied',
      message: 'cross-namespace references are not allowed: cannot access OCIRepository flux-system/web',
    });
    const templated = {
      ...hr(undefined),
      spec: {
        interval: '5m',
        chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'repo', namespace: 'infra' } } },
      },
    } as HelmRelease;
    await expect(run(templated, true)).resolves.toMatchObject({
      message: 'cross-namespace references are not allowed: cannot access HelmChart infra/apps-rel',
    });
    // the same namespace, or the flag off: the source is read as usual
    await expect(run(hr({ kind: 'HelmChart', name: 'web' }), true)).resolves.toMatchObject({
      reason: 'SourceNotReady',
    });
    await expect(run(hr({ kind: 'HelmChart', name: 'web', namespace: 'other' }), false)).resolves.toMatchObject({
      reason: 'ArtifactFailed',
    });
  });
});
