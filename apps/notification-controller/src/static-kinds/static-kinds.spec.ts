import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@flux-ts/runtime';
import { finalizerPredicate, providerPredicate } from './static-kinds.ts';

const obj = (finalizers: string[], deleting = false): KubeObject => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Alert',
  metadata: {
    name: 'a',
    namespace: 'ns',
    finalizers,
    ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
});

describe('static kinds predicates', () => {
  it.each([
    [[], false],
    [['foo.bar', 'baz.bar'], false],
    [['foo.bar', 'finalizers.fluxcd.io', 'baz.bar'], true],
  ])('finalizerPredicate admits Alerts with the notification finalizer (%j)', (finalizers, want) => {
    expect(finalizerPredicate.create!(obj(finalizers))).toBe(want);
    expect(finalizerPredicate.update!(obj([]), obj(finalizers))).toBe(want);
    expect(finalizerPredicate.delete!(obj(finalizers))).toBe(want);
  });

  it('providerPredicate admits Providers without the finalizer, or being deleted, and never deletions', () => {
    expect(providerPredicate.create!(obj([]))).toBe(true);
    expect(providerPredicate.create!(obj(['finalizers.fluxcd.io']))).toBe(false);
    expect(providerPredicate.update!(obj([]), obj(['finalizers.fluxcd.io']))).toBe(false);
    expect(providerPredicate.update!(obj([]), obj(['finalizers.fluxcd.io'], true))).toBe(true);
    expect(providerPredicate.delete!(obj([]))).toBe(false);
  });
});
