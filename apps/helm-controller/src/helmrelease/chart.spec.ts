import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { helmChartFromTemplate, helmChartRef } from './chart.ts';

const hr = (spec: Partial<HelmRelease['spec']>): HelmRelease =>
  ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { interval: '5m', ...spec },
  }) as HelmRelease;

describe('helmChartFromTemplate (helm-controller buildHelmChartFromTemplate)', () => {
  it('names the HelmChart <namespace>-<name> in the source namespace, with defaults and the owner labels', () => {
    const hc = helmChartFromTemplate(
      hr({
        chart: {
          spec: {
            chart: 'podinfo',
            sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' },
            valuesFiles: ['values.yaml', 'values-prod.yaml'],
          },
          metadata: { labels: { team: 'a' }, annotations: { note: 'b' } },
        },
      }),
    );
    expect(hc).toEqual({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmChart',
      metadata: {
        name: 'apps-web',
        namespace: 'flux-system',
        labels: { team: 'a', 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'apps' },
        annotations: { note: 'b' },
      },
      spec: {
        chart: 'podinfo',
        version: '*',
        sourceRef: { kind: 'HelmRepository', name: 'charts' },
        interval: '5m',
        reconcileStrategy: 'ChartVersion',
        valuesFiles: ['values.yaml', 'values-prod.yaml'],
      },
    });
  });

  it("keeps the template's version, interval and strategy, and defaults the source namespace to the release's", () => {
    const hc = helmChartFromTemplate(
      hr({
        chart: {
          spec: {
            chart: './charts/web',
            version: '1.x',
            interval: '1m',
            reconcileStrategy: 'Revision',
            sourceRef: { kind: 'GitRepository', name: 'repo' },
          },
        },
      }),
    );
    expect(hc.metadata.namespace).toBe('apps');
    expect(hc.spec).toMatchObject({ version: '1.x', interval: '1m', reconcileStrategy: 'Revision' });
  });
});

describe('helmChartRef', () => {
  it("is the template's HelmChart or the chartRef, in the release namespace unless named", () => {
    expect(helmChartRef(hr({ chartRef: { kind: 'HelmChart', name: 'shared' } }))).toEqual({
      namespace: 'apps',
      name: 'shared',
    });
    expect(helmChartRef(hr({ chartRef: { kind: 'HelmChart', name: 'shared', namespace: 'flux-system' } }))).toEqual({
      namespace: 'flux-system',
      name: 'shared',
    });
  });
});
