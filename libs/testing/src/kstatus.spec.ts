import { describe, expect, it } from 'vitest';
import { kstatusViolations } from './kstatus.ts';

const cond = (type: string, status: string, observedGeneration = 2) => ({ type, status, observedGeneration });

describe('kstatusViolations', () => {
  it('passes a Ready object whose conditions observed its generation', () => {
    const obj = {
      metadata: { generation: 2 },
      status: { observedGeneration: 2, conditions: [cond('Ready', 'True'), cond('ArtifactInStorage', 'True')] },
    };
    expect(kstatusViolations(obj, { negativePolarity: ['FetchFailed'] })).toEqual([]);
  });

  it.each([
    [
      'Ready with a negative-polarity condition True',
      { conditions: [cond('Ready', 'True'), cond('FetchFailed', 'True')], observedGeneration: 2 },
      'Negative polarity condition cannot be True when Ready condition is True: [FetchFailed]',
    ],
    [
      'no Ready',
      { conditions: [cond('FetchFailed', 'True')], observedGeneration: 1 },
      'Ready condition must always be present',
    ],
    [
      'Reconciling while Ready is Unknown',
      { conditions: [cond('Ready', 'Unknown'), cond('Reconciling', 'True')], observedGeneration: 1 },
      'Ready condition must be False when Reconciling condition is True',
    ],
    [
      'Stalled and Reconciling together',
      {
        conditions: [cond('Ready', 'False'), cond('Stalled', 'True'), cond('Reconciling', 'True')],
        observedGeneration: 1,
      },
      'Only one of Reconciling condition or Stalled condition must be present at a time',
    ],
    [
      'Ready at an old generation',
      { conditions: [cond('Ready', 'True', 1)], observedGeneration: 1 },
      'Ready condition must be False when the ObservedGeneration is less than the object Generation',
    ],
  ])('flags %s', (_name, status, message) => {
    expect(kstatusViolations({ metadata: { generation: 2 }, status }, { negativePolarity: ['FetchFailed'] })).toContain(
      message,
    );
  });
});
