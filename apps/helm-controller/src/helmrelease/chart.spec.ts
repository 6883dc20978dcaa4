import { describe, expect, it } from 'vitest';
import type { HelmRelease } from '@flux-ts/api';
import { ChartArchiveCache, fetchChart, helmChartFromTemplate, helmChartRef } from './chart.ts';

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

describe('ChartArchiveCache', () => {
  it('keeps archives by digest, least recently used dropped first past its size', () => {
    const c = new ChartArchiveCache(10);
    c.set('sha256:a', Buffer.alloc(4));
    c.set('sha256:b', Buffer.alloc(4));
    expect(c.get('sha256:a')?.length).toBe(4); // a is now the most recently used
    c.set('sha256:c', Buffer.alloc(4));
    expect([c.get('sha256:a') !== undefined, c.get('sha256:b') !== undefined, c.get('sha256:c') !== undefined]).toEqual(
      [true, false, true],
    );
    c.set('sha256:big', Buffer.alloc(11));
    expect(c.size).toBe(2);
  });

  it('serves fetchChart an archive of a digest it downloaded before, without a request', async () => {
    const cache = new ChartArchiveCache();
    const digest = 'sha256:0000000000000000000000000000000000000000000000000000000000000000';
    cache.set(digest, Buffer.from('not a chart'));
    // the URL is never fetched: the cached bytes are loaded (and fail to load, as these are no chart)
    const err = await fetchChart(
      { url: 'http://127.0.0.1:1/never.tgz', path: 'x', revision: '1.0.0', digest, lastUpdateTime: '' },
      { cache, retries: 0, signal: AbortSignal.timeout(10_000) },
    ).catch((e: unknown) => e);
    expect(String(err)).toMatch(/^GenericError: Could not load chart: /);
    expect(String(err)).not.toMatch(/failed to download/);
  });
});
