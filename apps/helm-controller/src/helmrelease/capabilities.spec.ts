import { describe, expect, it } from 'vitest';
import { HELM_BUILD_INFO } from '@flux-ts/helm';
import { ApiError } from '@flux-ts/runtime';
import {
  AggregatedDiscoveryAccept,
  CapabilitiesCache,
  discoverCapabilities,
  versionsFromAggregated,
  versionsFromResourceList,
} from './capabilities.ts';
import type { RawGet } from './kube-client.ts';

const version = { major: '1', minor: '33', gitVersion: 'v1.33.2' };
const aggregatedCore = {
  kind: 'APIGroupDiscoveryList',
  items: [
    {
      metadata: { name: '' },
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'pods',
              responseKind: { kind: 'Pod' },
              subresources: [{ subresource: 'status', responseKind: { kind: 'Pod' } }],
            },
            { resource: 'configmaps', responseKind: { kind: 'ConfigMap' } },
          ],
        },
      ],
    },
  ],
};
const aggregatedGroups = {
  kind: 'APIGroupDiscoveryList',
  items: [
    {
      metadata: { name: 'apps' },
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'deployments',
              responseKind: { kind: 'Deployment' },
              subresources: [
                { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
              ],
            },
          ],
        },
      ],
    },
    {
      metadata: { name: 'source.toolkit.fluxcd.io' },
      versions: [
        { version: 'v1', resources: [{ resource: 'ocirepositories', responseKind: { kind: 'OCIRepository' } }] },
        { version: 'v1beta2', resources: [{ resource: 'ocirepositories', responseKind: { kind: 'OCIRepository' } }] },
      ],
    },
  ],
};

/** A RawGet over a table of documents, recording the requests. */
function fakeGet(docs: Record<string, unknown>): RawGet & { calls: string[] } {
  const calls: string[] = [];
  const get = (async (path: string, accept: string) => {
    calls.push(`${path} ${accept === AggregatedDiscoveryAccept ? 'aggregated' : 'json'}`);
    const key = `${path} ${accept === AggregatedDiscoveryAccept ? 'aggregated' : 'json'}`;
    if (key in docs) return docs[key];
    if (path in docs) return docs[path];
    throw new ApiError(`the server could not find the requested resource`, { status: 404, reason: 'NotFound' });
  }) as RawGet & { calls: string[] };
  get.calls = calls;
  return get;
}

describe('versionsFromAggregated / versionsFromResourceList (helm GetVersionSet)', () => {
  it('lists each group/version and <group/version>/<Kind> of resources and subresources', () => {
    expect(versionsFromAggregated(aggregatedGroups)).toEqual([
      'apps/v1',
      'apps/v1/Deployment',
      'apps/v1/Scale',
      'source.toolkit.fluxcd.io/v1',
      'source.toolkit.fluxcd.io/v1/OCIRepository',
      'source.toolkit.fluxcd.io/v1beta2',
      'source.toolkit.fluxcd.io/v1beta2/OCIRepository',
    ]);
    expect(versionsFromAggregated(aggregatedCore)).toEqual(['v1', 'v1/Pod', 'v1/Pod', 'v1/ConfigMap']);
    expect(
      versionsFromResourceList({
        groupVersion: 'apps/v1',
        resources: [
          { name: 'deployments', kind: 'Deployment' },
          { name: 'deployments/scale', kind: 'Scale' },
        ],
      }),
    ).toEqual(['apps/v1', 'apps/v1/Deployment', 'apps/v1/Scale']);
  });
});

describe('discoverCapabilities (helm Configuration.getCapabilities)', () => {
  it('reads /version and aggregated discovery in three requests; the set is deduplicated and sorted', async () => {
    const get = fakeGet({
      '/version': version,
      '/api aggregated': aggregatedCore,
      '/apis aggregated': aggregatedGroups,
    });
    const caps = await discoverCapabilities(get);
    expect(caps.kubeVersion).toEqual({ version: 'v1.33.2', major: '1', minor: '33' });
    expect(caps.helmVersion).toEqual(HELM_BUILD_INFO);
    expect(caps.apiVersions).toEqual([
      'apps/v1',
      'apps/v1/Deployment',
      'apps/v1/Scale',
      'source.toolkit.fluxcd.io/v1',
      'source.toolkit.fluxcd.io/v1/OCIRepository',
      'source.toolkit.fluxcd.io/v1beta2',
      'source.toolkit.fluxcd.io/v1beta2/OCIRepository',
      'v1',
      'v1/ConfigMap',
      'v1/Pod',
    ]);
    expect(get.calls).toEqual(['/version json', '/api aggregated', '/apis aggregated']);
  });

  it('falls back to legacy discovery, one request per group/version', async () => {
    const get = fakeGet({
      '/version': version,
      '/api aggregated': { kind: 'APIVersions', versions: ['v1'] },
      '/api json': { versions: ['v1'] },
      '/apis json': { groups: [{ versions: [{ groupVersion: 'apps/v1' }] }] },
      '/api/v1': { groupVersion: 'v1', resources: [{ name: 'pods', kind: 'Pod' }] },
      '/apis/apps/v1': { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] },
    });
    expect((await discoverCapabilities(get)).apiVersions).toEqual(['apps/v1', 'apps/v1/Deployment', 'v1', 'v1/Pod']);
  });

  it("fails with Helm's messages", async () => {
    await expect(discoverCapabilities(fakeGet({}))).rejects.toThrow(
      'could not get server version from Kubernetes: the server could not find the requested resource',
    );
    await expect(discoverCapabilities(fakeGet({ '/version': version }))).rejects.toThrow(
      'could not get apiVersions from Kubernetes: the server could not find the requested resource',
    );
  });
});

describe('CapabilitiesCache', () => {
  const docs = { '/version': version, '/api aggregated': aggregatedCore, '/apis aggregated': aggregatedGroups };

  it('reuses the capabilities of a cluster and identity until the TTL passes', async () => {
    let now = 0;
    const cache = new CapabilitiesCache({ ttlMs: 1000, now: () => now });
    const get = fakeGet(docs);
    const a = { client: undefined as never, key: 'local', getRaw: get };
    const b = { client: undefined as never, key: 'local|system:serviceaccount:apps:sa', getRaw: get };
    const first = await cache.get(a);
    expect(await cache.get(a)).toBe(first);
    expect(get.calls).toHaveLength(3);
    await cache.get(b);
    expect(get.calls).toHaveLength(6);
    now = 1000;
    await cache.get(a);
    expect(get.calls).toHaveLength(9);
  });

  it('does not keep a failure, and gives no capabilities for a cluster it cannot ask', async () => {
    const cache = new CapabilitiesCache();
    let fail = true;
    const get = (async (path: string, accept: string) => {
      if (fail) throw new Error('connection refused');
      return fakeGet(docs)(path, accept);
    }) as RawGet;
    const c = { client: undefined as never, key: 'local', getRaw: get };
    await expect(cache.get(c)).rejects.toThrow('could not get server version from Kubernetes: connection refused');
    fail = false;
    await expect(cache.get(c)).resolves.toMatchObject({ kubeVersion: { version: 'v1.33.2' } });
    await expect(cache.get({ client: undefined as never, key: 'x' })).resolves.toBeUndefined();
  });
});
