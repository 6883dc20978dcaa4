import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { conditions, newLogger } from '@flux-ts/runtime';
import type { EventObject, RecordEvent } from '@flux-ts/runtime';
import { NoDriftMessage } from './drift-release.ts';
import { DiffType } from './drift.ts';
import type { Diff } from './drift.ts';
import { actionForState } from './release.ts';
import type { ReleaseRequest } from './release.ts';

const hr = (mode?: 'enabled' | 'warn' | 'disabled'): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps', generation: 1 },
    spec: { interval: '5m', chartRef: { kind: 'HelmChart', name: 'c' }, ...(mode ? { driftDetection: { mode } } : {}) },
    status: {
      history: [
        {
          name: 'web',
          namespace: 'apps',
          version: 2,
          status: 'deployed',
          chartName: 'web',
          chartVersion: '1.0.0',
          configDigest: 'sha256:x',
          digest: 'sha256:y',
          firstDeployed: '',
          lastDeployed: '',
        },
      ],
    },
  }) as HelmRelease;

const request = (o: HelmRelease) => {
  const events: RecordEvent[] = [];
  const req = {
    hr: o,
    log: newLogger({ level: 'silent' }),
    recorder: {
      event: async (_: EventObject, ev: RecordEvent) => {
        events.push(ev);
      },
    },
  } as unknown as ReleaseRequest;
  return { req, events };
};

const diffs: Diff[] = [
  {
    type: DiffType.Update,
    desired: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' } },
    subject: 'Deployment/apps/web',
    patch: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
  },
  {
    type: DiffType.Create,
    desired: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-cm', namespace: 'apps' } },
    subject: 'ConfigMap/apps/web-cm',
    patch: [],
  },
];
const drifted =
  'Cluster state of release apps/web.v2 has drifted from the desired state:\n' +
  'Deployment/apps/web changed (0 additions, 1 changes, 0 removals)\nConfigMap/apps/web-cm removed';

describe('drift in the atomic release (helm-controller actionForState, Drifted condition)', () => {
  it('warn: a Warning DriftDetected event and Drifted=True, and no action', () => {
    const { req, events } = request(hr('warn'));
    expect(actionForState(req, 'drifted', diffs)).toBeUndefined();
    expect(conditions.get(req.hr, 'Drifted')).toMatchObject({
      status: 'True',
      reason: 'DriftDetected',
      message: drifted,
    });
    expect(events).toEqual([{ type: 'Warning', reason: 'DriftDetected', message: drifted }]);
  });

  it("enabled: the 'correct cluster drift' action, with the default timeout", () => {
    const { req } = request(hr('enabled'));
    expect(actionForState(req, 'drifted', diffs)).toMatchObject({
      name: 'correct cluster drift',
      type: 'drift correction',
      timeoutMs: 300_000,
    });
    expect(conditions.isTrue(req.hr, 'Drifted')).toBe(true);
  });

  it('in sync: Drifted=False NoDriftDetected with drift detection on, no Drifted with it off', () => {
    const on = request(hr('warn')).req;
    conditions.markTrue(on.hr, 'Drifted', 'DriftDetected', 'before');
    expect(actionForState(on, 'in-sync')).toBeUndefined();
    expect(conditions.get(on.hr, 'Drifted')).toMatchObject({
      status: 'False',
      reason: 'NoDriftDetected',
      message: NoDriftMessage,
    });
    expect(NoDriftMessage).toBe('No drift detected against the cluster state.');

    const off = request(hr()).req;
    conditions.markTrue(off.hr, 'Drifted', 'DriftDetected', 'before');
    expect(actionForState(off, 'in-sync')).toBeUndefined();
    expect(conditions.get(off.hr, 'Drifted')).toBeUndefined();
  });
});
