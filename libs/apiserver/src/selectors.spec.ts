import { describe, expect, it } from 'vitest';
import { fieldSelector, labelSelector, labelSelectorFromObject, parseLabelSelector } from './selectors.ts';

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  metadata: { name: 'n1', namespace: 'ns', labels },
  ...extra,
});

describe('selectors', () => {
  it('parses the label selector grammar', () => {
    expect(parseLabelSelector('h,a=b,c!=d, e in (y, x),f notin (z),!g')).toEqual([
      { key: 'a', operator: '=', values: ['b'] },
      { key: 'c', operator: '!=', values: ['d'] },
      { key: 'e', operator: 'in', values: ['x', 'y'] },
      { key: 'f', operator: 'notin', values: ['z'] },
      { key: 'g', operator: '!', values: [] },
      { key: 'h', operator: 'exists', values: [] },
    ]);
  });

  it('answers a malformed label selector with a 400 carrying the labels.Parse message', () => {
    const errorOf = (s: string): unknown => {
      try {
        labelSelector(s);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(errorOf('a=b=c')).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: "found '=', expected: ',' or 'end of string'",
    });
    expect(errorOf('a in b')).toMatchObject({
      code: 400,
      message: "unable to parse requirement: found 'b' expected: '('",
    });
    expect(errorOf('x>-1')).toMatchObject({
      code: 400,
      message: expect.stringMatching(
        /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "-1": a valid label must be/,
      ),
    });
  });

  it('matches labels', () => {
    const sel = labelSelector('app=web,tier in (fe,be),!legacy')!;
    expect(sel(obj({ app: 'web', tier: 'fe' }))).toBe(true);
    expect(sel(obj({ app: 'web', tier: 'db' }))).toBe(false);
    expect(sel(obj({ app: 'web', tier: 'fe', legacy: 'x' }))).toBe(false);
    expect(labelSelector('')).toBeUndefined();
    expect(labelSelector(' ')).toBeUndefined();
    expect(labelSelector('replicas>2')!(obj({ replicas: '3' }))).toBe(true);
    expect(labelSelector('replicas<2')!(obj({ replicas: 'x' }))).toBe(false);
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
