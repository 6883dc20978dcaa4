/**
 * Strategic-merge facts of the built-in kinds as kustomize's kyaml merge2 sees them: which lists merge by a key
 * (`x-kubernetes-patch-strategy: merge` with `x-kubernetes-patch-merge-key`) and which lists of scalars merge as
 * sets. Every other list is replaced by the patch, and kinds the table does not know (custom resources) have all
 * their lists replaced, which is what kyaml does without a schema. Written by hand from the k8s.io/api struct tags
 * because we ship no OpenAPI document.
 */

/** How the list at one path merges. */
export interface ListMergeInfo {
  /** Merge key of a list of objects; absent for a list of scalars merged as a set. */
  readonly key?: string;
  /** All list-map keys when there are several (`x-kubernetes-list-map-keys`, e.g. containerPort + protocol). */
  readonly keys?: readonly string[];
}

/** Strategic-merge facts of one kind, addressed by property names from the root (list items share the list's path). */
export interface SmpTypeInfo {
  /** The merge behaviour of the list at `path`, or undefined when the list is replaced wholesale. */
  list(path: readonly string[]): ListMergeInfo | undefined;
}

/** One table: dotted path → merge info. */
export type SmpTable = Readonly<Record<string, ListMergeInfo>>;

const by = (key: string): ListMergeInfo => ({ key });
const set: ListMergeInfo = {};

const prefix = (p: string, table: SmpTable): SmpTable =>
  Object.fromEntries(Object.entries(table).map(([k, v]) => [`${p}.${k}`, v]));

const objectMeta: SmpTable = { finalizers: set, ownerReferences: by('uid') };

const container: SmpTable = {
  ports: { key: 'containerPort', keys: ['containerPort', 'protocol'] },
  env: by('name'),
  volumeMounts: by('mountPath'),
  volumeDevices: by('devicePath'),
};

const podSpec: SmpTable = {
  containers: by('name'),
  ...prefix('containers', container),
  initContainers: by('name'),
  ...prefix('initContainers', container),
  ephemeralContainers: by('name'),
  ...prefix('ephemeralContainers', container),
  volumes: by('name'),
  imagePullSecrets: by('name'),
  hostAliases: by('ip'),
  topologySpreadConstraints: { key: 'topologyKey', keys: ['topologyKey', 'whenUnsatisfiable'] },
  resourceClaims: by('name'),
  schedulingGates: by('name'),
};

const podTemplate: SmpTable = { ...prefix('metadata', objectMeta), ...prefix('spec', podSpec) };
const conditions: SmpTable = { 'status.conditions': by('type') };
const workload: SmpTable = { ...prefix('spec.template', podTemplate), ...conditions };
const webhooks: SmpTable = { webhooks: by('name') };

/** Kinds keyed `group/Kind` (core group empty). */
const kinds: Readonly<Record<string, SmpTable>> = {
  '/Pod': { ...prefix('spec', podSpec), ...conditions, 'status.podIPs': by('ip') },
  '/PodTemplate': prefix('template', podTemplate),
  '/ReplicationController': { ...workload },
  '/Service': { 'spec.ports': { key: 'port', keys: ['port', 'protocol'] } },
  '/ServiceAccount': { secrets: by('name') },
  '/Node': { 'spec.podCIDRs': set, 'status.addresses': by('type'), ...conditions },
  '/Namespace': { ...conditions },
  '/PersistentVolumeClaim': { ...conditions },
  'apps/Deployment': workload,
  'apps/ReplicaSet': workload,
  'apps/DaemonSet': workload,
  'apps/StatefulSet': workload,
  'extensions/Deployment': workload,
  'extensions/ReplicaSet': workload,
  'extensions/DaemonSet': workload,
  'batch/Job': workload,
  'batch/CronJob': {
    ...prefix('spec.jobTemplate.metadata', objectMeta),
    ...prefix('spec.jobTemplate.spec.template', podTemplate),
  },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': webhooks,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': webhooks,
  'apiextensions.k8s.io/CustomResourceDefinition': { ...conditions },
  'apiregistration.k8s.io/APIService': { ...conditions },
  'autoscaling/HorizontalPodAutoscaler': { ...conditions },
  'policy/PodDisruptionBudget': { ...conditions },
};

const fromTable = (table: SmpTable): SmpTypeInfo => {
  const map = new Map(Object.entries(table));
  return { list: (path) => map.get(path.join('.')) };
};

/** Type info that knows nothing: every list is replaced (kyaml's behaviour for kinds without a schema). */
export const noSmpTypeInfo: SmpTypeInfo = { list: () => undefined };

/** The strategic-merge facts of `apiVersion`/`kind` (ObjectMeta included); unknown kinds get {@link noSmpTypeInfo}. */
export const smpTypeInfoFor = (apiVersion: string, kind: string): SmpTypeInfo => {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const table = kinds[`${group}/${kind}`];
  if (table === undefined) return noSmpTypeInfo;
  return fromTable({ ...prefix('metadata', objectMeta), ...table });
};
