import { describe, expect, it } from 'vitest';
import type { OCIRepository } from '@flux-ts/api';
import { ociContentConfigChanged } from './reconciler.ts';
import {
  InvalidOCIURLError,
  digestFromRevision,
  filterTags,
  parseOCIRepositoryURL,
  pickSemverTag,
  pullSecretCredentials,
  referenceString,
  resolveReference,
  selectLayer,
} from './pull.ts';

const D = `sha256:${'a'.repeat(64)}`;
const repo = (spec: Partial<OCIRepository['spec']>, status: OCIRepository['status'] = {}): OCIRepository =>
  ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: 'x', namespace: 'default' },
    spec: { url: 'oci://ghcr.io/org/app', interval: '1m', ...spec },
    status,
  }) as OCIRepository;

describe('parseOCIRepositoryURL', () => {
  it.each([
    ['oci://ghcr.io/org/app', { registry: 'ghcr.io', repository: 'org/app' }],
    ['oci://localhost:5000/app/x', { registry: 'localhost:5000', repository: 'app/x' }],
    ['oci://docker.io/stefanprodan/podinfo', { registry: 'index.docker.io', repository: 'stefanprodan/podinfo' }],
  ])('%s', (url, want) => {
    expect(parseOCIRepositoryURL(url)).toEqual(want);
  });
  it('refuses another scheme', () => {
    expect(() => parseOCIRepositoryURL('https://ghcr.io/org/app')).toThrow(
      new InvalidOCIURLError("URL must be in format 'oci://<domain>/<org>/<repo>'"),
    );
  });
});

describe('reference and revision', () => {
  const list = (tags: string[]) => () => Promise.resolve(tags);
  it('digest > semver > tag > latest', async () => {
    const tags = list(['1.0.0', '1.2.0', 'v1.1.0']);
    expect(await resolveReference(repo({ ref: { digest: D, semver: '*', tag: 't' } }), tags)).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      digest: D,
    });
    expect((await resolveReference(repo({ ref: { semver: '1.x', tag: 't' } }), tags)).tag).toBe('1.2.0');
    expect((await resolveReference(repo({ ref: { tag: 't' } }), tags)).tag).toBe('t');
    expect((await resolveReference(repo({}), tags)).tag).toBe('latest');
  });
  it('semver ignores non-versions and prereleases outside the range; the filter applies first', () => {
    const tags = ['latest', '1.0.0', '1.1.0-rc.1', 'v1.0.5', '2', 'sha-abc'];
    expect(pickSemverTag(tags, '>=1.0.0')).toBe('v1.0.5');
    expect(pickSemverTag(filterTags(tags, '^1\\.0\\.0$'), '>=1.0.0')).toBe('1.0.0');
    expect(() => pickSemverTag(tags, '>=3.0.0')).toThrow('no match found for semver: >=3.0.0');
    expect(() => pickSemverTag(tags, 'not a range')).toThrow(/^semver parse error: improper constraint/);
  });
  it('prints references and digests of revisions', () => {
    expect(referenceString({ registry: 'ghcr.io', repository: 'a/b', tag: 'v1' })).toBe('ghcr.io/a/b:v1');
    expect(referenceString({ registry: 'ghcr.io', repository: 'a/b', digest: D })).toBe(`ghcr.io/a/b@${D}`);
    expect(digestFromRevision(`v1@${D}`)).toBe(D);
    expect(digestFromRevision(D)).toBe(D);
  });
});

describe('selectLayer', () => {
  const layers = [
    { mediaType: 'a', digest: D, size: 1 },
    { mediaType: 'b', digest: D, size: 2 },
  ];
  it('first layer, or the first of the media type', () => {
    expect(selectLayer({ schemaVersion: 2, layers }, undefined).size).toBe(1);
    expect(selectLayer({ schemaVersion: 2, layers }, 'b').size).toBe(2);
  });
  it('errors as Flux', () => {
    expect(() => selectLayer({ schemaVersion: 2, layers: [] }, undefined)).toThrow('no layers found in artifact');
    expect(() => selectLayer({ schemaVersion: 2, layers }, 'c')).toThrow(
      "failed to find layer with media type 'c' in artifact",
    );
  });
});

describe('pullSecretCredentials', () => {
  it('takes the first secret with an entry for the registry, .dockercfg included', async () => {
    const cfg = (auths: object) => ({ '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })) });
    const lookup = pullSecretCredentials([
      cfg({ 'other.io': { username: 'o', password: 'p' } }),
      { '.dockercfg': Buffer.from(JSON.stringify({ 'legacy.io': { username: 'l', password: 'q' } })) },
      cfg({ 'ghcr.io': { username: 'g', password: 'r' } }),
    ]);
    expect(await lookup('ghcr.io')).toEqual({ username: 'g', password: 'r' });
    expect(await lookup('legacy.io')).toEqual({ username: 'l', password: 'q' });
    expect(await lookup('none.io')).toBeUndefined();
  });
});

describe('ociContentConfigChanged', () => {
  it('compares ignore and layerSelector with what the artifact observed', () => {
    expect(ociContentConfigChanged(repo({}))).toBe(false);
    expect(ociContentConfigChanged(repo({ ignore: 'x' }))).toBe(true);
    expect(ociContentConfigChanged(repo({ ignore: 'x' }, { observedIgnore: 'x' }))).toBe(false);
    const sel = { mediaType: 'm', operation: 'copy' as const };
    expect(ociContentConfigChanged(repo({ layerSelector: sel }, { observedLayerSelector: { ...sel } }))).toBe(false);
    expect(ociContentConfigChanged(repo({ layerSelector: sel }, { observedLayerSelector: { mediaType: 'm' } }))).toBe(
      true,
    );
    expect(ociContentConfigChanged(repo({}, { observedLayerSelector: sel }))).toBe(true);
  });
});
