import { describe, expect, it } from 'vitest';
import type { FluxObject } from '../shared/objects.ts';
import { isObjectReady, isReconciliationHandled } from './wait.ts';

const cond = (type: string, status: 'True' | 'False' | 'Unknown', message = '', observedGeneration?: number) => ({
  type,
  status,
  reason: 'R',
  message,
  lastTransitionTime: '2024-01-01T00:00:00Z',
  ...(observedGeneration !== undefined ? { observedGeneration } : {}),
});

const obj = (status: FluxObject['status'], generation = 2): FluxObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'app', namespace: 'flux-system', generation },
  ...(status !== undefined ? { status } : {}),
});

describe('isReconciliationHandled (flux reconcile)', () => {
  it('waits for the request to be handled and for kstatus Current', () => {
    const readyTrue = [cond('Ready', 'True', 'ok', 2)];
    expect(isReconciliationHandled(obj({ observedGeneration: 2, conditions: readyTrue }), 'a')).toBe(true);
    expect(
      isReconciliationHandled(obj({ observedGeneration: 2, lastHandledReconcileAt: 'a', conditions: readyTrue }), 'a'),
    ).toBe(false);
    expect(
      isReconciliationHandled(
        obj({ observedGeneration: 2, conditions: [cond('Reconciling', 'True'), cond('Ready', 'Unknown')] }),
        'a',
      ),
    ).toBe(false);
  });

  it('does not stop on a Stalled object (upstream polls until the timeout)', () => {
    const stalled = obj({
      observedGeneration: 2,
      lastHandledReconcileAt: 'b',
      conditions: [cond('Ready', 'False', 'bad', 2), cond('Stalled', 'True', 'bad')],
    });
    expect(isReconciliationHandled(stalled, 'a')).toBe(false);
  });
});

describe('isObjectReady (flux resume)', () => {
  it('is not ready before the current generation has a Ready condition', () => {
    expect(isObjectReady(obj(undefined))).toBe(false);
    expect(isObjectReady(obj({ observedGeneration: 2, conditions: [] }))).toBe(false);
    expect(isObjectReady(obj({ observedGeneration: 2, conditions: [cond('Ready', 'True', 'ok', 1)] }))).toBe(false);
    expect(isObjectReady(obj({ observedGeneration: 1, conditions: [cond('Ready', 'True', 'ok')] }))).toBe(false);
    expect(isObjectReady(obj({ observedGeneration: 2, conditions: [cond('Ready', 'True', 'ok')] }))).toBe(true);
  });

  it('ends the wait with the Stalled message (kstatus Failed)', () => {
    const stalled = obj({
      observedGeneration: 2,
      conditions: [cond('Ready', 'False', 'not ready', 2), cond('Stalled', 'True', 'stalled for good')],
    });
    expect(() => isObjectReady(stalled)).toThrow('stalled for good');
  });
});
