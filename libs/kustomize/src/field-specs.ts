// Default field specs of kustomize's builtin transformers (facts from kustomize's builtinpluginconsts), in a
// compact form: "Kind[.group][@version]:path[!]" where a trailing "!" means create-if-missing.
import { idOf, idString, isMap, KustomizeError, type Gvk, type KObject } from './resource.ts';
import type { YamlValue } from './yaml-emit.ts';

/** Where a builtin transformer writes: an optional gvk filter, a slash path and whether to create it. */
export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create: boolean;
}

function fs(kind: string | undefined, path: string, create: boolean, group?: string, version?: string): FieldSpec {
  return { kind, path, create, group, version };
}

const WORKLOAD_TEMPLATES: [string, string | undefined, string | undefined][] = [
  ['ReplicationController', undefined, 'v1'],
  ['Deployment', undefined, undefined],
  ['ReplicaSet', undefined, undefined],
  ['DaemonSet', undefined, undefined],
  ['StatefulSet', 'apps', undefined],
];

/** Labels on metadata and pod templates (also `templateLabels`). */
export const METADATA_LABEL_SPECS: FieldSpec[] = [
  fs(undefined, 'metadata/labels', true),
  ...WORKLOAD_TEMPLATES.map(([k, g, v]) => fs(k, 'spec/template/metadata/labels', true, g, v)),
  fs('StatefulSet', 'spec/volumeClaimTemplates[]/metadata/labels', true, 'apps'),
  fs('Job', 'spec/template/metadata/labels', true, 'batch'),
  fs('CronJob', 'spec/jobTemplate/metadata/labels', true, 'batch'),
  fs('CronJob', 'spec/jobTemplate/spec/template/metadata/labels', true, 'batch'),
];

const AFFINITY = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** commonLabels / labels with includeSelectors: selectors too. */
export const COMMON_LABEL_SPECS: FieldSpec[] = [
  fs('Service', 'spec/selector', true, undefined, 'v1'),
  fs('ReplicationController', 'spec/selector', true, undefined, 'v1'),
  fs('Deployment', 'spec/selector/matchLabels', true),
  ...AFFINITY.map((p) => fs('Deployment', p, false, 'apps')),
  fs('ReplicaSet', 'spec/selector/matchLabels', true),
  fs('DaemonSet', 'spec/selector/matchLabels', true),
  fs('StatefulSet', 'spec/selector/matchLabels', true, 'apps'),
  fs('StatefulSet', 'spec/volumeClaimTemplates[]/metadata/labels', true, 'apps'),
  ...AFFINITY.map((p) => fs('StatefulSet', p, false, 'apps')),
  fs('Job', 'spec/selector/matchLabels', false, 'batch'),
  fs('CronJob', 'spec/jobTemplate/spec/selector/matchLabels', false, 'batch'),
  fs('PodDisruptionBudget', 'spec/selector/matchLabels', false, 'policy'),
  fs('NetworkPolicy', 'spec/podSelector/matchLabels', false, 'networking.k8s.io'),
  fs('NetworkPolicy', 'spec/ingress/from/podSelector/matchLabels', false, 'networking.k8s.io'),
  fs('NetworkPolicy', 'spec/egress/to/podSelector/matchLabels', false, 'networking.k8s.io'),
  ...METADATA_LABEL_SPECS,
];

/** commonAnnotations. */
export const COMMON_ANNOTATION_SPECS: FieldSpec[] = [
  fs(undefined, 'metadata/annotations', true),
  ...WORKLOAD_TEMPLATES.map(([k, , v]) => fs(k, 'spec/template/metadata/annotations', true, undefined, v)),
  fs('Job', 'spec/template/metadata/annotations', true, 'batch'),
  fs('CronJob', 'spec/jobTemplate/metadata/annotations', true, 'batch'),
  fs('CronJob', 'spec/jobTemplate/spec/template/metadata/annotations', true, 'batch'),
];

/** images. */
export const IMAGE_SPECS: FieldSpec[] = [
  fs(undefined, 'spec/containers[]/image', true),
  fs(undefined, 'spec/initContainers[]/image', true),
  fs(undefined, 'spec/template/spec/containers[]/image', true),
  fs(undefined, 'spec/template/spec/initContainers[]/image', true),
];

/** replicas. */
export const REPLICA_SPECS: FieldSpec[] = ['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map(
  (k) => fs(k, 'spec/replicas', true),
);

/** Extra namespace fields beyond metadata/namespace. */
export const NAMESPACE_SPECS: FieldSpec[] = [
  fs('APIService', 'spec/service/namespace', true, 'apiregistration.k8s.io'),
  fs(
    'CustomResourceDefinition',
    'spec/conversion/webhook/clientConfig/service/namespace',
    false,
    'apiextensions.k8s.io',
  ),
];

/** Returns true when a field spec's gvk filter selects `gvk`. */
export function specSelects(spec: { group?: string; version?: string; kind?: string }, gvk: Gvk): boolean {
  if (spec.group && spec.group !== gvk.group) return false;
  if (spec.version && spec.version !== gvk.version) return false;
  if (spec.kind && spec.kind !== gvk.kind) return false;
  return true;
}

/** Splits a field-spec path on unescaped '/'. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && path[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '/') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * Visits every field addressed by `path` (sequences are traversed element-wise), calling `fn(parent, key)` on the
 * last map. With `create`, missing intermediate maps are created (never sequences).
 */
export function visitField(
  obj: KObject,
  path: string,
  create: boolean,
  fn: (parent: KObject, key: string) => void,
): void {
  const parts = splitPath(path).map((p) => (p.endsWith('[]') ? p.slice(0, -2) : p));
  const walk = (node: YamlValue, idx: number): void => {
    if (Array.isArray(node)) {
      for (const el of node) walk(el, idx);
      return;
    }
    if (!isMap(node)) {
      // kustomize's fsslice filter refuses to walk through a scalar
      if (node !== null && node !== undefined) {
        throw new KustomizeError(
          `considering field '${path}' of object ${idString(idOf(obj))}: expected sequence or mapping node`,
        );
      }
      return;
    }
    const key = parts[idx] as string;
    if (idx === parts.length - 1) {
      if (key in node || create) fn(node, key);
      return;
    }
    let next = node[key];
    if (next === undefined || next === null) {
      if (!create) return;
      next = {};
      node[key] = next;
    }
    walk(next, idx + 1);
  };
  walk(obj, 0);
}
