/** Defaulting and known top-level fields of the built-in kinds (the subset clients and tests observe). */
import { StatusError } from './errors.ts';
import { getPath, isObj, type Obj } from './util.ts';

const setDefault = (o: Obj, key: string, value: unknown): void => {
  if (o[key] === undefined) o[key] = value;
};

const defaultContainer = (c: unknown): void => {
  if (!isObj(c)) return;
  const image = typeof c['image'] === 'string' ? c['image'] : '';
  const tagged = /:[^/]+$/.test(image.split('@')[0] ?? '') || image.includes('@');
  setDefault(c, 'imagePullPolicy', !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  if (Array.isArray(c['ports'])) for (const p of c['ports']) if (isObj(p)) setDefault(p, 'protocol', 'TCP');
};

const defaultPodSpec = (spec: unknown, restartPolicy = 'Always'): void => {
  if (!isObj(spec)) return;
  // SetDefaults_Volume: a volume with no source is an emptyDir
  if (Array.isArray(spec['volumes']))
    for (const v of spec['volumes'])
      if (isObj(v) && Object.keys(v).every((k) => k === 'name' || v[k] === undefined || v[k] === null))
        v['emptyDir'] = {};
  setDefault(spec, 'restartPolicy', restartPolicy);
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers'])
    if (Array.isArray(spec[key])) for (const c of spec[key]) defaultContainer(c);
};

const defaultTemplate = (o: Obj, restartPolicy?: string): void => {
  const tpl = getPath(o, 'spec.template');
  if (isObj(tpl)) {
    if (!isObj(tpl['metadata'])) tpl['metadata'] = {};
    defaultPodSpec(tpl['spec'], restartPolicy);
  }
};

/** Apply Kubernetes defaults of built-in kinds in place. `allocateIp` gives a ClusterIP for new Services. */
export const applyBuiltinDefaults = (group: string, kind: string, o: Obj, allocateIp: () => string): void => {
  const spec = isObj(o['spec']) ? o['spec'] : undefined;
  const k = `${group}/${kind}`;
  switch (k) {
    case 'apps/Deployment':
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      setDefault(spec, 'strategy', {});
      if (isObj(spec['strategy']) && spec['strategy']['type'] === undefined) spec['strategy']['type'] = 'RollingUpdate';
      if (isObj(spec['strategy']) && spec['strategy']['type'] === 'RollingUpdate') {
        setDefault(spec['strategy'], 'rollingUpdate', {});
        const ru = spec['strategy']['rollingUpdate'];
        if (isObj(ru)) {
          setDefault(ru, 'maxUnavailable', '25%');
          setDefault(ru, 'maxSurge', '25%');
        }
      }
      defaultTemplate(o);
      return;
    case 'apps/StatefulSet':
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      defaultTemplate(o);
      return;
    case 'apps/DaemonSet':
      if (!spec) return;
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      defaultTemplate(o);
      return;
    case 'apps/ReplicaSet':
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      defaultTemplate(o);
      return;
    case 'batch/Job':
      if (!spec) return;
      setDefault(spec, 'parallelism', 1);
      setDefault(spec, 'completions', 1);
      setDefault(spec, 'backoffLimit', 6);
      setDefault(spec, 'completionMode', 'NonIndexed');
      setDefault(spec, 'suspend', false);
      defaultTemplate(o, 'Never');
      return;
    case 'batch/CronJob':
      if (!spec) return;
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      return;
    case '/Pod':
      defaultPodSpec(spec);
      if (spec) {
        setDefault(spec, 'enableServiceLinks', true);
        setDefault(spec, 'priority', 0);
      }
      return;
    case '/ReplicationController': {
      if (!spec) return;
      const labels = getPath(o, 'spec.template.metadata.labels');
      if (isObj(labels)) {
        if (!isObj(spec['selector']) || Object.keys(spec['selector']).length === 0) spec['selector'] = { ...labels };
        const m = o['metadata'] as Obj;
        if (!isObj(m['labels']) || Object.keys(m['labels']).length === 0) m['labels'] = { ...labels };
      }
      setDefault(spec, 'replicas', 1);
      defaultTemplate(o);
      return;
    }
    case 'autoscaling/HorizontalPodAutoscaler':
      if (!spec) return;
      setDefault(spec, 'minReplicas', 1);
      if (!Array.isArray(spec['metrics']) || spec['metrics'].length === 0)
        spec['metrics'] = [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        ];
      return;
    case '/Service': {
      if (!spec) return;
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      if (spec['type'] !== 'ExternalName') {
        setDefault(spec, 'clusterIP', allocateIp());
        setDefault(spec, 'clusterIPs', [spec['clusterIP']]);
        setDefault(spec, 'ipFamilies', ['IPv4']);
        setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
        setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      }
      if (Array.isArray(spec['ports'])) {
        for (const p of spec['ports']) {
          if (!isObj(p)) continue;
          setDefault(p, 'protocol', 'TCP');
          setDefault(p, 'targetPort', p['port']);
        }
      }
      return;
    }
    case '/Secret': {
      if (o['type'] === undefined || o['type'] === null || o['type'] === '') o['type'] = 'Opaque';
      // As the v1 → internal conversion: stringData overwrites data keys, and is never stored.
      if (isObj(o['stringData']) && Object.keys(o['stringData']).length > 0) {
        const data = isObj(o['data']) ? o['data'] : {};
        for (const [key, v] of Object.entries(o['stringData']))
          data[key] = Buffer.from(typeof v === 'string' ? v : '').toString('base64');
        o['data'] = data;
      }
      delete o['stringData'];
      return;
    }
    case '/Namespace': {
      if (!isObj(o['spec'])) o['spec'] = {};
      setDefault(o['spec'] as Obj, 'finalizers', ['kubernetes']);
      const m = o['metadata'] as Obj;
      const labels = isObj(m['labels']) ? m['labels'] : {};
      labels['kubernetes.io/metadata.name'] = m['name'];
      m['labels'] = labels;
      return;
    }
    case 'apiextensions.k8s.io/CustomResourceDefinition': {
      if (!spec) return;
      setDefault(spec, 'conversion', { strategy: 'None' });
      const names = spec['names'];
      if (isObj(names)) {
        if (typeof names['kind'] === 'string') {
          setDefault(names, 'singular', names['kind'].toLowerCase());
          setDefault(names, 'listKind', `${names['kind']}List`);
        }
      }
      return;
    }
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding':
      if (Array.isArray(o['subjects']))
        for (const s of o['subjects'])
          if (isObj(s) && (s['kind'] === 'User' || s['kind'] === 'Group'))
            setDefault(s, 'apiGroup', 'rbac.authorization.k8s.io');
      return;
    default:
      return;
  }
};

const COMMON = ['apiVersion', 'kind', 'metadata'];
const TOP_LEVEL: Record<string, string[]> = {
  '/ConfigMap': ['data', 'binaryData', 'immutable'],
  '/Secret': ['data', 'stringData', 'type', 'immutable'],
  '/ServiceAccount': ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  '/Endpoints': ['subsets'],
  'discovery.k8s.io/EndpointSlice': ['addressType', 'endpoints', 'ports'],
  'rbac.authorization.k8s.io/Role': ['rules'],
  'rbac.authorization.k8s.io/ClusterRole': ['rules', 'aggregationRule'],
  'rbac.authorization.k8s.io/RoleBinding': ['roleRef', 'subjects'],
  'rbac.authorization.k8s.io/ClusterRoleBinding': ['roleRef', 'subjects'],
  'storage.k8s.io/StorageClass': [
    'provisioner',
    'parameters',
    'reclaimPolicy',
    'mountOptions',
    'allowVolumeExpansion',
    'volumeBindingMode',
    'allowedTopologies',
  ],
  'scheduling.k8s.io/PriorityClass': ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': ['webhooks'],
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': ['webhooks'],
  'apps/ControllerRevision': ['data', 'revision'],
};
const OPEN_KINDS = new Set(['/Event', 'events.k8s.io/Event']);
const META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** Drop unknown top-level and metadata fields of a built-in object; returns the dropped paths. */
export const pruneBuiltinUnknown = (group: string, kind: string, o: Obj): string[] => {
  const pruned: string[] = [];
  const key = `${group}/${kind}`;
  if (!OPEN_KINDS.has(key)) {
    const allowed = new Set([...COMMON, ...(TOP_LEVEL[key] ?? ['spec', 'status'])]);
    for (const k of Object.keys(o)) {
      if (!allowed.has(k)) {
        pruned.push(k);
        delete o[k];
      }
    }
  }
  pruned.push(...pruneMetadataUnknown(o));
  return pruned;
};

/** Drop unknown metadata fields (any kind); returns the dropped paths. */
export const pruneMetadataUnknown = (o: Obj): string[] => {
  const pruned: string[] = [];
  const m = o['metadata'];
  if (isObj(m)) {
    for (const k of Object.keys(m)) {
      if (!META_FIELDS.has(k)) {
        pruned.push(`metadata.${k}`);
        delete m[k];
      }
    }
  }
  return pruned;
};

const GENERATION_KINDS = new Set([
  '/ReplicationController',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/NetworkPolicy',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
]);

/** Whether Kubernetes tracks `metadata.generation` for a built-in kind. */
export const tracksGeneration = (group: string, kind: string): boolean =>
  (group === 'apps' && kind !== 'ControllerRevision') || group === 'batch' || GENERATION_KINDS.has(`${group}/${kind}`);

const QUANTITY_KEYS = ['cpu', 'memory'];

/** The QoS class kube-apiserver records on a new Pod (pkg/apis/core/helper/qos, cpu and memory only). */
export const podQosClass = (pod: Obj): string => {
  const containers = [
    ...(Array.isArray(getPath(pod, 'spec.containers')) ? (getPath(pod, 'spec.containers') as unknown[]) : []),
    ...(Array.isArray(getPath(pod, 'spec.initContainers')) ? (getPath(pod, 'spec.initContainers') as unknown[]) : []),
  ].filter(isObj);
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = getPath(c, 'resources.requests');
    const limits = getPath(c, 'resources.limits');
    const req = isObj(requests) ? requests : {};
    const lim = isObj(limits) ? limits : {};
    for (const k of QUANTITY_KEYS) {
      if (req[k] !== undefined || lim[k] !== undefined) any = true;
      if (lim[k] === undefined || (req[k] !== undefined && String(req[k]) !== String(lim[k]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
};

/** The status a create strategy gives a new object of a built-in kind (Pod: Pending, RC: 0 replicas), if any. */
export const initialStatus = (group: string, kind: string, o: Obj): Obj | undefined => {
  if (group !== '') return undefined;
  if (kind === 'Pod') return { phase: 'Pending', qosClass: podQosClass(o) };
  if (kind === 'ReplicationController') return { replicas: 0 };
  return undefined;
};

/** Go's `%+v` of a decoded JSON value (`map[metadata:map[labels:invalid]]`). */
const goValue = (v: unknown): string => {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObj(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goValue(v[k])}`)
      .join(' ')}]`;
  return String(v);
};

const goKind = (v: unknown): string =>
  typeof v === 'string'
    ? 'string'
    : typeof v === 'boolean'
      ? 'bool'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'int64'
          : 'float64'
        : Array.isArray(v)
          ? 'slice'
          : 'interface';

/**
 * runtime.DefaultUnstructuredConverter's wording for the scalar mismatch Go's encoding/json reports as
 * `json: cannot unmarshal <json type>[ <value>] into Go struct field … of type <go type>`.
 */
const converterMessage = (decodeError: string): string | undefined => {
  const m = decodeError.match(/^json: cannot unmarshal (\w+)( [^ ]+)? into .* of type (\w+)$/);
  if (!m) return undefined;
  const [, from, value, to] = m as unknown as [string, string, string | undefined, string];
  if (from === 'number' && value !== undefined) return `cannot convert float64 to ${to}`;
  if (from === 'number' && to === 'string') return 'cannot convert int64 to string';
  return `unrecognized type: ${to}`;
};

/**
 * After a strategic merge patch of a built-in object: the 422 kube-apiserver answers when the patched map cannot be
 * converted back to the typed object (runtime.DefaultUnstructuredConverter): `metadata.labels` or
 * `metadata.annotations` that is not a map (`cannot restore map from string`), or a scalar of the wrong type
 * (`decodeError`, the object's first mismatch as encoding/json words it).
 */
export const checkRestorable = (patch: unknown, patched: Obj, decodeError: string | undefined): void => {
  const fail = (reason: string): never => {
    const message = `Invalid value: ${JSON.stringify(goValue(patch))}: ${reason}`;
    throw new StatusError(422, 'Invalid', ` "" is invalid: patch: ${message}`, {
      name: '',
      kind: '',
      causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
    });
  };
  const m = patched['metadata'];
  if (isObj(m)) {
    for (const key of ['labels', 'annotations']) {
      const v = m[key];
      if (v !== undefined && v !== null && !isObj(v)) fail(`cannot restore map from ${goKind(v)}`);
    }
  }
  const converted = decodeError === undefined ? undefined : converterMessage(decodeError);
  if (converted !== undefined) fail(converted);
};
