import { describe, expect, it } from 'vitest';
import type { ArtifactGenerator } from '@flux-ts/api';
import { StallingError } from '@flux-ts/runtime';
import { setArtifactRevisions, validateSpec } from './reconciler.ts';
import { sourceRefKeys, sourceChanged } from './setup.ts';
import { hashObservedSources } from './sources.ts';

function generator(spec: Partial<ArtifactGenerator['spec']>): ArtifactGenerator {
  return {
    apiVersion: 'source.extensions.fluxcd.io/v1beta1',
    kind: 'ArtifactGenerator',
    metadata: { name: 'ag', namespace: 'apps' },
    spec: {
      sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo' }],
      artifacts: [{ name: 'a', copy: [{ from: '@repo/**', to: '@artifact/' }] }],
      ...spec,
    },
  };
}

function stalled(fn: () => void): { reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof StallingError) return { reason: err.reason, message: err.message };
    throw err;
  }
  throw new Error('expected a StallingError');
}

describe('validateSpec', () => {
  it('accepts a valid spec', () => {
    expect(() => validateSpec(generator({}), true)).not.toThrow();
  });

  it('refuses a cross-namespace source with --no-cross-namespace-refs (AccessDenied), allows it without', () => {
    const ag = generator({ sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo', namespace: 'other' }] });
    expect(stalled(() => validateSpec(ag, true))).toEqual({
      reason: 'AccessDenied',
      message: 'cross-namespace reference to source GitRepository/other/repo is not allowed',
    });
    expect(() => validateSpec(ag, false)).not.toThrow();
  });

  it.each([
    [
      {
        artifacts: [
          { name: 'a', copy: [{ from: '@repo/**', to: '@artifact/' }] },
          { name: 'a', copy: [{ from: '@repo/**', to: '@artifact/' }] },
        ],
      },
      "duplicate artifact name 'a' found",
    ],
    [
      { artifacts: [{ name: 'a', revision: '@nope', copy: [{ from: '@repo/**', to: '@artifact/' }] }] },
      "artifact a revision source alias 'nope' not found",
    ],
    [
      { artifacts: [{ name: 'a', copy: [{ from: '@other/**', to: '@artifact/' }] }] },
      "artifact a: invalid copy source '@other/**': source alias 'other' not found",
    ],
    [
      { artifacts: [{ name: 'a', copy: [{ from: '@repo/**', to: '@artifact/../x/' }] }] },
      "artifact a: invalid copy destination '@artifact/../x/': path '../x/' is outside the artifact root",
    ],
  ])('stalls with ValidationFailed on %j', (spec, message) => {
    expect(stalled(() => validateSpec(generator(spec), false))).toEqual({ reason: 'ValidationFailed', message });
  });
});

describe('revisions and sources', () => {
  const sources = new Map([
    ['repo', { digest: 'sha256:1', revision: 'main@sha1:abc', url: 'http://x/1' }],
    ['oci', { digest: 'sha256:2', revision: 'v1@sha256:2', url: 'http://x/2', originRevision: 'main@sha1:def' }],
  ]);
  const stored = { path: 'p', url: 'u', revision: 'latest@sha256:9', digest: 'sha256:9', size: 1, lastUpdateTime: 't' };

  it('revision: @alias takes the source revision; originRevision the origin (or the revision) as metadata', () => {
    expect(setArtifactRevisions(stored, { name: 'a', copy: [] }, sources)).toEqual(stored);
    expect(
      setArtifactRevisions(stored, { name: 'a', revision: '@repo', originRevision: '@oci', copy: [] }, sources),
    ).toEqual({
      ...stored,
      revision: 'main@sha1:abc',
      metadata: { 'org.opencontainers.image.revision': 'main@sha1:def' },
    });
    expect(setArtifactRevisions(stored, { name: 'a', originRevision: '@repo', copy: [] }, sources).metadata).toEqual({
      'org.opencontainers.image.revision': 'main@sha1:abc',
    });
  });

  it('hashes observed sources as upstream HashObservedSources, independent of order', () => {
    const reversed = new Map([...sources].reverse());
    expect(hashObservedSources(reversed)).toBe(hashObservedSources(sources));
    expect(hashObservedSources(sources)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashObservedSources(new Map([['repo', { digest: 'sha256:1', revision: 'x', url: 'http://x/1' }]]))).not.toBe(
      hashObservedSources(new Map([['repo', { digest: 'sha256:1', revision: 'y', url: 'http://x/1' }]])),
    );
  });

  it('indexes sources as <Kind>/<namespace>/<name>, defaulting the namespace', () => {
    expect(
      sourceRefKeys(
        generator({
          sources: [
            { alias: 'a', kind: 'GitRepository', name: 'r' },
            { alias: 'b', kind: 'ExternalArtifact', name: 'e', namespace: 'shared' },
          ],
        }),
      ),
    ).toEqual(['GitRepository/apps/r', 'ExternalArtifact/shared/e']);
  });

  it('a source triggers on a new artifact or revision only', () => {
    const src = (revision?: string) => ({
      apiVersion: 'v',
      kind: 'GitRepository',
      metadata: { name: 'r' },
      ...(revision ? { status: { artifact: { revision, digest: 'd' } } } : {}),
    });
    expect(sourceChanged.update?.(src(), src('a'))).toBe(true);
    expect(sourceChanged.update?.(src('a'), src('b'))).toBe(true);
    expect(sourceChanged.update?.(src('a'), src('a'))).toBe(false);
    expect(sourceChanged.update?.(src('a'), src())).toBe(false);
    expect(sourceChanged.create?.(src())).toBe(false);
  });
});
