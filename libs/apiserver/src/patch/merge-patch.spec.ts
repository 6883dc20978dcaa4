import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.ts';
import { PatchError } from './errors.ts';

describe('applyMergePatch (RFC 7386)', () => {
  // cases from RFC 7386 appendix A
  const cases: { name: string; target: unknown; patch: unknown; want: unknown }[] = [
    { name: 'replace value', target: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'add key', target: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
    { name: 'null deletes', target: { a: 'b' }, patch: { a: null }, want: {} },
    { name: 'null deletes only that key', target: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
    { name: 'lists replace', target: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'scalar becomes list', target: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
    {
      name: 'nested merge with null',
      target: { a: { b: 'c' } },
      patch: { a: { b: 'd', c: null } },
      want: { a: { b: 'd' } },
    },
    { name: 'list of objects replaced wholesale', target: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
    {
      name: 'nulls inside new object dropped',
      target: {},
      patch: { a: { bb: { ccc: null } } },
      want: { a: { bb: {} } },
    },
    {
      name: 'kubectl label-style',
      target: { metadata: { labels: { a: '1' } } },
      patch: { metadata: { labels: { b: '2' } } },
      want: { metadata: { labels: { a: '1', b: '2' } } },
    },
  ];
  it.each(cases)('$name', ({ target, patch, want }) => {
    expect(applyMergePatch(target, patch)).toEqual(want);
  });

  it('rejects a non-object patch with 400', () => {
    expect(() => applyMergePatch({}, [1])).toThrow(PatchError);
    try {
      applyMergePatch({}, 'x');
    } catch (e) {
      expect((e as PatchError).status).toBe(400);
    }
  });

  it('treats __proto__ and constructor as plain keys and leaves Object.prototype alone', () => {
    const out = applyMergePatch(
      JSON.parse('{"a":1,"__proto__":{"keep":1}}') as unknown,
      JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}') as unknown,
    ) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe(
      '{"a":1,"__proto__":{"keep":1,"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
    );
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
