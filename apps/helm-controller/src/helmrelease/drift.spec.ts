import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import type { KubeObject } from '@flux-ts/runtime';
import { DiffType, hasChanges, mustDetectChanges, summarizeDiffSet, summarizeDiffSetBrief } from './drift.ts';
import type { Diff } from './drift.ts';

const obj = (kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const diff = (type: DiffType, o: KubeObject, patch: Diff['patch'] = []): Diff => ({
  type,
  desired: o,
  subject: `${o.kind}/${o.metadata.name}`,
  patch,
});

describe('diff summaries (helm-controller internal/diff summarize_test.go)', () => {
  const set: Diff[] = [
    diff(DiffType.Update, obj('Deployment', 'hello-world', 'default'), [
      { op: 'add', path: '/a', value: 1 },
      { op: 'replace', path: '/b', value: 2 },
      { op: 'remove', path: '/c' },
    ]),
    diff(DiffType.Create, obj('Deployment', 'hello-world2', 'default')),
    diff(DiffType.Exclude, obj('Deployment', 'hello-world3', 'default')),
    diff(DiffType.None, obj('Deployment', 'hello-world4', 'default')),
    diff(DiffType.Create, obj('ClusterRole', 'reader')),
  ];

  it('writes one line per removed, changed or excluded object', () => {
    expect(summarizeDiffSet(set)).toBe(
      [
        'Deployment/default/hello-world changed (1 additions, 1 changes, 1 removals)',
        'Deployment/default/hello-world2 removed',
        'Deployment/default/hello-world3 excluded',
        'ClusterRole//reader removed',
      ].join('\n'),
    );
  });

  it('counts them in the brief summary', () => {
    expect(summarizeDiffSetBrief(set)).toBe('removed: 2, changed: 1, excluded: 1');
  });

  it('has changes only with removed or changed objects', () => {
    expect(hasChanges(set)).toBe(true);
    expect(hasChanges(set.filter((d) => d.type === DiffType.Exclude || d.type === DiffType.None))).toBe(false);
  });
});

describe('mustDetectChanges', () => {
  const hr = (mode?: 'enabled' | 'warn' | 'disabled') =>
    ({
      metadata: { name: 'x' },
      spec: { interval: '1m', ...(mode ? { driftDetection: { mode } } : {}) },
    }) as HelmRelease;
  it.each([
    [undefined, false],
    ['disabled', false],
    ['warn', true],
    ['enabled', true],
  ] as const)('mode %s → %s', (mode, want) => {
    expect(mustDetectChanges(hr(mode))).toBe(want);
  });
});
