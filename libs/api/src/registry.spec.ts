import { describe, expect, it } from 'vitest';
import { allKinds, findKind, normalize } from './registry.ts';
import { KindValidator, validate } from './validate.ts';

const gitRepo = {
  apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
  kind: 'GitRepository',
  metadata: { name: 'podinfo', namespace: 'flux-system' },
  spec: { url: 'https://github.com/stefanprodan/podinfo', interval: '1m', gitImplementation: 'go-git' },
};

describe('registry', () => {
  it('holds the 15 Flux kinds once each', () => {
    const names = allKinds.map((d) => `${d.group}/${d.kind}`);
    expect(names).toHaveLength(15);
    expect(new Set(names).size).toBe(15);
    for (const def of allKinds) expect(def.versions.filter((v) => v.storage)).toHaveLength(1);
  });

  it('finds kinds by any served version', () => {
    expect(findKind('source.toolkit.fluxcd.io/v1', 'GitRepository')?.plural).toBe('gitrepositories');
    expect(findKind('source.toolkit.fluxcd.io/v1beta1', 'GitRepository')?.kind).toBe('GitRepository');
    expect(findKind('source.toolkit.fluxcd.io/v2', 'GitRepository')).toBeUndefined();
    expect(findKind('apps/v1', 'Deployment')).toBeUndefined();
  });

  it('reports unknown kinds and versions on kind and apiVersion', () => {
    expect(validate({ ...gitRepo, kind: 'GitRepo' }).map((e) => [e.type, e.field])).toEqual([
      ['FieldValueNotSupported', 'kind'],
    ]);
    expect(validate({ ...gitRepo, apiVersion: 'source.toolkit.fluxcd.io/v3' }).map((e) => [e.type, e.field])).toEqual([
      ['FieldValueNotSupported', 'apiVersion'],
    ]);
    expect(validate({ kind: 'GitRepository' }).map((e) => [e.type, e.field])).toEqual([
      ['FieldValueRequired', 'apiVersion'],
    ]);
  });

  it('requires metadata.name', () => {
    expect(validate({ ...gitRepo, metadata: { namespace: 'x' } })).toEqual([
      { type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' },
    ]);
    expect(validate({ ...gitRepo, metadata: { generateName: 'podinfo-' } })).toEqual([]);
  });

  it('validates with the kind schema and reuses compiled schemas', () => {
    const validator = new KindValidator();
    expect(validator.validate(gitRepo)).toEqual([]);
    const errors = validator.validate({ ...gitRepo, spec: { ...gitRepo.spec, url: 'ftp://x' } });
    expect(errors.map((e) => e.field)).toEqual(['spec.url']);
  });

  it('dispatches normalize to the kind', () => {
    const { object, warnings } = normalize(gitRepo);
    expect((object as { apiVersion: string }).apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(warnings).toContain(
      'spec.gitImplementation: ignored: go-git is the only Git implementation (libgit2 was removed)',
    );
    expect(() => normalize({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow(/no matches for kind "ConfigMap"/);
  });

  it('declares every legacy field in the schema it accepts', () => {
    for (const def of allKinds.filter((d) => d.group === 'source.toolkit.fluxcd.io')) {
      for (const field of def.legacyFields) expect(field.versions.length).toBeGreaterThan(0);
    }
  });
});
