import { describe, expect, it } from 'vitest';
import { canonicalJson, fnv1a32, podTemplateHash, safeEncodeString } from './hash.ts';

describe('pod-template-hash', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32(new Uint8Array([0x61]))).toBe(0xe40c292c);
  });

  it('SafeEncodeString maps decimal digits as Kubernetes does', () => {
    // rand.SafeEncodeString over fmt.Sprint(uint32): the hashes of a real cluster use only these ten characters
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[2,{"x":0,"y":1}]},"b":1}',
    );
  });

  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };

  it('is stable for a template whatever its key order, and looks like a real pod-template-hash', () => {
    const reordered = {
      spec: { containers: [{ image: 'nginx:1', name: 'web' }] },
      metadata: { labels: { app: 'web' } },
    };
    expect(podTemplateHash(reordered)).toBe(podTemplateHash(template));
    expect(podTemplateHash(template)).toMatch(/^[456789bcdf]{1,10}$/);
  });

  it('changes with the template and with the collision count', () => {
    const other = { ...template, spec: { containers: [{ name: 'web', image: 'nginx:2' }] } };
    expect(podTemplateHash(other)).not.toBe(podTemplateHash(template));
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template));
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template, 2));
  });
});
