import { describe, expect, it } from 'vitest';
import { encodeHash, goJson, hashResource } from './hash.ts';

describe('hashResource', () => {
  it('matches the suffix kustomize gives a generated ConfigMap (name does not contribute)', () => {
    // `configMapGenerator: [{name: cm, literals: [a=1]}]` is named cm-h29d89cmmt by kustomize v5.5.0
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } };
    expect(hashResource(cm)).toBe('h29d89cmmt');
    expect(hashResource({ ...cm, metadata: { name: 'other' } })).toBe('h29d89cmmt');
    expect(hashResource({ ...cm, data: { a: '2' } })).not.toBe('h29d89cmmt');
  });
  it('includes the type of a Secret', () => {
    const s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' }, type: 'Opaque' };
    expect(hashResource(s)).not.toBe(hashResource({ ...s, type: 'kubernetes.io/tls' }));
  });
});

describe('goJson', () => {
  it('sorts keys and escapes HTML characters like Go', () => {
    expect(goJson({ b: '<&>', a: 1 })).toBe('{"a":1,"b":"\\u003c\\u0026\\u003e"}');
  });
  it('maps hex digits to kustomize letters', () => {
    expect(encodeHash('0123456789abcdef')).toBe('gh2k456789');
  });
});
