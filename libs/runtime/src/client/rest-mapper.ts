/**
 * Discovery-backed REST mapping (kind → resource, scope), like controller-runtime's lazy RESTMapper: one
 * discovery document per group/version, fetched on first use and fetched again when a kind is missing from it
 * (CRDs are installed after start). Concurrent lookups share one discovery request.
 */
import { isNotFound, NoKindMatchError } from './errors.ts';
import { splitApiVersion, type GroupVersionKind, type RestMapping } from './types.ts';

/** One entry of an `APIResourceList`. */
interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Fetches `/api/v1` or `/apis/<group>/<version>`; resolves undefined when the group/version is not served. */
export type DiscoveryFetcher = (
  path: string,
  signal?: AbortSignal,
) => Promise<{ resources?: ApiResource[] } | undefined>;

/** The discovery path of a group/version. */
export function discoveryPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Builds mappings from an APIResourceList (pure). */
export function mappingsFromResourceList(
  group: string,
  version: string,
  resources: ApiResource[],
): Map<string, RestMapping> {
  const byKind = new Map<string, RestMapping>();
  const subs = new Map<string, string[]>();
  for (const r of resources) {
    const slash = r.name.indexOf('/');
    if (slash >= 0) {
      const parent = r.name.slice(0, slash);
      subs.set(parent, [...(subs.get(parent) ?? []), r.name.slice(slash + 1)]);
    }
  }
  for (const r of resources) {
    if (r.name.includes('/') || byKind.has(r.kind)) continue;
    byKind.set(r.kind, {
      resource: r.name,
      namespaced: r.namespaced,
      group,
      version,
      subresources: subs.get(r.name) ?? [],
    });
  }
  return byKind;
}

/** Caches REST mappings per group/version and refreshes a group/version on a miss. */
export class RestMapper {
  readonly #fetch: DiscoveryFetcher;
  readonly #cache = new Map<string, Map<string, RestMapping>>();
  readonly #inflight = new Map<string, Promise<Map<string, RestMapping>>>();

  constructor(fetch: DiscoveryFetcher) {
    this.#fetch = fetch;
  }

  /**
   * The mapping of a kind.
   * @throws NoKindMatchError when the group/version does not serve the kind, even after a refresh
   */
  async resourceFor(gvk: GroupVersionKind, signal?: AbortSignal): Promise<RestMapping> {
    const { group, version } = splitApiVersion(gvk.apiVersion);
    const gv = `${group}/${version}`;
    const cached = this.#cache.get(gv)?.get(gvk.kind);
    if (cached) return cached;
    const fresh = await this.#refresh(group, version, signal);
    const m = fresh.get(gvk.kind);
    if (!m) throw new NoKindMatchError(gvk.apiVersion, gvk.kind);
    return m;
  }

  /** Forgets every cached mapping (the next lookups go to discovery). */
  reset(): void {
    this.#cache.clear();
  }

  #refresh(group: string, version: string, signal?: AbortSignal): Promise<Map<string, RestMapping>> {
    const gv = `${group}/${version}`;
    const pending = this.#inflight.get(gv);
    if (pending) return pending;
    const p = (async () => {
      try {
        const list = await this.#fetch(discoveryPath(group, version), signal);
        const m = mappingsFromResourceList(group, version, list?.resources ?? []);
        this.#cache.set(gv, m);
        return m;
      } catch (err) {
        if (isNotFound(err)) {
          this.#cache.delete(gv);
          return new Map<string, RestMapping>();
        }
        throw err;
      } finally {
        this.#inflight.delete(gv);
      }
    })();
    this.#inflight.set(gv, p);
    return p;
  }
}
