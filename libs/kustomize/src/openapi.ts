// A custom OpenAPI (v2) schema for strategic merge (`openapi: { path }` of the top kustomization). kustomize
// hands it to kyaml, which then uses it INSTEAD of its built-in Kubernetes schema: kinds it does not define
// (built-ins included) have every list replaced. A definition applies to the kinds in its
// `x-kubernetes-group-version-kind`; lists with `x-kubernetes-patch-strategy: merge` merge by
// `x-kubernetes-patch-merge-key` (as sets without a key), everything else is replaced. `$ref: #/definitions/…` is followed.
import { parse } from 'yaml';
import { noSmpTypeInfo, type ListMergeInfo, type SmpTypeInfo } from './patches/type-info.ts';
import { isMap, KustomizeError, type KObject } from './resource.ts';

/** Returns the strategic-merge facts of a kind. */
export type TypeInfoLookup = (apiVersion: string, kind: string) => SmpTypeInfo;

const REF = '#/definitions/';

/** Parses a schema document (JSON or YAML) into a type-info lookup. */
export function openApiTypeInfo(text: string, file: string): TypeInfoLookup {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KustomizeError(`unable to parse OpenAPI schema '${file}': ${(err as Error).message}`, { cause: err });
  }
  const defs =
    isMap(doc as KObject) && isMap((doc as KObject)['definitions']) ? ((doc as KObject)['definitions'] as KObject) : {};
  const byGvk = new Map<string, KObject>();
  for (const def of Object.values(defs)) {
    if (!isMap(def) || !Array.isArray(def['x-kubernetes-group-version-kind'])) continue;
    for (const g of def['x-kubernetes-group-version-kind']) {
      if (!isMap(g)) continue;
      const group = typeof g['group'] === 'string' ? g['group'] : '';
      const apiVersion = group ? `${group}/${String(g['version'])}` : String(g['version']);
      byGvk.set(`${apiVersion}|${String(g['kind'])}`, def);
    }
  }
  const resolve = (s: KObject | undefined, depth = 0): KObject | undefined => {
    if (s === undefined || depth > 64) return s;
    const ref = s['$ref'];
    if (typeof ref === 'string' && ref.startsWith(REF)) {
      const target = defs[ref.slice(REF.length)];
      return resolve(isMap(target) ? target : undefined, depth + 1);
    }
    return s;
  };
  const at = (root: KObject, path: readonly string[]): KObject | undefined => {
    let cur = resolve(root);
    for (const seg of path) {
      // list items share the list's path: step into `items` first
      if (cur !== undefined && isMap(cur['items'])) cur = resolve(cur['items']);
      const props = cur !== undefined && isMap(cur['properties']) ? cur['properties'] : undefined;
      const next = props?.[seg];
      cur = isMap(next) ? resolve(next) : undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  };
  return (apiVersion, kind) => {
    const root = byGvk.get(`${apiVersion}|${kind}`);
    if (root === undefined) return noSmpTypeInfo;
    return {
      list(path): ListMergeInfo | undefined {
        const s = at(root, path);
        if (s === undefined) return undefined;
        // kyaml merges only with `x-kubernetes-patch-strategy: merge` (a merge key alone, list-type map/set: replaced)
        const strategy = s['x-kubernetes-patch-strategy'];
        if (typeof strategy !== 'string' || !strategy.split(',').includes('merge')) return undefined;
        const key = s['x-kubernetes-patch-merge-key'];
        return typeof key === 'string' && key !== '' ? { key } : {};
      },
    };
  };
}
