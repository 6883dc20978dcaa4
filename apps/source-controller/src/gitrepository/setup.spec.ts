import { describe, expect, it } from 'vitest';
import { artifactChanged, includedRepositoryKeys } from './setup.ts';

const repo = (name: string, extra: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name, namespace: 'apps' },
    spec: { url: 'https://x/y', interval: '1m' },
    ...extra,
  }) as Parameters<typeof includedRepositoryKeys>[0];

describe('include watch', () => {
  it('indexes the included repositories by namespace/name, once each', () => {
    const obj = repo('app', {
      spec: {
        url: 'https://x/y',
        interval: '1m',
        include: [
          { repository: { name: 'lib' } },
          { repository: { name: 'lib' }, toPath: 'b' },
          { repository: { name: 'c' } },
        ],
      },
    });
    expect(includedRepositoryKeys(obj)).toEqual(['apps/lib', 'apps/c']);
    expect(includedRepositoryKeys(repo('plain'))).toEqual([]);
  });

  it('passes only artifact changes of an included repository', () => {
    const a = repo('lib', {
      status: { artifact: { path: 'p', url: 'u', revision: 'main@sha1:1', digest: 'sha256:1' } },
    });
    const b = repo('lib', {
      status: { artifact: { path: 'p', url: 'u', revision: 'main@sha1:2', digest: 'sha256:2' } },
    });
    const conditionsOnly = repo('lib', { status: { ...a.status, conditions: [] } });
    expect(artifactChanged.update!(a, b)).toBe(true);
    expect(artifactChanged.update!(a, conditionsOnly)).toBe(false);
    expect(artifactChanged.create!(a)).toBe(true);
  });
});
