import { describe, expect, it } from 'vitest';
import { parseRefspec } from './reconciler.ts';
import { labelSelectorString } from './selector.ts';

describe('labelSelectorString', () => {
  it.each([
    { name: 'nothing selects everything', sel: undefined, want: undefined },
    { name: 'empty selector', sel: {}, want: undefined },
    {
      name: 'matchLabels and expressions',
      sel: {
        matchLabels: { app: 'podinfo' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'api'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'auto', operator: 'Exists' },
          { key: 'skip', operator: 'DoesNotExist' },
        ],
      },
      want: 'app=podinfo,tier in (api,web),env notin (dev),auto,!skip',
    },
  ])('$name', ({ sel, want }) => {
    expect(labelSelectorString(sel)).toBe(want);
  });

  it('refuses an unknown operator and an empty In set', () => {
    expect(() => labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toThrow(
      '"Near" is not a valid label selector operator',
    );
    expect(() => labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(
      "for 'in' operator, values set can't be empty",
    );
  });
});

describe('parseRefspec', () => {
  it.each([
    { spec: 'refs/heads/main:refs/for/main', want: { src: 'main', dst: 'refs/for/main', plus: false } },
    { spec: '+HEAD:refs/heads/review', want: { src: 'eks', dst: 'refs/heads/review', plus: true } },
    { spec: 'refs/for/main', want: { src: 'eks', dst: 'refs/for/main', plus: false } },
  ])('$spec', ({ spec, want }) => {
    expect(parseRefspec(spec, 'eks')).toEqual(want);
  });
});
