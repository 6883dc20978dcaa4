// kustomize's builtin transformers that this package owns: namespace, prefix/suffix, labels, annotations,
// images and replicas. Each mutates the resources in place.
import {
  COMMON_ANNOTATION_SPECS,
  COMMON_LABEL_SPECS,
  IMAGE_SPECS,
  METADATA_LABEL_SPECS,
  NAMESPACE_SPECS,
  REPLICA_SPECS,
  specSelects,
  visitField,
  type FieldSpec,
} from './field-specs.ts';
import {
  CLUSTER_SCOPED_KINDS,
  gvkOf,
  idOf,
  idString,
  isMap,
  KustomizeError,
  type KObject,
  type Resource,
} from './resource.ts';
import { emitDocument, type YamlValue } from './yaml-emit.ts';

function recordRename(r: Resource): void {
  r.prevIds.push(idOf(r.obj));
}

function meta(obj: KObject): KObject {
  let m = obj['metadata'];
  if (!isMap(m)) {
    m = {};
    obj['metadata'] = m;
  }
  return m;
}

/** Sets metadata.namespace (namespaced kinds) and the extra namespace fields. */
export function applyNamespace(resources: Resource[], namespace: string, extra: FieldSpec[] = []): void {
  for (const r of resources) {
    const gvk = gvkOf(r.obj);
    if (gvk.kind === 'Namespace') {
      if (idOf(r.obj).name !== namespace) {
        recordRename(r);
        meta(r.obj)['name'] = namespace;
      }
      continue;
    }
    if (!CLUSTER_SCOPED_KINDS.has(gvk.kind)) {
      if (idOf(r.obj).namespace !== namespace) {
        recordRename(r);
        meta(r.obj)['namespace'] = namespace;
      }
    }
    for (const fs of [...NAMESPACE_SPECS, ...extra]) {
      if (specSelects(fs, gvk)) visitField(r.obj, fs.path, fs.create, (p, k) => (p[k] = namespace));
    }
    if ((gvk.kind === 'RoleBinding' || gvk.kind === 'ClusterRoleBinding') && Array.isArray(r.obj['subjects'])) {
      // kustomize's default subject mode: only subjects named "default" (of any kind) move namespace.
      for (const s of r.obj['subjects']) {
        if (isMap(s) && s['name'] === 'default') s['namespace'] = namespace;
      }
    }
  }
}

const NO_AFFIX_KINDS = new Set(['CustomResourceDefinition', 'Namespace']);

/** Adds namePrefix/nameSuffix to metadata.name (not CRDs, APIServices or Namespaces). */
export function applyPrefixSuffix(
  resources: Resource[],
  prefix: string,
  suffix: string,
  extra: { namePrefix: FieldSpec[]; nameSuffix: FieldSpec[] } = { namePrefix: [], nameSuffix: [] },
): void {
  for (const r of resources) {
    const gvk = gvkOf(r.obj);
    if (NO_AFFIX_KINDS.has(gvk.kind)) continue;
    if (gvk.kind === 'APIService' && gvk.group === 'apiregistration.k8s.io') continue;
    const name = idOf(r.obj).name;
    recordRename(r);
    meta(r.obj)['name'] = `${prefix}${name}${suffix}`;
    if (prefix) r.prefixes.push(prefix);
    if (suffix) r.suffixes.push(suffix);
    // custom field specs (configurations, crds x-kubernetes-identity); metadata/name is the default one
    const affix = (specs: FieldSpec[], f: (v: string) => string): void => {
      for (const fs of specs) {
        if (fs.path === 'metadata/name' || !specSelects(fs, gvk)) continue;
        visitField(r.obj, fs.path, fs.create, (p, k) => {
          if (typeof p[k] === 'string') p[k] = f(p[k]);
        });
      }
    };
    if (prefix) affix(extra.namePrefix, (v) => prefix + v);
    if (suffix) affix(extra.nameSuffix, (v) => v + suffix);
  }
}

/** Sets `entries` in the maps the field specs address (kustomize's MapEntrySetter, LabelTransformer's core). */
export function setMapEntries(resources: Resource[], entries: Record<string, string>, specs: FieldSpec[]): void {
  for (const r of resources) {
    const gvk = gvkOf(r.obj);
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      visitField(r.obj, fs.path, fs.create, (parent, key) => {
        let m = parent[key];
        if (!isMap(m)) {
          m = {};
          parent[key] = m;
        }
        for (const [k, v] of Object.entries(entries)) m[k] = v;
      });
    }
  }
}

/** A YAML map as map[string]string (null → ''). */
export function toStringMap(v: YamlValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(v)) return out;
  for (const [k, val] of Object.entries(v)) out[k] = val === null ? '' : String(val);
  return out;
}

/** commonLabels: metadata, selectors and templates. */
export function applyCommonLabels(resources: Resource[], labels: YamlValue | undefined, extra: FieldSpec[] = []): void {
  const m = toStringMap(labels);
  if (Object.keys(m).length > 0) setMapEntries(resources, m, [...COMMON_LABEL_SPECS, ...extra]);
}

/** `labels` entries with includeSelectors / includeTemplates. */
export function applyLabels(
  resources: Resource[],
  labels: YamlValue | undefined,
  extra: { commonLabels: FieldSpec[]; templateLabels: FieldSpec[] } = { commonLabels: [], templateLabels: [] },
): void {
  if (!Array.isArray(labels)) return;
  for (const entry of labels) {
    if (!isMap(entry)) continue;
    const pairs = toStringMap(entry['pairs']);
    if (Object.keys(pairs).length === 0) continue;
    let specs: FieldSpec[];
    if (entry['includeSelectors'] === true) specs = [...COMMON_LABEL_SPECS, ...extra.commonLabels];
    else if (entry['includeTemplates'] === true) specs = [...METADATA_LABEL_SPECS, ...extra.templateLabels];
    else specs = [METADATA_LABEL_SPECS[0] as FieldSpec];
    const custom = Array.isArray(entry['fields']) ? entry['fields'].filter(isMap).map(toFieldSpec) : [];
    setMapEntries(resources, pairs, [...specs, ...custom]);
  }
}

/** A `fieldSpecs` entry of a kustomization or plugin config. */
export function toFieldSpec(o: KObject): FieldSpec {
  const s = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return {
    path: s('path') ?? '',
    kind: s('kind'),
    group: s('group'),
    version: s('version'),
    create: o['create'] === true,
  };
}

/** commonAnnotations. */
export function applyCommonAnnotations(
  resources: Resource[],
  annotations: YamlValue | undefined,
  extra: FieldSpec[] = [],
): void {
  const m = toStringMap(annotations);
  if (Object.keys(m).length > 0) setMapEntries(resources, m, [...COMMON_ANNOTATION_SPECS, ...extra]);
}

/** Splits an image reference into name, tag and digest as kustomize's image.Split does. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let searchName = image;
  let slash = image.indexOf('/');
  if (slash > 0) searchName = image.slice(slash);
  else slash = 0;
  let id = searchName.indexOf('@');
  let ic = searchName.indexOf(':');
  if (ic < 0 && id < 0) return { name: image, tag: '', digest: '' };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += slash;
    return { name: image.slice(0, id), tag: '', digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += slash;
    ic += slash;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += slash;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: '' };
}

interface ImageRule {
  name: string;
  newName: string;
  newTag: string;
  digest: string;
}

function updateImage(value: string, rule: ImageRule): string {
  // kustomize builds this regexp from the image name without escaping it.
  let re: RegExp;
  try {
    re = new RegExp(`^${rule.name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
  } catch {
    return value;
  }
  if (!re.test(value)) return value;
  let { name, tag, digest } = splitImage(value);
  if (rule.newName) name = rule.newName;
  if (rule.newTag && rule.digest) {
    tag = rule.newTag;
    digest = rule.digest;
  } else if (rule.newTag) {
    tag = rule.newTag;
    digest = '';
  } else if (rule.digest) {
    digest = rule.digest;
    tag = '';
  }
  if (tag) name += ':' + tag;
  if (digest) name += '@' + digest;
  return name;
}

function walkContainers(node: YamlValue, fn: (c: KObject) => void): void {
  if (Array.isArray(node)) {
    for (const el of node) walkContainers(el, fn);
    return;
  }
  if (!isMap(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) {
      for (const c of v) if (isMap(c)) fn(c);
    }
    walkContainers(v, fn);
  }
}

/** images: newName / newTag / digest on every container image that matches. */
export function applyImages(resources: Resource[], images: YamlValue | undefined, extra: FieldSpec[] = []): void {
  if (!Array.isArray(images)) return;
  for (const img of images) if (isMap(img)) applyImageTag(resources, img, [...IMAGE_SPECS, ...extra]);
}

/** One image rule (ImageTagTransformer): containers anywhere (kustomize's legacy filter), then the field specs. */
export function applyImageTag(resources: Resource[], img: KObject, specs: FieldSpec[]): void {
  const str = (k: string): string => (img[k] === undefined || img[k] === null ? '' : String(img[k]));
  const rule: ImageRule = {
    name: str('name'),
    newName: str('newName'),
    newTag: str('newTag'),
    digest: str('digest'),
  };
  for (const r of resources) {
    const done = new Set<KObject>();
    walkContainers(r.obj, (c) => {
      if (typeof c['image'] === 'string') c['image'] = updateImage(c['image'], rule);
      done.add(c);
    });
    const gvk = gvkOf(r.obj);
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      visitField(r.obj, fs.path, false, (p, k) => {
        if (!done.has(p) && typeof p[k] === 'string') p[k] = updateImage(p[k], rule);
      });
    }
  }
}

/** replicas: sets spec.replicas on workloads whose (current or earlier) name matches. */
export function applyReplicas(resources: Resource[], replicas: YamlValue | undefined, extra: FieldSpec[] = []): void {
  if (!Array.isArray(replicas)) return;
  // the kustomization's field specs are sorted (kustomize's legacy kind order) before the error lists them
  const gvks = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].map((k) => `${k}.[noVer].[noGrp]`);
  for (const rep of replicas) if (isMap(rep)) applyReplicaCount(resources, rep, [...REPLICA_SPECS, ...extra], gvks);
}

const gvkString = (fs: FieldSpec): string =>
  `${fs.kind || '[noKind]'}.${fs.version || '[noVer]'}.${fs.group || '[noGrp]'}`;

/** One replica rule (ReplicaCountTransformer); fails when no field spec selects a resource of that name. */
export function applyReplicaCount(resources: Resource[], rep: KObject, specs: FieldSpec[], gvks?: string[]): void {
  const name = String(rep['name'] ?? '');
  const count = typeof rep['count'] === 'number' ? rep['count'] : Number(rep['count'] ?? 0);
  let matched = false;
  for (const r of resources) {
    const names = [...r.prevIds.map((i) => i.name), idOf(r.obj).name];
    if (!names.includes(name)) continue;
    const gvk = gvkOf(r.obj);
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      matched = true;
      visitField(r.obj, fs.path, fs.create, (p, k) => (p[k] = count));
    }
  }
  if (!matched) {
    throw new KustomizeError(
      `resource with name ${name} does not match a config with the following GVK [${(gvks ?? specs.map(gvkString)).join(' ')}]`,
    );
  }
}

/** Options of kustomize's NamespaceTransformer. */
export interface NamespaceOptions {
  /** Only set namespace fields that are empty. */
  unsetOnly?: boolean;
  /** Which RoleBinding/ClusterRoleBinding subjects move: `defaultOnly` (default), `allServiceAccounts`, `none`. */
  setRoleBindingSubjects?: string;
}

/**
 * kustomize's NamespaceTransformer with explicit field specs: metadata.namespace of namespaced kinds and RoleBinding
 * subjects are hard-coded (their field specs are dropped), the other field specs are set.
 */
export function applyNamespaceTransformer(
  resources: Resource[],
  namespace: string,
  specs: FieldSpec[],
  opts: NamespaceOptions = {},
): void {
  if (!namespace) return;
  const isRb = (k: string | undefined): boolean => k === 'RoleBinding' || k === 'ClusterRoleBinding';
  const rest = specs.filter((fs) => fs.path !== 'metadata/namespace');
  const set = (p: KObject, k: string): void => {
    if (opts.unsetOnly && p[k] !== undefined && p[k] !== null && p[k] !== '') return;
    p[k] = namespace;
  };
  const mode = opts.setRoleBindingSubjects || 'defaultOnly';
  for (const r of resources) {
    const before = idOf(r.obj);
    const gvk = gvkOf(r.obj);
    if (!CLUSTER_SCOPED_KINDS.has(gvk.kind)) visitField(r.obj, 'metadata/namespace', true, set);
    if (isRb(gvk.kind)) {
      if (Array.isArray(r.obj['subjects']) && mode !== 'none') {
        for (const s of r.obj['subjects']) {
          if (!isMap(s)) continue;
          if (mode === 'allServiceAccounts' ? s['kind'] === 'ServiceAccount' : s['name'] === 'default') {
            set(s, 'namespace');
          }
        }
      }
    }
    for (const fs of rest) {
      if (!specSelects(fs, gvk)) continue;
      visitField(r.obj, fs.path, fs.create, (p, k) => {
        const v = p[k];
        if (isMap(v) || Array.isArray(v)) {
          const kind = isMap(v) ? 'MappingNode' : 'SequenceNode';
          throw new KustomizeError(
            `namespace field specs must target scalar nodes: considering field '${fs.path}' of object ${idString(idOf(r.obj))}: wrong node kind: expected ScalarNode but got ${kind}: node contents:\n${emitDocument(v).trimEnd()}`,
          );
        }
        set(p, k);
      });
    }
    const after = idOf(r.obj);
    if (before.name !== after.name || before.namespace !== after.namespace) r.prevIds.push(before);
  }
}

/**
 * kustomize's PrefixSuffixTransformer (and PrefixTransformer / SuffixTransformer) with explicit field specs: each
 * selecting spec adds the affixes to its field; a `metadata/name` spec also records the rename for name references.
 */
export function applyAffixTransformer(resources: Resource[], prefix: string, suffix: string, specs: FieldSpec[]): void {
  for (const r of resources) {
    const gvk = gvkOf(r.obj);
    if (NO_AFFIX_KINDS.has(gvk.kind)) continue;
    if (gvk.kind === 'APIService' && gvk.group === 'apiregistration.k8s.io') continue;
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      if (fs.path === 'metadata/name') {
        if (prefix) r.prefixes.push(prefix);
        if (suffix) r.suffixes.push(suffix);
        if (prefix || suffix) recordRename(r);
      }
      visitField(r.obj, fs.path, fs.create, (p, k) => {
        const v = p[k];
        p[k] = `${prefix}${v === undefined || v === null ? '' : String(v)}${suffix}`;
      });
    }
  }
}
