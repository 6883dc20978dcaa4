import { parseAllDocuments, type ScalarTag } from 'yaml';
import type { YamlValue } from './yaml-emit.ts';

/** An untyped manifest as parsed from YAML (a map of YAML values), not a served object: no field is guaranteed. */
export type KObject = { [key: string]: YamlValue };

/** Group/version/kind of a resource. */
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Identity of a resource: gvk plus name and namespace ('' when unset). */
export interface ResId extends Gvk {
  name: string;
  namespace: string;
}

/** A resource with the bookkeeping kustomize keeps beside it (previous ids, generator options). */
export interface Resource {
  obj: KObject;
  /** Ids this resource had before renames (oldest first); used for name-reference rewriting. */
  prevIds: ResId[];
  /** Set by generators unless disableNameSuffixHash. */
  needsHash: boolean;
  /** Generator behavior for merging into an existing resource. */
  behavior?: 'create' | 'merge' | 'replace';
  /** namePrefix values applied, innermost first. */
  prefixes: string[];
  /** nameSuffix values applied, innermost first. */
  suffixes: string[];
}

/** Error raised by the engine, with the offending file in the message. */
export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

/** Returns true when `v` is a non-array object. */
export function isMap(v: unknown): v is KObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reads a string at a path of map keys, or '' when absent. */
export function getString(obj: KObject, ...path: string[]): string {
  let cur: unknown = obj;
  for (const p of path) {
    if (!isMap(cur)) return '';
    cur = cur[p];
  }
  return typeof cur === 'string' ? cur : '';
}

/** Parses apiVersion into group and version. */
export function gvkOf(obj: KObject): Gvk {
  const apiVersion = getString(obj, 'apiVersion');
  const slash = apiVersion.indexOf('/');
  return {
    group: slash >= 0 ? apiVersion.slice(0, slash) : '',
    version: slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion,
    kind: getString(obj, 'kind'),
  };
}

/** The current id of a resource. */
export function idOf(obj: KObject): ResId {
  return {
    ...gvkOf(obj),
    name: getString(obj, 'metadata', 'name'),
    namespace: getString(obj, 'metadata', 'namespace'),
  };
}

/** kustomize's ResId string form, used in messages ("Deployment.v1.apps/name.ns"). */
export function idString(id: ResId): string {
  // kustomize's ResId.String(): Kind.version.group/name.namespace with [noGrp] / [noNs] placeholders
  return `${id.kind}.${id.version}.${id.group || '[noGrp]'}/${id.name}.${id.namespace || '[noNs]'}`;
}

/** A ResId as Go's `%#v` prints kustomize's resid.ResId (generator merge errors). */
export function goResIdString(id: ResId): string {
  const q = JSON.stringify;
  return `resid.ResId{Gvk:resid.Gvk{Group:${q(id.group)}, Version:${q(id.version)}, Kind:${q(id.kind)}, isClusterScoped:${CLUSTER_SCOPED_KINDS.has(id.kind)}}, Name:${q(id.name)}, Namespace:${q(id.namespace ?? '')}}`;
}

/** Kinds that are cluster-scoped (kustomize's resid.NotNamespaceableKinds). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'APIService',
  'CSIDriver',
  'CSINode',
  'CertificateSigningRequest',
  'Cluster',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PodSecurityPolicy',
  'PriorityClass',
  'RuntimeClass',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'StorageClass',
  'SubjectAccessReview',
  'TokenReview',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** Wraps a plain object as a fresh resource. */
export function newResource(obj: KObject): Resource {
  return { obj, prevIds: [], needsHash: false, prefixes: [], suffixes: [] };
}

/** Deep-copies a JSON-like value. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

function normalise(v: unknown): YamlValue {
  // kyaml converts to JSON: timestamps become RFC 3339 strings.
  if (v instanceof Date) return v.toISOString().replace(/\.000Z$/, 'Z');
  if (Array.isArray(v)) return v.map(normalise);
  if (v instanceof Map) {
    const o: KObject = {};
    for (const [k, val] of v) {
      // kyaml cannot convert a mapping with a non-string key to JSON
      if (typeof k !== 'string')
        throw new KustomizeError(`json: unsupported type: map[interface {}]interface {} (key ${String(k)})`);
      o[k] = normalise(val);
    }
    return o;
  }
  if (v !== null && typeof v === 'object') {
    const o: KObject = {};
    for (const [k, val] of Object.entries(v)) o[k] = normalise(val);
    return o;
  }
  if (typeof v === 'bigint') return Number(v);
  return v as YamlValue;
}

// go-yaml v3 (used by kustomize) reads a leading-zero integer such as 012 as octal.
const goOctalInt: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^[-+]?0[0-7]+$/,
  resolve: (s) => parseInt(s, 8),
};

/** Parses a multi-document YAML stream into objects; `file` names the source in errors. */
export function parseYamlStream(text: string, file: string): YamlValue[] {
  const docs = parseAllDocuments(text, { customTags: (tags) => [goOctalInt, ...tags, 'timestamp'], uniqueKeys: true });
  if (!Array.isArray(docs)) {
    throw new KustomizeError(`failed to parse ${file}: not a YAML stream`);
  }
  const out: YamlValue[] = [];
  for (const d of docs) {
    const err = d.errors[0];
    if (err) throw new KustomizeError(`failed to parse ${file}: ${err.message}`, { cause: err });
    let v: YamlValue;
    try {
      v = normalise(d.toJS({ maxAliasCount: -1, mapAsMap: true }));
    } catch (e) {
      throw new KustomizeError(`failed to parse ${file}: ${(e as Error).message}`, { cause: e });
    }
    if (v === null || v === undefined) continue;
    out.push(v);
  }
  return out;
}
