import { describe, expect, it } from 'vitest';
import type { KubeClient } from '@flux-ts/runtime';
import { fluxKindByKind } from '../shared/kinds.ts';
import type { FluxObject } from '../shared/objects.ts';
import { requestReconciliation, sourceOf } from './reconcile.ts';

function recordingClient(): { client: KubeClient; patches: unknown[] } {
  const patches: unknown[] = [];
  const client = {
    patch: (_gvk: unknown, _key: unknown, patch: unknown, opts: { type: string }) => {
      patches.push({ patch, type: opts.type });
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  return { client, patches };
}

describe('reconcile requests', () => {
  const signal = new AbortController().signal;
  const now = new Date('2024-05-01T10:00:00.5Z');

  it('merge-patches requestedAt, and forceAt/resetAt of a HelmRelease with the same timestamp', async () => {
    const { client, patches } = recordingClient();
    const hr = fluxKindByKind('HelmRelease')!;
    const ts = await requestReconciliation(client, hr, 'apps', 'podinfo', { force: true, reset: true }, now, signal);
    expect(ts).toBe('2024-05-01T10:00:00.5Z');
    expect(patches).toEqual([
      {
        type: 'merge',
        patch: {
          metadata: {
            annotations: {
              'reconcile.fluxcd.io/requestedAt': ts,
              'reconcile.fluxcd.io/forceAt': ts,
              'reconcile.fluxcd.io/resetAt': ts,
            },
          },
        },
      },
    ]);
  });

  it('sets only requestedAt on other kinds', async () => {
    const { client, patches } = recordingClient();
    await requestReconciliation(client, fluxKindByKind('Kustomization')!, 'ns', 'x', { force: true }, now, signal);
    expect(patches).toEqual([
      {
        type: 'merge',
        patch: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2024-05-01T10:00:00.5Z' } } },
      },
    ]);
  });

  it('finds the source of --with-source (sourceRef, chart sourceRef, chartRef)', () => {
    const obj = (kind: string, spec: Record<string, unknown>): FluxObject => ({
      apiVersion: 'x/v1',
      kind,
      metadata: { name: 'n', namespace: 'apps' },
      spec,
    });
    expect(
      sourceOf(obj('Kustomization', { sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-system' } })),
    ).toMatchObject({
      kind: { kind: 'GitRepository' },
      namespace: 'flux-system',
      name: 'repo',
    });
    expect(
      sourceOf(obj('HelmRelease', { chart: { spec: { sourceRef: { kind: 'HelmRepository', name: 'charts' } } } })),
    ).toMatchObject({
      kind: { kind: 'HelmRepository' },
      namespace: 'apps',
    });
    expect(sourceOf(obj('HelmRelease', { chartRef: { kind: 'OCIRepository', name: 'oci' } }))).toMatchObject({
      kind: { kind: 'OCIRepository' },
      name: 'oci',
    });
  });
});
