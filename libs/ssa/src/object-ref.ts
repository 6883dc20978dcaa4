/**
 * Object identities as Flux writes them: the inventory id `<namespace>_<name>_<group>_<kind>` (cli-utils
 * `ObjMetadata`) and the change-set subject `Kind/namespace/name` (`ssa.FmtUnstructured`).
 */
import type { KubeObject } from '@flux-ts/runtime';

/** The identity of an object without its version (cli-utils `ObjMetadata`). */
export interface ObjMetadata {
  namespace: string;
  name: string;
  group: string;
  kind: string;
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function groupOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The version of an apiVersion (`apps/v1` → `v1`). */
export function versionOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

/** The identity of an object. */
export function objMetadataOf(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): ObjMetadata {
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    group: groupOfApiVersion(obj.apiVersion),
    kind: obj.kind,
  };
}

/** The inventory id `<namespace>_<name>_<group>_<kind>` (e.g. `default_podinfo_apps_Deployment`). */
export function objMetadataToId(m: ObjMetadata): string {
  return `${m.namespace}_${m.name}_${m.group}_${m.kind}`;
}

/**
 * Parses an inventory id. Names cannot contain `_`, but namespaces neither, so the split is unambiguous for
 * valid ids. Throws for a malformed id.
 */
export function parseObjMetadataId(id: string): ObjMetadata {
  const parts = id.split('_');
  if (parts.length !== 4) throw new Error(`invalid inventory id '${id}': want <namespace>_<name>_<group>_<kind>`);
  const [namespace, name, group, kind] = parts as [string, string, string, string];
  if (name === '' || kind === '') throw new Error(`invalid inventory id '${id}': name and kind are required`);
  return { namespace, name, group, kind };
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects (Flux's change-set subject). */
export function formatSubject(m: Pick<ObjMetadata, 'namespace' | 'name' | 'kind'>): string {
  return m.namespace ? `${m.kind}/${m.namespace}/${m.name}` : `${m.kind}/${m.name}`;
}

/** {@link formatSubject} of an object. */
export function formatObject(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return formatSubject(objMetadataOf(obj));
}
