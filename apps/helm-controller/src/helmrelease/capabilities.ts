/**
 * `.Capabilities` of a release's cluster, as Helm's `Configuration.getCapabilities` builds them from a real cluster:
 * `KubeVersion` from `GET /version` (gitVersion, major, minor) and `APIVersions` from discovery (`GetVersionSet`:
 * every served group/version plus `<group/version>/<Kind>` of each resource and subresource). Discovery is read
 * aggregated (`/api` and `/apis` as `APIGroupDiscoveryList`, two requests), or per group/version from a server that
 * does not serve it. Results are cached per cluster and identity for a short while, so a steady state does not
 * rediscover on every reconcile.
 */
import { HELM_BUILD_INFO } from '@flux-ts/helm';
import type { Capabilities } from '@flux-ts/helm';
import { errMessage } from '@flux-ts/runtime';
import type { RawGet, ReleaseCluster } from './kube-client.ts';

/** The Accept header of aggregated discovery (client-go's `AcceptV2`), falling back to the legacy lists. */
export const AggregatedDiscoveryAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface DiscoveryResource {
  resource?: string;
  responseKind?: { kind?: string };
  subresources?: { subresource?: string; responseKind?: { kind?: string } }[];
}
interface AggregatedList {
  kind?: string;
  items?: { metadata?: { name?: string }; versions?: { version?: string; resources?: DiscoveryResource[] }[] }[];
}
interface LegacyResourceList {
  groupVersion?: string;
  resources?: { name?: string; kind?: string }[];
}

/** `GetVersionSet` from an aggregated discovery document (`/api` or `/apis`). */
export function versionsFromAggregated(doc: AggregatedList): string[] {
  const out: string[] = [];
  for (const g of doc.items ?? []) {
    const group = g.metadata?.name ?? '';
    for (const v of g.versions ?? []) {
      const gv = group === '' ? (v.version ?? '') : `${group}/${v.version ?? ''}`;
      out.push(gv);
      for (const r of v.resources ?? []) {
        if (r.responseKind?.kind) out.push(`${gv}/${r.responseKind.kind}`);
        for (const sub of r.subresources ?? []) if (sub.responseKind?.kind) out.push(`${gv}/${sub.responseKind.kind}`);
      }
    }
  }
  return out;
}

/** `GetVersionSet` from a legacy resource list (`/api/v1`, `/apis/<group>/<version>`). */
export function versionsFromResourceList(list: LegacyResourceList): string[] {
  const gv = list.groupVersion ?? '';
  return [gv, ...(list.resources ?? []).filter((r) => r.kind).map((r) => `${gv}/${r.kind ?? ''}`)];
}

async function legacyVersions(get: RawGet, signal?: AbortSignal): Promise<string[]> {
  const core = (await get('/api', 'application/json', signal)) as { versions?: string[] };
  const groups = (await get('/apis', 'application/json', signal)) as {
    groups?: { versions?: { groupVersion?: string }[] }[];
  };
  const paths = [
    ...(core.versions ?? []).map((v) => `/api/${v}`),
    ...(groups.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => `/apis/${v.groupVersion ?? ''}`)),
  ];
  const lists = await Promise.all(paths.map((p) => get(p, 'application/json', signal) as Promise<LegacyResourceList>));
  return lists.flatMap(versionsFromResourceList);
}

/** Helm's `getCapabilities` over raw GETs; errors are Helm's (`could not get server version from Kubernetes: …`). */
export async function discoverCapabilities(get: RawGet, signal?: AbortSignal): Promise<Capabilities> {
  let version: { gitVersion?: string; major?: string; minor?: string };
  try {
    version = (await get('/version', 'application/json', signal)) as typeof version;
  } catch (err) {
    throw new Error(`could not get server version from Kubernetes: ${errMessage(err)}`, { cause: err });
  }
  let versions: string[];
  try {
    const core = (await get('/api', AggregatedDiscoveryAccept, signal)) as AggregatedList;
    if (core.kind === 'APIGroupDiscoveryList') {
      const groups = (await get('/apis', AggregatedDiscoveryAccept, signal)) as AggregatedList;
      versions = [...versionsFromAggregated(core), ...versionsFromAggregated(groups)];
    } else {
      versions = await legacyVersions(get, signal);
    }
  } catch (err) {
    throw new Error(`could not get apiVersions from Kubernetes: ${errMessage(err)}`, { cause: err });
  }
  return {
    kubeVersion: { version: version.gitVersion ?? '', major: version.major ?? '', minor: version.minor ?? '' },
    // Helm's VersionSet comes from a Go map (no order); sorted here so renders are reproducible.
    apiVersions: [...new Set(versions)].sort(),
    helmVersion: { ...HELM_BUILD_INFO },
  };
}

/** Options of {@link CapabilitiesCache}. */
export interface CapabilitiesCacheOptions {
  /** How long discovered capabilities are reused, in ms (default 60 s). */
  ttlMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Discovered capabilities per cluster and identity ({@link ReleaseCluster.key}), reused for `ttlMs`. */
export class CapabilitiesCache {
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; caps: Promise<Capabilities> }>();

  constructor(opts: CapabilitiesCacheOptions = {}) {
    this.#ttl = opts.ttlMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** The capabilities of the cluster; undefined when it cannot be asked (no kubeconfig: Helm's defaults apply). */
  async get(cluster: ReleaseCluster, signal?: AbortSignal): Promise<Capabilities | undefined> {
    const get = cluster.getRaw;
    if (get === undefined) return undefined;
    const now = this.#now();
    for (const [k, e] of this.#entries) if (now - e.at >= this.#ttl) this.#entries.delete(k);
    let entry = this.#entries.get(cluster.key);
    if (entry === undefined) {
      entry = { at: now, caps: discoverCapabilities(get, signal) };
      this.#entries.set(cluster.key, entry);
      // a failed discovery is not cached
      const mine = entry;
      entry.caps.catch(() => {
        if (this.#entries.get(cluster.key) === mine) this.#entries.delete(cluster.key);
      });
    }
    return entry.caps;
  }
}
