import { describe, expect, it } from 'vitest';
import { ApiError, isNoMatch } from './errors.ts';
import { discoveryPath, mappingsFromResourceList, RestMapper } from './rest-mapper.ts';

const appsV1 = {
  resources: [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'deployments/status', kind: 'Deployment', namespaced: true },
    { name: 'deployments/scale', kind: 'Scale', namespaced: true },
  ],
};

describe('mappingsFromResourceList', () => {
  it('maps kinds to resources, skipping subresources but recording them', () => {
    const m = mappingsFromResourceList('apps', 'v1', appsV1.resources);
    expect(m.get('Deployment')).toEqual({
      resource: 'deployments',
      namespaced: true,
      group: 'apps',
      version: 'v1',
      subresources: ['status', 'scale'],
    });
    expect(m.has('Scale')).toBe(false);
  });

  it('builds discovery paths for the core and named groups', () => {
    expect(discoveryPath('', 'v1')).toBe('/api/v1');
    expect(discoveryPath('apps', 'v1')).toBe('/apis/apps/v1');
  });
});

describe('RestMapper', () => {
  it('caches a group/version, refreshes it on a miss, and shares concurrent lookups', async () => {
    const calls: string[] = [];
    let crdInstalled = false;
    const mapper = new RestMapper(async (path) => {
      calls.push(path);
      if (path === '/apis/apps/v1') return appsV1;
      if (path === '/apis/example.com/v1') {
        if (!crdInstalled) throw new ApiError('the server could not find the requested resource', { status: 404 });
        return { resources: [{ name: 'widgets', kind: 'Widget', namespaced: false }] };
      }
      return undefined;
    });
    const [a, b] = await Promise.all([
      mapper.resourceFor({ apiVersion: 'apps/v1', kind: 'Deployment' }),
      mapper.resourceFor({ apiVersion: 'apps/v1', kind: 'Deployment' }),
    ]);
    expect(a).toEqual(b);
    await mapper.resourceFor({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(calls).toEqual(['/apis/apps/v1']);

    await expect(mapper.resourceFor({ apiVersion: 'example.com/v1', kind: 'Widget' })).rejects.toSatisfy(isNoMatch);
    crdInstalled = true;
    await expect(mapper.resourceFor({ apiVersion: 'example.com/v1', kind: 'Widget' })).resolves.toMatchObject({
      resource: 'widgets',
      namespaced: false,
    });
    // a kind missing from a cached group/version triggers one refresh per lookup
    await expect(mapper.resourceFor({ apiVersion: 'apps/v1', kind: 'Nope' })).rejects.toThrow(
      'no matches for kind "Nope" in version "apps/v1"',
    );
    expect(calls).toEqual(['/apis/apps/v1', '/apis/example.com/v1', '/apis/example.com/v1', '/apis/apps/v1']);
  });

  it('passes other discovery errors through', async () => {
    const mapper = new RestMapper(async () => {
      throw new ApiError('boom', { status: 500 });
    });
    await expect(mapper.resourceFor({ apiVersion: 'v1', kind: 'Pod' })).rejects.toThrow('boom');
  });
});
