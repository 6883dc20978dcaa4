/**
 * The per-kind validation of built-in objects that clients observe most: workload selectors, ConfigMap and
 * Secret data (`src/configdata.ts`), and the immutable fields Flux's kustomize-controller recreates objects
 * for (`field is immutable`).
 */
import { validateConfigData } from './configdata.ts';
import type { StatusCause } from './errors.ts';
import { labelSelectorFromObject } from './selectors.ts';
import { deepEqual, getPath, isObj, type Obj } from './util.ts';

const goString = (s: unknown): string => JSON.stringify(String(s));

const goStringMap = (m: unknown): string => {
  if (!isObj(m)) return 'map[string]string(nil)';
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goString(k)}:${goString(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
};

/** `%#v` of a metav1.LabelSelector as the real messages print it. */
const goLabelSelector = (sel: unknown): string => {
  if (!isObj(sel)) return '(*v1.LabelSelector)(nil)';
  const exprs = Array.isArray(sel['matchExpressions'])
    ? `[]v1.LabelSelectorRequirement{${sel['matchExpressions']
        .filter(isObj)
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${goString(e['key'])}, Operator:${goString(e['operator'])}, Values:[]string{${(Array.isArray(e['values']) ? e['values'] : []).map(goString).join(', ')}}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `&v1.LabelSelector{MatchLabels:${goStringMap(sel['matchLabels'])}, MatchExpressions:${exprs}}`;
};

const WORKLOADS = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/DaemonSet', 'apps/StatefulSet', 'batch/Job']);
const STS_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
  'revisionHistoryLimit',
];

/** Where the pod spec of a kind is (its containers are validated as kube-apiserver's ValidatePodSpec does). */
const POD_SPEC_PATHS: Record<string, string> = {
  '/Pod': 'spec',
  '/ReplicationController': 'spec.template.spec',
  'apps/Deployment': 'spec.template.spec',
  'apps/ReplicaSet': 'spec.template.spec',
  'apps/DaemonSet': 'spec.template.spec',
  'apps/StatefulSet': 'spec.template.spec',
  'batch/Job': 'spec.template.spec',
  'batch/CronJob': 'spec.jobTemplate.spec.template.spec',
};

/** `<path>.containers[i].name: Required value` for each container without a name. */
const validateContainerNames = (spec: unknown, path: string): StatusCause[] => {
  if (!isObj(spec)) return [];
  const causes: StatusCause[] = [];
  for (const key of ['initContainers', 'containers']) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isObj(c) && (c['name'] === undefined || c['name'] === null || c['name'] === ''))
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${path}.${key}[${i}].name` });
    });
  }
  return causes;
};

/** ValidateReplicationControllerSpec: a selector, a template, and labels the selector matches. */
const validateReplicationController = (o: Obj): StatusCause[] => {
  const causes: StatusCause[] = [];
  const selector = getPath(o, 'spec.selector');
  const hasSelector = isObj(selector) && Object.keys(selector).length > 0;
  if (!hasSelector) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  const template = getPath(o, 'spec.template');
  if (!isObj(template)) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template' });
    return causes;
  }
  const labels = getPath(template, 'metadata.labels');
  const tl = isObj(labels) ? labels : {};
  if (hasSelector && !Object.entries(selector).every(([k, v]) => tl[k] === v))
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goStringMap(labels)}: selector does not match template labels`,
      field: 'spec.template.metadata.labels',
    });
  const restartPolicy = getPath(template, 'spec.restartPolicy');
  if (restartPolicy !== undefined && restartPolicy !== 'Always')
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${goString(restartPolicy)}: supported values: "Always"`,
      field: 'spec.template.spec.restartPolicy',
    });
  const replicas = getPath(o, 'spec.replicas');
  if (typeof replicas === 'number' && replicas < 0)
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
      field: 'spec.replicas',
    });
  return causes;
};

/** Validation causes for a built-in object (`old` is the stored object on updates). */
export const validateBuiltin = (group: string, kind: string, o: Obj, old: Obj | undefined): StatusCause[] => {
  const key = `${group}/${kind}`;
  if (key === '/ConfigMap' || key === '/Secret') return validateConfigData(kind, o, old);
  const causes: StatusCause[] = [];
  const podSpecPath = POD_SPEC_PATHS[key];
  if (podSpecPath !== undefined) causes.push(...validateContainerNames(getPath(o, podSpecPath), podSpecPath));
  if (key === '/ReplicationController') causes.push(...validateReplicationController(o));
  if (WORKLOADS.has(key) && !(key === 'batch/Job' && getPath(o, 'spec.selector') === undefined)) {
    const sel = getPath(o, 'spec.selector');
    if (!isObj(sel) || (!isObj(sel['matchLabels']) && !Array.isArray(sel['matchExpressions']))) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
    } else {
      const labels = getPath(o, 'spec.template.metadata.labels');
      if (!labelSelectorFromObject(sel)(isObj(labels) ? labels : {})) {
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${goStringMap(labels)}: \`selector\` does not match template \`labels\``,
          field: 'spec.template.metadata.labels',
        });
      }
    }
  }
  if (!old) return causes;
  if (WORKLOADS.has(key) && key !== 'batch/Job') {
    const before = getPath(old, 'spec.selector');
    const after = getPath(o, 'spec.selector');
    if (!deepEqual(before, after))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goLabelSelector(after)}: field is immutable`,
        field: 'spec.selector',
      });
  }
  if (key === 'batch/Job') {
    if (!deepEqual(getPath(old, 'spec.selector'), getPath(o, 'spec.selector'))) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goLabelSelector(getPath(o, 'spec.selector'))}: field is immutable`,
        field: 'spec.selector',
      });
    }
    if (!deepEqual(getPath(old, 'spec.template'), getPath(o, 'spec.template'))) {
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: core.PodTemplateSpec{...}: field is immutable',
        field: 'spec.template',
      });
    }
  }
  if (key === 'apps/StatefulSet') {
    const strip = (x: Obj): Obj => {
      const spec = { ...((x['spec'] ?? {}) as Obj) };
      for (const f of STS_MUTABLE) delete spec[f];
      return spec;
    };
    if (!deepEqual(strip(old), strip(o))) {
      causes.push({
        reason: 'FieldValueForbidden',
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        field: 'spec',
      });
    }
  }
  if (key === '/Service') {
    const before = getPath(old, 'spec.clusterIP');
    const after = getPath(o, 'spec.clusterIP');
    if (typeof before === 'string' && before !== '' && after !== before) {
      const ips = getPath(o, 'spec.clusterIPs');
      const shown = Array.isArray(ips) && ips[0] !== before ? ips : [after ?? ''];
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(shown)}: may not change once set`,
        field: 'spec.clusterIPs[0]',
      });
    }
  }
  if (key === '/PersistentVolumeClaim') {
    const strip = (x: Obj): Obj => {
      const spec = structuredClone((x['spec'] ?? {}) as Obj);
      if (isObj(spec['resources'])) delete spec['resources']['requests'];
      delete spec['volumeAttributesClassName'];
      return spec;
    };
    if (!deepEqual(strip(old), strip(o))) {
      causes.push({
        reason: 'FieldValueForbidden',
        message:
          'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        field: 'spec',
      });
    }
  }
  if (key === 'rbac.authorization.k8s.io/RoleBinding' || key === 'rbac.authorization.k8s.io/ClusterRoleBinding') {
    if (!deepEqual(getPath(old, 'roleRef'), getPath(o, 'roleRef'))) {
      const r = getPath(o, 'roleRef');
      const ref = isObj(r)
        ? `rbac.RoleRef{APIGroup:${goString(r['apiGroup'] ?? '')}, Kind:${goString(r['kind'] ?? '')}, Name:${goString(r['name'] ?? '')}}`
        : 'rbac.RoleRef{}';
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${ref}: cannot change roleRef`,
        field: 'roleRef',
      });
    }
  }
  return causes;
};
