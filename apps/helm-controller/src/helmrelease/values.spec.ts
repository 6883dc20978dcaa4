import { describe, expect, it } from 'vitest';
import { ApiError } from '@flux-ts/runtime';
import type { GroupVersionKind, KubeObject, ObjectKey, ObjectReader } from '@flux-ts/runtime';
import { composeValues, digestValues } from './values.ts';

/** An in-memory reader of ConfigMaps and Secrets that counts its reads. */
function reader(objects: Record<string, Record<string, string>>): ObjectReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    get: async <T extends KubeObject = KubeObject>(gvk: GroupVersionKind, key: ObjectKey): Promise<T> => {
      const id = `${gvk.kind}/${key.name}`;
      reads.push(id);
      const data = objects[id];
      if (data === undefined)
        throw new ApiError(`${gvk.kind.toLowerCase()}s "${key.name}" not found`, { status: 404, reason: 'NotFound' });
      return {
        apiVersion: 'v1',
        kind: gvk.kind,
        metadata: { name: key.name, namespace: key.namespace ?? '' },
        data,
      } as unknown as T;
    },
  };
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('composeValues (chartutil.ChartValuesFromReferences)', () => {
  it('merges valuesFrom in order, then targetPath values, then inline values over all', async () => {
    const r = reader({
      'ConfigMap/a': { 'values.yaml': 'x: 1\nnested:\n  a: from-a\n  b: from-a\n', other: 'z: 2\n' },
      'Secret/s': { 'values.yaml': b64('nested:\n  b: from-secret\n'), list: b64('a,b') },
    });
    const values = await composeValues(r, 'apps', {
      valuesFrom: [
        { kind: 'ConfigMap', name: 'a' },
        { kind: 'Secret', name: 's' },
        { kind: 'ConfigMap', name: 'a', valuesKey: 'other' },
        { kind: 'Secret', name: 's', valuesKey: 'list', targetPath: 'path.to.value' },
        { kind: 'Secret', name: 's', valuesKey: 'list', targetPath: 'literal', literal: true },
      ],
      values: { x: 'inline' },
    });
    expect(values).toEqual({
      x: 'inline',
      z: 2,
      nested: { a: 'from-a', b: 'from-secret' },
      path: { to: { value: 'a,b' } },
      literal: 'a,b',
    });
    // each object read once however many references name it
    expect(r.reads).toEqual(['ConfigMap/a', 'Secret/s']);
  });

  it('skips optional references to a missing object or key, and refuses required ones with Flux messages', async () => {
    const r = reader({ 'ConfigMap/a': { 'values.yaml': 'x: 1\n' } });
    expect(
      await composeValues(r, 'apps', {
        valuesFrom: [
          { kind: 'Secret', name: 'gone', optional: true },
          { kind: 'ConfigMap', name: 'a', valuesKey: 'nope', optional: true },
          { kind: 'ConfigMap', name: 'a' },
        ],
      }),
    ).toEqual({ x: 1 });
    await expect(
      composeValues(r, 'apps', { valuesFrom: [{ kind: 'ConfigMap', name: 'a', valuesKey: 'nope' }] }),
    ).rejects.toThrow("could not resolve ConfigMap chart values reference 'apps/a' with key 'nope': key not found");
    await expect(composeValues(r, 'apps', { valuesFrom: [{ kind: 'Secret', name: 'gone' }] })).rejects.toThrow(
      `could not resolve Secret chart values reference 'apps/gone' with key 'values.yaml': resource not found: secrets "gone" not found`,
    );
  });

  it('refuses a document that is not a map of values', async () => {
    const r = reader({ 'ConfigMap/a': { 'values.yaml': '- a list\n' } });
    await expect(composeValues(r, 'apps', { valuesFrom: [{ kind: 'ConfigMap', name: 'a' }] })).rejects.toThrow(
      "could not resolve ConfigMap chart values reference 'apps/a' with key 'values.yaml': failed to read values data: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
  });
});

describe('digestValues', () => {
  it('does not depend on key order, and changes with any value', () => {
    expect(digestValues({ a: 1, b: { c: 'x', d: [1, 2] } })).toBe(digestValues({ b: { d: [1, 2], c: 'x' }, a: 1 }));
    expect(digestValues({ a: 1 })).not.toBe(digestValues({ a: 2 }));
    expect(digestValues({})).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
