// Name-reference rewriting (kustomize's nameReference transformer, run once after all transformations):
// when a referenced object (ConfigMap, Secret, Service, ServiceAccount, ...) was renamed, fields that refer to it
// by its old name are updated. Default referrer field specs are facts from kustomize's builtinpluginconsts.
import { specSelects, visitField, type FieldSpec } from './field-specs.ts';
import {
  CLUSTER_SCOPED_KINDS,
  gvkOf,
  idOf,
  isMap,
  type Gvk,
  type KObject,
  type ResId,
  type Resource,
} from './resource.ts';
import type { YamlValue } from './yaml-emit.ts';

/** A referenced kind and the fields that refer to it. */
export interface NameRefSpec {
  target: { group?: string; version?: string; kind: string };
  referrers: FieldSpec[];
}

const f = (kind: string, path: string, group?: string, version?: string): FieldSpec => ({
  kind,
  path,
  group,
  version,
  create: false,
});

const POD_TEMPLATE_KINDS = ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job'];

function podRefs(prefixes: [string, string][], suffixes: string[]): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [kind, prefix] of prefixes) for (const s of suffixes) out.push(f(kind, prefix + s));
  return out;
}

const podPrefixes = (withPod: boolean): [string, string][] => [
  ...(withPod ? ([['Pod', 'spec/']] as [string, string][]) : []),
  ...POD_TEMPLATE_KINDS.map((k): [string, string] => [k, 'spec/template/spec/']),
  ['CronJob', 'spec/jobTemplate/spec/template/spec/'],
];

const CONFIGMAP_SUFFIXES = [
  'volumes/configMap/name',
  'containers/env/valueFrom/configMapKeyRef/name',
  'initContainers/env/valueFrom/configMapKeyRef/name',
  'containers/envFrom/configMapRef/name',
  'initContainers/envFrom/configMapRef/name',
  'volumes/projected/sources/configMap/name',
];
const SECRET_SUFFIXES = [
  'volumes/secret/secretName',
  'containers/env/valueFrom/secretKeyRef/name',
  'initContainers/env/valueFrom/secretKeyRef/name',
  'containers/envFrom/secretRef/name',
  'initContainers/envFrom/secretRef/name',
  'imagePullSecrets/name',
  'volumes/projected/sources/secret/name',
];
const WORKLOADS_FOR_SIMPLE = ['StatefulSet', 'Deployment', 'ReplicationController', 'Job', 'DaemonSet'];
function simpleRefs(suffix: string): FieldSpec[] {
  return [
    f('Pod', `spec/${suffix}`),
    ...WORKLOADS_FOR_SIMPLE.map((k) => f(k, `spec/template/spec/${suffix}`)),
    f('CronJob', `spec/jobTemplate/spec/template/spec/${suffix}`),
  ];
}

/** kustomize's default nameReference configuration. */
export const DEFAULT_NAME_REFERENCES: NameRefSpec[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    target: { kind },
    referrers: [f('HorizontalPodAutoscaler', 'spec/scaleTargetRef/name')],
  })),
  {
    target: { kind: 'ConfigMap', version: 'v1' },
    referrers: [
      ...podRefs(podPrefixes(true), CONFIGMAP_SUFFIXES),
      f('Node', 'spec/configSource/configMap'),
      f('Role', 'rules/resourceNames'),
      f('ClusterRole', 'rules/resourceNames'),
      f('Ingress', 'metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap'),
      f('Service', 'spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'serving.knative.dev', 'v1'),
      f('Service', 'spec/template/spec/containers/envFrom/configMapRef/name', 'serving.knative.dev', 'v1'),
    ],
  },
  {
    target: { kind: 'Secret', version: 'v1' },
    referrers: [
      ...podRefs(podPrefixes(true), SECRET_SUFFIXES),
      f('Ingress', 'spec/tls/secretName'),
      f('Ingress', 'metadata/annotations/ingress.kubernetes.io\\/auth-secret'),
      f('Ingress', 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret'),
      f('Ingress', 'metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret'),
      f('ServiceAccount', 'imagePullSecrets/name'),
      f('StorageClass', 'parameters/secretName'),
      f('StorageClass', 'parameters/adminSecretName'),
      f('StorageClass', 'parameters/userSecretName'),
      f('StorageClass', 'parameters/secretRef'),
      f('Role', 'rules/resourceNames'),
      f('ClusterRole', 'rules/resourceNames'),
      f('Service', 'spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'serving.knative.dev', 'v1'),
      f('PersistentVolume', 'spec/azureFile/secretName'),
    ],
  },
  {
    target: { kind: 'Service', version: 'v1' },
    referrers: [
      f('StatefulSet', 'spec/serviceName', 'apps'),
      f('Ingress', 'spec/rules/http/paths/backend/serviceName'),
      f('Ingress', 'spec/backend/serviceName'),
      f('Ingress', 'spec/rules/http/paths/backend/service/name'),
      f('Ingress', 'spec/defaultBackend/service/name'),
      f('APIService', 'spec/service/name', 'apiregistration.k8s.io'),
      f('ValidatingWebhookConfiguration', 'webhooks/clientConfig/service', 'admissionregistration.k8s.io'),
      f('MutatingWebhookConfiguration', 'webhooks/clientConfig/service', 'admissionregistration.k8s.io'),
    ],
  },
  {
    target: { kind: 'Role', group: 'rbac.authorization.k8s.io' },
    referrers: [f('RoleBinding', 'roleRef/name', 'rbac.authorization.k8s.io')],
  },
  {
    target: { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io' },
    referrers: [
      f('RoleBinding', 'roleRef/name', 'rbac.authorization.k8s.io'),
      f('ClusterRoleBinding', 'roleRef/name', 'rbac.authorization.k8s.io'),
    ],
  },
  {
    target: { kind: 'ServiceAccount', version: 'v1' },
    referrers: [
      f('RoleBinding', 'subjects', 'rbac.authorization.k8s.io'),
      f('ClusterRoleBinding', 'subjects', 'rbac.authorization.k8s.io'),
      ...simpleRefs('serviceAccountName'),
    ],
  },
  {
    target: { kind: 'PersistentVolumeClaim', version: 'v1' },
    referrers: simpleRefs('volumes/persistentVolumeClaim/claimName'),
  },
  {
    target: { kind: 'PersistentVolume', version: 'v1' },
    referrers: [f('PersistentVolumeClaim', 'spec/volumeName'), f('ClusterRole', 'rules/resourceNames')],
  },
  {
    target: { kind: 'StorageClass', version: 'v1', group: 'storage.k8s.io' },
    referrers: [
      f('PersistentVolume', 'spec/storageClassName'),
      f('PersistentVolumeClaim', 'spec/storageClassName'),
      f('StatefulSet', 'spec/volumeClaimTemplates/spec/storageClassName'),
    ],
  },
  {
    target: { kind: 'PriorityClass', version: 'v1', group: 'scheduling.k8s.io' },
    referrers: simpleRefs('priorityClassName'),
  },
  {
    target: { kind: 'IngressClass', version: 'v1', group: 'networking.k8s.io/v1' },
    referrers: [f('Ingress', 'spec/ingressClassName')],
  },
];

function allIds(r: Resource): ResId[] {
  return [...r.prevIds, idOf(r.obj)];
}

function origId(r: Resource): ResId {
  return r.prevIds[0] ?? idOf(r.obj);
}

function namespaceOfReferrer(referrer: Resource): string {
  return idOf(referrer.obj).namespace;
}

/** Chooses the renamed target that a reference `oldName` in `referrer` means, following kustomize's sieve. */
function selectReferral(
  oldName: string,
  referrer: Resource,
  targetGvk: NameRefSpec['target'],
  candidatesNamed: (name: string) => Resource[],
  refNamespace: string | undefined,
): Resource | undefined {
  let c = candidatesNamed(oldName).filter((r) =>
    allIds(r).some((id) => id.name === oldName && specSelects(targetGvk, id)),
  );
  const referrerNs = refNamespace ?? namespaceOfReferrer(referrer);
  const referrerScoped = CLUSTER_SCOPED_KINDS.has(gvkOf(referrer.obj).kind) && refNamespace === undefined;
  c = c.filter((r) => {
    const tid = idOf(r.obj);
    if (CLUSTER_SCOPED_KINDS.has(tid.kind)) return true;
    if (referrerScoped) return true;
    return norm(tid.namespace) === norm(referrerNs) || allIds(r).some((id) => norm(id.namespace) === norm(referrerNs));
  });
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  const strict = c.filter((r) => norm(idOf(r.obj).namespace) === norm(referrerNs));
  if (strict.length === 1) return strict[0];
  const sameAffixes = c.filter(
    (r) =>
      r.prefixes.join('\0') === referrer.prefixes.join('\0') && r.suffixes.join('\0') === referrer.suffixes.join('\0'),
  );
  if (sameAffixes.length >= 1) {
    const first = sameAffixes[0] as Resource;
    if (sameAffixes.every((r) => getName(r) === getName(first))) return first;
  }
  const first = c[0] as Resource;
  if (c.every((r) => getName(r) === getName(first))) return first;
  return undefined;
}

const norm = (ns: string | undefined): string => (ns ? ns : 'default');

function getName(r: Resource): string {
  return idOf(r.obj).name;
}

/** Rewrites references to renamed resources across `resources` (mutates the objects). */
export function fixNameReferences(resources: Resource[], specs: NameRefSpec[] = DEFAULT_NAME_REFERENCES): void {
  for (const spec of specs) {
    const candidates = resources.filter((r) => allIds(r).some((id) => specSelects(spec.target, id as Gvk)));
    if (candidates.length === 0) continue;
    const renamed = candidates.filter((r) => allIds(r).some((id) => id.name !== getName(r)));
    if (renamed.length === 0) continue;
    // candidates by any of their (current or previous) names: builds can hold thousands of objects
    const byName = new Map<string, Resource[]>();
    for (const r of candidates) {
      for (const name of new Set(allIds(r).map((id) => id.name))) {
        const list = byName.get(name);
        if (list) list.push(r);
        else byName.set(name, [r]);
      }
    }
    const named = (name: string): Resource[] => byName.get(name) ?? [];
    for (const referrer of resources) {
      const gvk = gvkOf(referrer.obj);
      for (const fsp of spec.referrers) {
        if (!specSelects(fsp, gvk)) continue;
        visitField(referrer.obj, fsp.path, false, (parent, key) => {
          const v = parent[key];
          parent[key] = rewrite(v, referrer, spec, named);
        });
      }
    }
  }
}

function rewrite(
  v: YamlValue | undefined,
  referrer: Resource,
  spec: NameRefSpec,
  candidates: (name: string) => Resource[],
): YamlValue {
  if (typeof v === 'string') {
    const t = selectReferral(v, referrer, spec.target, candidates, undefined);
    return t ? getName(t) : v;
  }
  if (Array.isArray(v)) {
    if (spec.target.kind === 'ServiceAccount') {
      // RBAC subjects: rewrite name and namespace of ServiceAccount subjects.
      return v.map((s) => {
        if (!isMap(s) || s['kind'] !== 'ServiceAccount' || typeof s['name'] !== 'string') return s;
        const ns = typeof s['namespace'] === 'string' ? s['namespace'] : '';
        const t = selectReferral(s['name'], referrer, spec.target, candidates, ns);
        if (!t) return s;
        const out: KObject = { ...s, name: getName(t) };
        const tns = idOf(t.obj).namespace;
        if (tns) out['namespace'] = tns;
        return out;
      });
    }
    return v.map((el) => rewrite(el, referrer, spec, candidates));
  }
  if (isMap(v) && spec.target.kind === 'Service' && typeof v['name'] === 'string') {
    // webhook clientConfig.service {name, namespace}
    const ns = typeof v['namespace'] === 'string' ? v['namespace'] : undefined;
    const t = selectReferral(v['name'], referrer, spec.target, candidates, ns);
    if (!t) return v;
    const out: KObject = { ...v, name: getName(t) };
    const tns = idOf(t.obj).namespace;
    if (tns && ns !== undefined) out['namespace'] = tns;
    return out;
  }
  return v ?? null;
}

/** The original id of a resource (before any rename). */
export { origId };
