/** Discovery documents: legacy lists and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1). */
import type { Registry } from './registry.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import type { Obj } from './util.ts';

/** A subresource as discovery lists it. */
interface SubDef {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** Subresources served for a resource. */
export const subresourcesOf = (d: ResourceDef): SubDef[] => {
  const out: SubDef[] = [];
  if (d.status)
    out.push({ name: 'status', group: d.group, version: d.version, kind: d.kind, verbs: ['get', 'patch', 'update'] });
  if (d.scale)
    out.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  if (d.group === '' && d.resource === 'serviceaccounts')
    out.push({ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
  if (d.group === '' && d.resource === 'namespaces')
    out.push({ name: 'finalize', group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] });
  return out;
};

/** `/api` (legacy). */
export const apiVersions = (serverAddress: string): Obj => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
});

const groupEntry = (group: string, versions: string[]): Obj => {
  const vs = versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
};

/** `/apis` (legacy APIGroupList). */
export const apiGroupList = (reg: Registry): Obj => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: reg
    .groups()
    .filter((g) => g.group !== '')
    .map((g) => groupEntry(g.group, g.versions)),
});

/** `/apis/G` (legacy APIGroup) or undefined when not served. */
export const apiGroup = (reg: Registry, group: string): Obj | undefined => {
  const g = reg.groups().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.group, g.versions) } : undefined;
};

/** `/api/v1` or `/apis/G/V` (legacy APIResourceList) or undefined when not served. */
export const apiResourceList = (reg: Registry, group: string, version: string): Obj | undefined => {
  const defs = reg.resourcesIn(group, version);
  if (defs.length === 0) return undefined;
  const resources: Obj[] = [];
  for (const d of defs) {
    resources.push({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs,
      ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length > 0 ? { categories: d.categories } : {}),
    });
    for (const s of subresourcesOf(d)) {
      resources.push({
        name: `${d.resource}/${s.name}`,
        singularName: '',
        namespaced: d.namespaced,
        ...(s.group !== d.group || s.version !== d.version ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
};

const aggregatedResource = (d: ResourceDef): Obj => ({
  resource: d.resource,
  responseKind: { group: d.group, version: d.version, kind: d.kind },
  scope: d.namespaced ? 'Namespaced' : 'Cluster',
  singularResource: d.singular,
  verbs: d.verbs,
  ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
  ...(d.categories.length > 0 ? { categories: d.categories } : {}),
  ...(subresourcesOf(d).length > 0
    ? {
        subresources: subresourcesOf(d).map((s) => ({
          subresource: s.name,
          responseKind: { group: s.group, version: s.version, kind: s.kind },
          verbs: s.verbs,
        })),
      }
    : {}),
});

/** Aggregated discovery for `/api` (core) or `/apis` (all named groups). */
export const aggregatedDiscovery = (reg: Registry, which: 'api' | 'apis', apiVersion: 'v2' | 'v2beta1'): Obj => {
  const items: Obj[] = [];
  for (const g of reg.groups()) {
    if ((which === 'api') !== (g.group === '')) continue;
    items.push({
      metadata: which === 'api' ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: reg.resourcesIn(g.group, v).map(aggregatedResource),
        freshness: 'Current',
      })),
    });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
};

/** Which aggregated discovery version an Accept header asks for, if any. */
export const wantsAggregated = (accept: string | undefined): 'v2' | 'v2beta1' | undefined => {
  if (!accept || !accept.includes('apidiscovery.k8s.io')) return undefined;
  const parts = accept.split(',').map((p) => p.replace(/\s+/g, ''));
  for (const p of parts) {
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (/v=v2(;|$)/.test(p)) return 'v2';
  }
  return undefined;
};
