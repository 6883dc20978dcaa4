import { describe, expect, it } from 'vitest';
import { aggregatedDiscovery, apiResourceList, wantsAggregated } from './discovery.ts';
import { compareKubeVersions, Registry } from './registry.ts';
import { parseResourcePath } from './server.ts';

describe('discovery', () => {
  it('negotiates aggregated discovery v2 and v2beta1 from the Accept header', () => {
    expect(
      wantsAggregated(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      ),
    ).toBe('v2');
    expect(
      wantsAggregated('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'),
    ).toBe('v2beta1');
    expect(wantsAggregated('application/json, */*')).toBeUndefined();
  });

  it('lists resources, subresources, short names and categories', () => {
    const reg = new Registry();
    const apps = apiResourceList(reg, 'apps', 'v1')!;
    const names = (apps['resources'] as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'deployments',
        'deployments/status',
        'deployments/scale',
        'statefulsets',
        'replicasets',
        'daemonsets',
      ]),
    );
    const agg = aggregatedDiscovery(reg, 'apis', 'v2');
    expect(agg['apiVersion']).toBe('apidiscovery.k8s.io/v2');
    const appsGroup = (
      agg['items'] as {
        metadata: { name: string };
        versions: { resources: { resource: string; shortNames?: string[]; categories?: string[] }[] }[];
      }[]
    ).find((g) => g.metadata.name === 'apps')!;
    expect(appsGroup.versions[0]!.resources.find((r) => r.resource === 'deployments')).toMatchObject({
      shortNames: ['deploy'],
      categories: ['all'],
      scope: 'Namespaced',
    });
    const core = aggregatedDiscovery(reg, 'api', 'v2beta1');
    expect((core['items'] as unknown[]).length).toBe(1);
  });

  it('orders versions like Kubernetes and parses resource paths', () => {
    expect(['v1alpha1', 'v1', 'v2beta1', 'v1beta2', 'v2'].sort(compareKubeVersions)).toEqual([
      'v2',
      'v1',
      'v2beta1',
      'v1beta2',
      'v1alpha1',
    ]);
    expect(parseResourcePath('/api/v1/namespaces/ns/configmaps/x')).toEqual({
      group: '',
      version: 'v1',
      namespace: 'ns',
      resource: 'configmaps',
      name: 'x',
      watchPrefix: false,
    });
    expect(parseResourcePath('/api/v1/namespaces/ns')).toEqual({
      group: '',
      version: 'v1',
      resource: 'namespaces',
      name: 'ns',
      watchPrefix: false,
    });
    expect(parseResourcePath('/api/v1/namespaces/ns/status')).toEqual({
      group: '',
      version: 'v1',
      resource: 'namespaces',
      name: 'ns',
      subresource: 'status',
      watchPrefix: false,
    });
    expect(parseResourcePath('/apis/apps/v1/watch/namespaces/a/deployments')).toEqual({
      group: 'apps',
      version: 'v1',
      namespace: 'a',
      resource: 'deployments',
      watchPrefix: true,
    });
    expect(parseResourcePath('/apis/apps')).toBeUndefined();
  });
});
