import { describe, it, expect } from 'vitest';
import { predicates, passes } from './predicates.ts';
import type { KubeObject } from '../client/types.ts';

const o = (meta: Partial<KubeObject['metadata']>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'ns', ...meta },
});

describe('predicates', () => {
  it('generationChanged passes spec changes only, and all creates and deletes', () => {
    const p = predicates.generationChanged;
    expect(p.update!(o({ generation: 1 }), o({ generation: 2 }))).toBe(true);
    expect(p.update!(o({ generation: 1 }), o({ generation: 1, labels: { a: 'b' } }))).toBe(false);
    expect(passes([p], 'create', o({}))).toBe(true);
    expect(passes([p], 'delete', o({}))).toBe(true);
  });

  it('reconcileRequested passes when requestedAt is set and changed', () => {
    const p = predicates.reconcileRequested;
    const at = (v?: string) => o({ annotations: v === undefined ? {} : { 'reconcile.fluxcd.io/requestedAt': v } });
    expect(p.update!(at(), at('t1'))).toBe(true);
    expect(p.update!(at('t1'), at('t2'))).toBe(true);
    expect(p.update!(at('t1'), at('t1'))).toBe(false);
    expect(p.update!(at('t1'), at())).toBe(false);
    expect(p.update!(at(), at())).toBe(false);
  });

  it('annotationChanged and labelChanged compare one key or all of them', () => {
    expect(
      predicates.annotationChanged('a').update!(o({ annotations: { a: '1' } }), o({ annotations: { a: '2' } })),
    ).toBe(true);
    expect(
      predicates.annotationChanged('a').update!(o({ annotations: { a: '1' } }), o({ annotations: { a: '1', b: '2' } })),
    ).toBe(false);
    expect(
      predicates.annotationChanged().update!(o({ annotations: { a: '1' } }), o({ annotations: { a: '1', b: '2' } })),
    ).toBe(true);
    expect(predicates.annotationChanged().update!(o({}), o({ annotations: {} }))).toBe(false);
    expect(predicates.labelChanged('l').update!(o({ labels: { l: 'x' } }), o({}))).toBe(true);
    expect(predicates.labelChanged().update!(o({ labels: { l: 'x' } }), o({ labels: { l: 'x' } }))).toBe(false);
  });

  it('and/or/not combine predicates', () => {
    const gen = predicates.generationChanged;
    const req = predicates.reconcileRequested;
    const old = o({ generation: 1 });
    const bumped = o({ generation: 2 });
    const requested = o({ generation: 1, annotations: { 'reconcile.fluxcd.io/requestedAt': 'now' } });
    const either = predicates.or(gen, req);
    expect(either.update!(old, bumped)).toBe(true);
    expect(either.update!(old, requested)).toBe(true);
    expect(either.update!(old, o({ generation: 1 }))).toBe(false);
    const both = predicates.and(gen, req);
    expect(both.update!(old, bumped)).toBe(false);
    expect(both.update!(old, { ...requested, metadata: { ...requested.metadata, generation: 2 } })).toBe(true);
    expect(predicates.not(gen).update!(old, bumped)).toBe(false);
    expect(predicates.not(gen).create!(old)).toBe(false);
    expect(both.create!(old)).toBe(true);
  });
});
