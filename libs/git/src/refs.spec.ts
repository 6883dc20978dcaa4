import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from './errors.ts';
import { formatRevision, normaliseRevision, parseConstraint, parseTagVersion, resolveRef } from './refs.ts';
import type { RemoteRef } from './refs.ts';

const sha = (c: string): string => c.repeat(40);
const refs: RemoteRef[] = [
  { ref: 'HEAD', oid: sha('a'), target: 'refs/heads/main' },
  { ref: 'refs/heads/main', oid: sha('a') },
  { ref: 'refs/heads/master', oid: sha('b') },
  { ref: 'refs/pull/4/head', oid: sha('c') },
  { ref: 'refs/tags/v1.0.0', oid: sha('d') },
  { ref: 'refs/tags/v1.2.0', oid: sha('e'), peeled: sha('1') },
  { ref: 'refs/tags/1.10.0', oid: sha('f') },
  { ref: 'refs/tags/v2.0.0-rc.1', oid: sha('2') },
  { ref: 'refs/tags/v2', oid: sha('3') },
  { ref: 'refs/tags/latest', oid: sha('4') },
];

describe('resolveRef', () => {
  it('defaults to the master branch', () => {
    expect(resolveRef(refs)).toMatchObject({
      kind: 'branch',
      refName: 'refs/heads/master',
      revisionName: 'master',
      commit: sha('b'),
    });
  });

  it('applies the precedence commit > name > semver > tag > branch', () => {
    const all = { branch: 'main', tag: 'v1.0.0', semver: '1.x', name: 'refs/pull/4/head', commit: sha('9') };
    expect(resolveRef(refs, all).kind).toBe('commit');
    expect(resolveRef(refs, { ...all, commit: undefined }).kind).toBe('name');
    expect(resolveRef(refs, { ...all, commit: undefined, name: undefined }).kind).toBe('semver');
    expect(resolveRef(refs, { branch: 'main', tag: 'v1.0.0' }).kind).toBe('tag');
  });

  it('peels annotated tags and keeps the tag object', () => {
    expect(resolveRef(refs, { tag: 'v1.2.0' })).toMatchObject({
      commit: sha('1'),
      tagObject: sha('e'),
      revisionName: 'v1.2.0',
    });
    expect(resolveRef(refs, { name: 'refs/tags/v1.2.0' })).toMatchObject({
      commit: sha('1'),
      revisionName: 'refs/tags/v1.2.0',
    });
  });

  it('picks the highest matching semver tag, with or without a leading v', () => {
    expect(resolveRef(refs, { semver: '1.x' }).revisionName).toBe('1.10.0');
    expect(resolveRef(refs, { semver: '>=1.0.0, <1.5.0' }).revisionName).toBe('v1.2.0');
    expect(resolveRef(refs, { semver: '*' }).revisionName).toBe('v2');
    expect(resolveRef(refs, { semver: '>=2.0.0-0, <2.0.0-rc.2' }).revisionName).toBe('v2.0.0-rc.1');
    // Masterminds v3.3.0 (what helm 3.18 renders, libs/semver's table): `<2.0.0` names no prerelease, so it
    // excludes v2.0.0-rc.1 even next to `>=2.0.0-0`.
    expect(() => resolveRef(refs, { semver: '>=2.0.0-0 <2.0.0' })).toThrow(NotFoundError);
    expect(() => resolveRef(refs, { semver: '>=3' })).toThrow(NotFoundError);
    expect(() => resolveRef(refs, { semver: 'not a range !!' })).toThrow(InvalidInputError);
    expect(() => resolveRef(refs, { semver: '>= a.b' })).toThrow('semver parse error: improper constraint: >= a.b');
  });

  it('keeps a branch with a commit for the revision name and needs full shas', () => {
    expect(resolveRef([], { branch: 'main', commit: sha('9') })).toMatchObject({
      refName: 'refs/heads/main',
      revisionName: 'main',
    });
    expect(resolveRef([], { commit: sha('9') })).toMatchObject({ refName: '', revisionName: '' });
    expect(() => resolveRef([], { commit: 'abc123' })).toThrow(InvalidInputError);
  });

  it('requires full ref names and reports missing refs', () => {
    expect(resolveRef(refs, { name: 'refs/pull/4/head' })).toMatchObject({
      commit: sha('c'),
      revisionName: 'refs/pull/4/head',
    });
    expect(() => resolveRef(refs, { name: 'main' })).toThrow(InvalidInputError);
    expect(() => resolveRef(refs, { name: 'refs/pull/5/head' })).toThrow(NotFoundError);
    expect(() => resolveRef(refs, { branch: 'nope' })).toThrow(/refs\/heads\/nope/);
  });
});

describe('versions and revisions', () => {
  it('parses tags as fluxcd/pkg version.ParseVersion: strict semver after an optional v', () => {
    expect(parseTagVersion('v1.2.3')?.version).toBe('1.2.3');
    expect(parseTagVersion('1.2.3')?.version).toBe('1.2.3');
    expect(parseTagVersion('v1.2.3-rc.1+build.5')?.version).toBe('1.2.3-rc.1');
    for (const notAVersion of ['v1.2', '3', 'v01.2.3', 'release-1', 'vv1.2.3'])
      expect(parseTagVersion(notAVersion), notAVersion).toBeNull();
  });

  it('excludes prereleases unless the constraint names one', () => {
    expect(parseConstraint('>=1.0.0').test('2.0.0-rc.1')).toBe(false);
    expect(parseConstraint('>=1.0.0-0').test('2.0.0-rc.1')).toBe(true);
    expect(parseConstraint('>=1.0.0').test('not-a-version')).toBe(false);
  });

  it('normalises legacy revisions', () => {
    expect(normaliseRevision(`main/${sha('a')}`)).toBe(`main@sha1:${sha('a')}`);
    expect(normaliseRevision(`feature/x/${sha('a')}`)).toBe(`feature/x@sha1:${sha('a')}`);
    expect(normaliseRevision(sha('a'))).toBe(`sha1:${sha('a')}`);
    expect(normaliseRevision(`main@sha1:${sha('a')}`)).toBe(`main@sha1:${sha('a')}`);
  });

  it('formats revisions as Flux does', () => {
    expect(formatRevision('main', sha('a'))).toBe(`main@sha1:${sha('a')}`);
    expect(formatRevision('', sha('a'))).toBe(`sha1:${sha('a')}`);
  });
});
