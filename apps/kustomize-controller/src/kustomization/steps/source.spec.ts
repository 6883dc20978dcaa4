// The source step alone, table-tested against a reader, as upstream tests each sub-reconciler.
import { describe, expect, it } from 'vitest';
import { ApiError, Result, StallingError, WaitingError, newLogger } from '@flux-ts/runtime';
import type { KubeClient, KubeObject, LoopContext, ObjectReader } from '@flux-ts/runtime';
import { newKustomizationState } from '../state.ts';
import type { KustomizationObject } from '../state.ts';
import { reconcileSource } from './source.ts';

const ks = (sourceRef: { kind: string; name: string; namespace?: string | undefined }): KustomizationObject =>
  ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'app', namespace: 'team', generation: 1 },
    spec: { interval: '5m', retryInterval: '20s', prune: true, sourceRef },
  }) as unknown as KustomizationObject;

const reader = (objects: Record<string, KubeObject>): ObjectReader => ({
  get: async <T>(gvk: { kind: string }, key: { namespace?: string; name: string }): Promise<T> => {
    const o = objects[`${gvk.kind}/${key.namespace}/${key.name}`];
    if (!o) throw new ApiError(`${gvk.kind} "${key.name}" not found`, { status: 404, reason: 'NotFound' });
    return structuredClone(o) as T;
  },
});

const repo = (artifact?: Record<string, string>): KubeObject =>
  ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'repo', namespace: 'team' },
    status: artifact ? { artifact } : {},
  }) as KubeObject;

const ARTIFACT = { url: 'http://source-controller/a.tar.gz', revision: 'main@sha1:abc', digest: 'sha256:0' };

describe('reconcileSource', () => {
  it.each([
    {
      name: 'resolves the artifact and its revision',
      ref: { kind: 'GitRepository', name: 'repo' },
      objects: { 'GitRepository/team/repo': repo(ARTIFACT) },
      want: { revision: 'main@sha1:abc' },
    },
    {
      name: 'waits for a missing source (ArtifactFailed, retryInterval)',
      ref: { kind: 'GitRepository', name: 'nope' },
      objects: {},
      error: new WaitingError("Source 'GitRepository/team/nope' not found", 'ArtifactFailed', 20_000),
    },
    {
      name: 'waits for a source without an artifact',
      ref: { kind: 'GitRepository', name: 'repo' },
      objects: { 'GitRepository/team/repo': repo() },
      error: new WaitingError('Source is not ready, artifact not found', 'ArtifactFailed', 20_000),
    },
    {
      name: 'stalls on a kind it cannot read',
      ref: { kind: 'HelmRepository', name: 'repo' },
      objects: {},
      error: new StallingError("source 'HelmRepository' kind is not supported", 'ArtifactFailed'),
    },
    {
      name: 'stalls on a cross-namespace reference with --no-cross-namespace-refs',
      ref: { kind: 'GitRepository', name: 'repo', namespace: 'other' },
      objects: {},
      noCrossNamespaceRefs: true,
      error: new StallingError(
        'cannot access GitRepository/other/repo, cross-namespace references have been disabled',
        'AccessDenied',
      ),
    },
  ])('$name', async ({ ref, objects, want, error, noCrossNamespaceRefs }) => {
    const obj = ks(ref);
    const log = newLogger({ level: 'silent' });
    const ctx = {
      log,
      signal: new AbortController().signal,
      reconcileID: 'r',
      observed: obj,
    } as unknown as LoopContext<KustomizationObject>;
    const state = newKustomizationState(
      obj,
      {
        client: {} as KubeClient,
        reader: reader(objects as Record<string, KubeObject>),
        noCrossNamespaceRefs: noCrossNamespaceRefs ?? false,
      },
      ctx,
      {},
    );
    if (error) {
      const got = await reconcileSource(obj, state).catch((e: unknown) => e);
      expect(got).toBeInstanceOf(error.constructor);
      expect(got).toMatchObject({ message: error.message, reason: error.reason });
      if (error instanceof WaitingError) expect((got as WaitingError).requeueAfter).toBe(error.requeueAfter);
      return;
    }
    expect(await reconcileSource(obj, state)).toBe(Result.Success);
    expect(state.revision).toBe(want?.revision);
    expect(state.artifact).toEqual(ARTIFACT);
  });
});
