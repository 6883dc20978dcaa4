/** kustomize's resource selection: the `target` of patches and replacements. */
// The subpath keeps the CEL engine of @flux-ts/schema's main entry out of the kustomize bin's startup.
import { matchesLabelRequirements, parseLabelSelector } from '@flux-ts/schema/label-selector';
import type { KObject } from '../resource.ts';

/** A resource id as kustomize selectors see it; empty fields match anything. */
export interface ResIdSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** A patch `target`: id fields are anchored regular expressions, plus label and annotation selectors. */
export interface Selector extends ResIdSelector {
  labelSelector?: string;
  annotationSelector?: string;
}

/** The identity of one resource. */
export interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

/** Hooks for selection: earlier ids of a resource (before prefixes, suffixes, namespaces) and cluster scope. */
export interface SelectOptions {
  /** Ids the resource had before transformers renamed it; kustomize matches the original and the current id. */
  previousIds?: (resource: KObject) => readonly ResId[];
  /** True for cluster-scoped kinds; defaults to {@link isClusterScoped}. */
  clusterScoped?: (group: string, kind: string) => boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

const clusterKinds = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/IngressClass',
  'node.k8s.io/RuntimeClass',
  'policy/PodSecurityPolicy',
  'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

/** Whether kustomize treats a built-in kind as cluster-scoped (unknown kinds are namespaced). */
export const isClusterScoped = (group: string, kind: string): boolean => clusterKinds.has(`${group}/${kind}`);

/** The id of a plain resource object. */
export const resIdOf = (r: KObject): ResId => {
  const apiVersion = str(r['apiVersion']);
  const slash = apiVersion.indexOf('/');
  const meta = (typeof r['metadata'] === 'object' && r['metadata'] !== null ? r['metadata'] : {}) as KObject;
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: str(r['kind']),
    name: str(meta['name']),
    namespace: str(meta['namespace']),
  };
};

/** kustomize's effective namespace: `default` for an empty one, a sentinel for cluster-scoped kinds. */
export const effectiveNamespace = (id: ResId, options: SelectOptions = {}): string => {
  const cluster = (options.clusterScoped ?? isClusterScoped)(id.group, id.kind);
  if (cluster) return '_non_namespaceable_';
  return id.namespace === '' ? 'default' : id.namespace;
};

const anchored = (pattern: string): RegExp => {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new Error(`failed to compile selector regex ${JSON.stringify(pattern)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
};

/**
 * Whether a label (or annotation) map satisfies a selector string (kustomize parses it with labels.Parse); an empty
 * selector matches everything.
 * @throws LabelSelectorError (@flux-ts/schema) with apimachinery's message for a malformed selector
 */
export const matchesLabelSelector = (labels: Readonly<Record<string, unknown>>, selector: string): boolean =>
  matchesLabelRequirements(parseLabelSelector(selector), labels);

const metaMap = (r: KObject, field: 'labels' | 'annotations'): Record<string, unknown> => {
  const meta = r['metadata'];
  if (typeof meta !== 'object' || meta === null) return {};
  const m = (meta as KObject)[field];
  return typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {};
};

/** A compiled selector: `matches(resource)` applies kustomize's `Select` rules. */
export const compileSelector = (selector: Selector, options: SelectOptions = {}) => {
  const rx = (p: string | undefined): RegExp | undefined => (p === undefined || p === '' ? undefined : anchored(p));
  const group = rx(selector.group);
  const version = rx(selector.version);
  const kind = rx(selector.kind);
  const name = rx(selector.name);
  const namespace = rx(selector.namespace);
  const idMatches = (id: ResId, ids: readonly ResId[]): boolean => {
    const all = [id, ...ids];
    if (namespace && !all.some((i) => namespace.test(effectiveNamespace(i, options)))) return false;
    if (name && !all.some((i) => name.test(i.name))) return false;
    if (group && !group.test(id.group)) return false;
    if (version && !version.test(id.version)) return false;
    if (kind && !kind.test(id.kind)) return false;
    return true;
  };
  return {
    /** True when the resource's current or a previous id, and its labels and annotations, match. */
    matches: (resource: KObject): boolean => {
      const id = resIdOf(resource);
      if (!idMatches(id, options.previousIds?.(resource) ?? [])) return false;
      if (selector.labelSelector && !matchesLabelSelector(metaMap(resource, 'labels'), selector.labelSelector))
        return false;
      if (
        selector.annotationSelector &&
        !matchesLabelSelector(metaMap(resource, 'annotations'), selector.annotationSelector)
      )
        return false;
      return true;
    },
    /** True when one of the given ids matches (id fields only, no label/annotation selectors). */
    matchesId: (id: ResId): boolean => idMatches(id, []),
  };
};

/** The resources a patch `target` selects, in input order (kustomize's `ResMap.Select`). */
export const selectTargets = <T extends KObject>(
  resources: readonly T[],
  selector: Selector,
  options: SelectOptions = {},
): T[] => {
  const compiled = compileSelector(selector, options);
  return resources.filter((r) => compiled.matches(r));
};
