import { describe, expect, it } from 'vitest';
import {
  BEHAVIOR_ANNOTATION,
  CONDITIONS_ANNOTATION,
  CURRENT_METRICS_ANNOTATION,
  fromStorage,
  hpaV1ToV2,
  hpaV2ToV1,
  METRICS_ANNOTATION,
  needsConversion,
  toStorage,
} from './conversion.ts';
import type { Obj } from './util.ts';

const ref = { apiVersion: 'v1', kind: 'ReplicationController', name: 'frontend' };

describe('autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler', () => {
  it('only autoscaling/v1 HPAs are converted', () => {
    expect(needsConversion('autoscaling', 'v1', 'HorizontalPodAutoscaler')).toBe(true);
    expect(needsConversion('autoscaling', 'v2', 'HorizontalPodAutoscaler')).toBe(false);
    expect(needsConversion('apps', 'v1', 'Deployment')).toBe(false);
    const d: Obj = { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } };
    toStorage('apps', 'v1', 'Deployment', d);
    fromStorage('apps', 'v1', 'Deployment', d);
    expect(d).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } });
  });

  it('v1 targetCPUUtilizationPercentage becomes a cpu Utilization metric, and back', () => {
    const o: Obj = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend' },
      spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 2, targetCPUUtilizationPercentage: 70 },
      status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 40 },
    };
    hpaV1ToV2(o);
    expect(o).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend' },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 1,
        maxReplicas: 2,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      },
      status: {
        currentReplicas: 1,
        desiredReplicas: 1,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }],
      },
    });
    hpaV2ToV1(o);
    expect(o['spec']).toEqual({
      scaleTargetRef: ref,
      minReplicas: 1,
      maxReplicas: 2,
      targetCPUUtilizationPercentage: 70,
    });
    expect(o['status']).toEqual({ currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 40 });
    // the current metrics ride in their annotation as well (they may carry more than the CPU percentage)
    const annotations = (o['metadata'] as Obj)['annotations'] as Obj;
    expect(JSON.parse(String(annotations[CURRENT_METRICS_ANNOTATION]))).toEqual([
      { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 40 } },
    ]);
  });

  it('a v1 HPA without a target gets the 80% CPU default', () => {
    const o: Obj = { apiVersion: 'autoscaling/v1', spec: { scaleTargetRef: ref, maxReplicas: 2 } };
    hpaV1ToV2(o);
    expect((o['spec'] as Obj)['metrics']).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
  });

  it('v2-only fields round-trip through the autoscaling.alpha.kubernetes.io annotations', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    const conditions = [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' }];
    const v2: Obj = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', annotations: { keep: 'me' } },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 2,
        maxReplicas: 5,
        behavior,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          {
            type: 'Pods',
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
          {
            type: 'External',
            external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } },
          },
        ],
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        conditions,
        currentMetrics: [{ type: 'Pods', pods: { metric: { name: 'qps' }, current: { averageValue: '12' } } }],
      },
    };
    const original = structuredClone(v2);
    hpaV2ToV1(v2);
    const annotations = (v2['metadata'] as Obj)['annotations'] as Obj;
    expect(annotations['keep']).toBe('me');
    expect(JSON.parse(String(annotations[METRICS_ANNOTATION]))).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      { type: 'External', external: { metricName: 'queue', targetValue: '30' } },
    ]);
    expect(JSON.parse(String(annotations[BEHAVIOR_ANNOTATION]))).toEqual(behavior);
    expect(JSON.parse(String(annotations[CONDITIONS_ANNOTATION]))).toEqual(conditions);
    expect(v2['spec']).toEqual({
      scaleTargetRef: ref,
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 60,
    });
    hpaV1ToV2(v2);
    expect(v2).toEqual(original);
  });
});
