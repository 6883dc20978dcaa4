import { describe, expect, it } from 'vitest';
import { fieldSelector, labelSelector, labelSelectorFromObject, parseLabelSelector } from './selectors.ts';

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { name: 'n1', namespace: 'ns', labels },
  ...extra,
});

describe('selectors', () => {
  it('parses the label selector grammar', () => {
    expect(parseLabelSelector('a=b,c!=d, e in (x, y),f notin (z),!g,h')).toEqual([
      { key: 'a', op: 'in', values: ['b'] },
      { key: 'c', op: 'notin', values: ['d'] },
      { key: 'e', op: 'in', values: ['x', 'y'] },
      { key: 'f', op: 'notin', values: ['z'] },
      { key: 'g', op: 'notexists', values: [] },
      { key: 'h', op: 'exists', values: [] },
    ]);
    expect(() => parseLabelSelector('a=b=c')).toThrow(/unable to parse requirement/);
  });

  it('matches labels', () => {
    const sel = labelSelector('app=web,tier in (fe,be),!legacy')!;
    expect(sel(obj({ app: 'web', tier: 'fe' }))).toBe(true);
    expect(sel(obj({ app: 'web', tier: 'db' }))).toBe(false);
    expect(sel(obj({ app: 'web', tier: 'fe', legacy: 'x' }))).toBe(false);
    expect(labelSelector('')).toBeUndefined();
    expect(
      labelSelectorFromObject({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] })({
        a: '1',
        b: '',
      }),
    ).toBe(true);
  });

  it('matches field selectors on any path', () => {
    expect(fieldSelector('metadata.name=n1,metadata.namespace!=other')!(obj({}))).toBe(true);
    expect(fieldSelector('status.phase=Running')!(obj({}, { status: { phase: 'Pending' } }))).toBe(false);
    expect(fieldSelector('type==kubernetes.io/tls')!(obj({}, { type: 'kubernetes.io/tls' }))).toBe(true);
  });
});
