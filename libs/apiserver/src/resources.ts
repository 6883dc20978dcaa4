/** The one table of built-in kinds the server stores, plus the types CRDs are turned into. */
import { ageOf, getPath, humanDuration, isObj, type Obj } from './util.ts';

/** A Table column: either a CRD-style JSONPath or a function over the object. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  /** CRD-style JSONPath (`.spec.replicas`). */
  jsonPath?: string;
  /** Built-in cell function. */
  cell?: (o: Obj, now: number) => unknown;
}

/** Where a resource's scale subresource reads and writes. */
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One served resource (a kind at one group/version). */
export interface ResourceDef {
  group: string;
  version: string;
  /** Versions served for this resource (storage is shared, conversion None). */
  versions: string[];
  kind: string;
  listKind: string;
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Has a `/status` subresource (main-resource writes ignore status). */
  status: boolean;
  scale?: ScaleSpec;
  columns: PrinterColumn[];
  /** Create-only review resources (no storage). */
  virtual?: boolean;
  /** Set for custom resources (the CRD's name). */
  crd?: string;
  /** Built-in kinds that allow strategic merge patch. */
  strategicMerge: boolean;
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const age: PrinterColumn = { name: 'Age', type: 'string', cell: (o, now) => ageOf(o, now) };
const str = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const count = (v: unknown): number => (isObj(v) ? Object.keys(v).length : 0);
const col = (
  name: string,
  cell: (o: Obj, now: number) => unknown,
  type: PrinterColumn['type'] = 'string',
  priority = 0,
): PrinterColumn => ({ name, type, cell, priority });
const orNone = (v: unknown): string => (typeof v === 'string' && v !== '' ? v : '<none>');
/**
 * The Pod printer's Restarts cell: the containers' restart count, with `(<age> ago)` of the last termination when
 * there were restarts (`printPod`; every init container counts, as there while the pod initializes).
 */
const podRestarts = (o: Obj, now: number): string => {
  let restarts = 0;
  let last = Number.NaN;
  for (const key of ['status.initContainerStatuses', 'status.containerStatuses']) {
    const list = getPath(o, key);
    for (const c of Array.isArray(list) ? list : []) {
      if (!isObj(c)) continue;
      restarts += num(c['restartCount']);
      const at = Date.parse(String(getPath(c, 'lastState.terminated.finishedAt') ?? ''));
      if (!Number.isNaN(at) && !(at <= last)) last = at;
    }
  }
  return restarts !== 0 && !Number.isNaN(last) ? `${restarts} (${humanDuration(now - last)} ago)` : String(restarts);
};
/** The wide columns of kube-apiserver's Pod printer (pkg/printers/internalversion/printers.go `printPod`). */
const podWideColumns: PrinterColumn[] = [
  {
    // status.podIPs[0] (v1's podIP alone is converted into podIPs)
    ...col(
      'IP',
      (o) => {
        const ips = getPath(o, 'status.podIPs');
        const first: unknown = Array.isArray(ips) ? ips[0] : undefined;
        return orNone(isObj(first) ? first['ip'] : getPath(o, 'status.podIP'));
      },
      'string',
      1,
    ),
    description:
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  },
  {
    ...col('Node', (o) => orNone(getPath(o, 'spec.nodeName')), 'string', 1),
    description:
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
  },
  {
    ...col('Nominated Node', (o) => orNone(getPath(o, 'status.nominatedNodeName')), 'string', 1),
    description:
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  },
  {
    // `<true gates>/<gates>`: a gate counts when the pod's condition of its type is True
    ...col(
      'Readiness Gates',
      (o) => {
        const gates = getPath(o, 'spec.readinessGates');
        if (!Array.isArray(gates) || gates.length === 0) return '<none>';
        const conds = getPath(o, 'status.conditions');
        const list = Array.isArray(conds) ? conds.filter(isObj) : [];
        const ok = gates.filter((g) => {
          const c = isObj(g) ? list.find((x) => x['type'] === g['conditionType']) : undefined;
          return c?.['status'] === 'True';
        }).length;
        return `${ok}/${gates.length}`;
      },
      'string',
      1,
    ),
    description:
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  },
];
const labelSelectorString = (sel: unknown): string => {
  if (!isObj(sel)) return '<none>';
  const parts: string[] = [];
  if (isObj(sel['matchLabels']))
    for (const [k, v] of Object.entries(sel['matchLabels'])) parts.push(`${k}=${String(v)}`);
  if (Array.isArray(sel['matchExpressions'])) {
    for (const e of sel['matchExpressions']) {
      if (!isObj(e)) continue;
      const vals = Array.isArray(e['values']) ? e['values'].join(',') : '';
      const op = String(e['operator']);
      if (op === 'In') parts.push(`${String(e['key'])} in (${vals})`);
      else if (op === 'NotIn') parts.push(`${String(e['key'])} notin (${vals})`);
      else if (op === 'Exists') parts.push(String(e['key']));
      else parts.push(`!${String(e['key'])}`);
    }
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
};
const mapString = (v: unknown): string =>
  isObj(v) && Object.keys(v).length > 0
    ? Object.entries(v)
        .map(([k, x]) => `${k}=${String(x)}`)
        .join(',')
    : '<none>';
const conditionTrue = (o: Obj, type: string): boolean => {
  const conds = getPath(o, 'status.conditions');
  return Array.isArray(conds) && conds.some((c) => isObj(c) && c['type'] === type && c['status'] === 'True');
};

interface Spec {
  g: string;
  v: string;
  k: string;
  r?: string;
  ns?: boolean;
  short?: string[];
  cat?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: ScaleSpec;
  cols?: PrinterColumn[];
  virtual?: boolean;
  smp?: boolean;
}

const containerField = (o: Obj, field: string): string => {
  const cs = getPath(o, 'spec.template.spec.containers');
  return Array.isArray(cs) && cs.length > 0
    ? cs.map((c) => (isObj(c) ? String(c[field] ?? '') : '')).join(',')
    : '<none>';
};

const HPA_COLUMNS: PrinterColumn[] = [
  col(
    'Reference',
    (o) => `${String(getPath(o, 'spec.scaleTargetRef.kind'))}/${String(getPath(o, 'spec.scaleTargetRef.name'))}`,
  ),
  col('MinPods', (o) => num(getPath(o, 'spec.minReplicas') ?? 1), 'integer'),
  col('MaxPods', (o) => num(getPath(o, 'spec.maxReplicas')), 'integer'),
  col('Replicas', (o) => num(getPath(o, 'status.currentReplicas')), 'integer'),
  age,
];

const replicasScale: ScaleSpec = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

const SPECS: Spec[] = [
  // core/v1
  {
    g: '',
    v: 'v1',
    k: 'Namespace',
    ns: false,
    short: ['ns'],
    status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    cols: [col('Status', (o) => str(getPath(o, 'status.phase'))), age],
  },
  {
    g: '',
    v: 'v1',
    k: 'ConfigMap',
    short: ['cm'],
    cols: [col('Data', (o) => count(o['data']) + count(o['binaryData']), 'integer'), age],
  },
  {
    g: '',
    v: 'v1',
    k: 'Secret',
    cols: [col('Type', (o) => str(o['type'])), col('Data', (o) => count(o['data']), 'integer'), age],
  },
  {
    g: '',
    v: 'v1',
    k: 'ServiceAccount',
    short: ['sa'],
    cols: [col('Secrets', (o) => (Array.isArray(o['secrets']) ? o['secrets'].length : 0), 'integer'), age],
  },
  {
    g: '',
    v: 'v1',
    k: 'Service',
    short: ['svc'],
    cat: ['all'],
    status: true,
    cols: [
      col('Type', (o) => str(getPath(o, 'spec.type') ?? 'ClusterIP')),
      col('Cluster-IP', (o) => str(getPath(o, 'spec.clusterIP'))),
      col('External-IP', (o) =>
        str(
          Array.isArray(getPath(o, 'spec.externalIPs'))
            ? (getPath(o, 'spec.externalIPs') as string[]).join(',')
            : undefined,
        ),
      ),
      col('Port(s)', (o) => {
        const ports = getPath(o, 'spec.ports');
        return Array.isArray(ports) && ports.length > 0
          ? ports.map((p) => (isObj(p) ? `${String(p['port'])}/${String(p['protocol'] ?? 'TCP')}` : '')).join(',')
          : '<none>';
      }),
      age,
      col('Selector', (o) => mapString(getPath(o, 'spec.selector')), 'string', 1),
    ],
  },
  { g: '', v: 'v1', k: 'Endpoints', r: 'endpoints', short: ['ep'], cols: [col('Endpoints', () => '<none>'), age] },
  {
    g: '',
    v: 'v1',
    k: 'Event',
    short: ['ev'],
    cols: [
      col('Last Seen', (o, now) =>
        ageOf(
          {
            metadata: {
              creationTimestamp: o['lastTimestamp'] ?? o['eventTime'] ?? getPath(o, 'metadata.creationTimestamp'),
            },
          },
          now,
        ),
      ),
      col('Type', (o) => str(o['type'])),
      col('Reason', (o) => str(o['reason'])),
      col(
        'Object',
        (o) =>
          `${String(getPath(o, 'involvedObject.kind') ?? '').toLowerCase()}/${String(getPath(o, 'involvedObject.name') ?? '')}`,
      ),
      col('Message', (o) => str(o['message'])),
    ],
  },
  {
    g: '',
    v: 'v1',
    k: 'Pod',
    short: ['po'],
    cat: ['all'],
    status: true,
    cols: [
      {
        ...col('Ready', (o) => {
          const cs = getPath(o, 'status.containerStatuses');
          const total = Array.isArray(getPath(o, 'spec.containers'))
            ? (getPath(o, 'spec.containers') as unknown[]).length
            : 0;
          const ready = Array.isArray(cs) ? cs.filter((c) => isObj(c) && c['ready'] === true).length : 0;
          return `${ready}/${total}`;
        }),
        description: 'The aggregate readiness state of this pod for accepting traffic.',
      },
      {
        ...col('Status', (o) => str(getPath(o, 'status.phase') ?? 'Pending')),
        description: 'The aggregate status of the containers in this pod.',
      },
      {
        ...col('Restarts', podRestarts),
        description:
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      },
      age,
      ...podWideColumns,
    ],
  },
  {
    g: '',
    v: 'v1',
    k: 'Node',
    ns: false,
    short: ['no'],
    status: true,
    cols: [col('Status', (o) => (conditionTrue(o, 'Ready') ? 'Ready' : 'NotReady')), age],
  },
  {
    g: '',
    v: 'v1',
    k: 'PersistentVolumeClaim',
    short: ['pvc'],
    status: true,
    cols: [
      col('Status', (o) => str(getPath(o, 'status.phase') ?? 'Pending')),
      col('Volume', (o) => str(getPath(o, 'spec.volumeName'))),
      age,
    ],
  },
  {
    g: '',
    v: 'v1',
    k: 'PersistentVolume',
    ns: false,
    short: ['pv'],
    status: true,
    cols: [col('Status', (o) => str(getPath(o, 'status.phase'))), age],
  },
  {
    g: '',
    v: 'v1',
    k: 'ReplicationController',
    short: ['rc'],
    cat: ['all'],
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    cols: [
      col('Desired', (o) => num(getPath(o, 'spec.replicas') ?? 1), 'integer'),
      col('Current', (o) => num(getPath(o, 'status.replicas')), 'integer'),
      col('Ready', (o) => num(getPath(o, 'status.readyReplicas')), 'integer'),
      age,
      col('Containers', (o) => containerField(o, 'name'), 'string', 1),
      col('Images', (o) => containerField(o, 'image'), 'string', 1),
      col('Selector', (o) => mapString(getPath(o, 'spec.selector')), 'string', 1),
    ],
  },
  { g: '', v: 'v1', k: 'LimitRange', short: ['limits'], cols: [age] },
  { g: '', v: 'v1', k: 'ResourceQuota', short: ['quota'], status: true, cols: [age] },
  // apps/v1
  {
    g: 'apps',
    v: 'v1',
    k: 'Deployment',
    short: ['deploy'],
    cat: ['all'],
    status: true,
    scale: replicasScale,
    cols: [
      col('Ready', (o) => `${num(getPath(o, 'status.readyReplicas'))}/${num(getPath(o, 'spec.replicas') ?? 1)}`),
      col('Up-to-date', (o) => num(getPath(o, 'status.updatedReplicas')), 'integer'),
      col('Available', (o) => num(getPath(o, 'status.availableReplicas')), 'integer'),
      age,
    ],
  },
  {
    g: 'apps',
    v: 'v1',
    k: 'StatefulSet',
    short: ['sts'],
    cat: ['all'],
    status: true,
    scale: replicasScale,
    cols: [
      col('Ready', (o) => `${num(getPath(o, 'status.readyReplicas'))}/${num(getPath(o, 'spec.replicas') ?? 1)}`),
      age,
    ],
  },
  {
    g: 'apps',
    v: 'v1',
    k: 'DaemonSet',
    short: ['ds'],
    cat: ['all'],
    status: true,
    cols: [
      col('Desired', (o) => num(getPath(o, 'status.desiredNumberScheduled')), 'integer'),
      col('Current', (o) => num(getPath(o, 'status.currentNumberScheduled')), 'integer'),
      col('Ready', (o) => num(getPath(o, 'status.numberReady')), 'integer'),
      col('Up-to-date', (o) => num(getPath(o, 'status.updatedNumberScheduled')), 'integer'),
      col('Available', (o) => num(getPath(o, 'status.numberAvailable')), 'integer'),
      col('Node Selector', (o) => mapString(getPath(o, 'spec.template.spec.nodeSelector'))),
      age,
    ],
  },
  {
    g: 'apps',
    v: 'v1',
    k: 'ReplicaSet',
    short: ['rs'],
    cat: ['all'],
    status: true,
    scale: replicasScale,
    cols: [
      col('Desired', (o) => num(getPath(o, 'spec.replicas') ?? 1), 'integer'),
      col('Current', (o) => num(getPath(o, 'status.replicas')), 'integer'),
      col('Ready', (o) => num(getPath(o, 'status.readyReplicas')), 'integer'),
      age,
    ],
  },
  {
    g: 'apps',
    v: 'v1',
    k: 'ControllerRevision',
    cols: [col('Controller', () => '<none>'), col('Revision', (o) => num(o['revision']), 'integer'), age],
  },
  // batch/v1
  {
    g: 'batch',
    v: 'v1',
    k: 'Job',
    cat: ['all'],
    status: true,
    cols: [
      col('Status', (o) =>
        conditionTrue(o, 'Complete') ? 'Complete' : conditionTrue(o, 'Failed') ? 'Failed' : 'Running',
      ),
      col('Completions', (o) => `${num(getPath(o, 'status.succeeded'))}/${num(getPath(o, 'spec.completions') ?? 1)}`),
      col('Duration', (o, now) => {
        const start = getPath(o, 'status.startTime');
        if (typeof start !== 'string') return '<none>';
        const end = getPath(o, 'status.completionTime');
        return humanDuration((typeof end === 'string' ? Date.parse(end) : now) - Date.parse(start));
      }),
      age,
    ],
  },
  {
    g: 'batch',
    v: 'v1',
    k: 'CronJob',
    short: ['cj'],
    cat: ['all'],
    status: true,
    cols: [
      col('Schedule', (o) => str(getPath(o, 'spec.schedule'))),
      col('Timezone', (o) => str(getPath(o, 'spec.timeZone'))),
      col('Suspend', (o) => String(getPath(o, 'spec.suspend') === true ? 'True' : 'False')),
      col(
        'Active',
        (o) => (Array.isArray(getPath(o, 'status.active')) ? (getPath(o, 'status.active') as unknown[]).length : 0),
        'integer',
      ),
      col('Last Schedule', (o, now) =>
        getPath(o, 'status.lastScheduleTime')
          ? ageOf({ metadata: { creationTimestamp: getPath(o, 'status.lastScheduleTime') } }, now)
          : '<none>',
      ),
      age,
    ],
  },
  // networking
  {
    g: 'networking.k8s.io',
    v: 'v1',
    k: 'Ingress',
    short: ['ing'],
    status: true,
    cols: [
      col('Class', (o) => str(getPath(o, 'spec.ingressClassName'))),
      col('Hosts', (o) => {
        const rules = getPath(o, 'spec.rules');
        const hosts = Array.isArray(rules)
          ? rules.map((r) => (isObj(r) ? r['host'] : undefined)).filter((h) => typeof h === 'string')
          : [];
        return hosts.length > 0 ? hosts.join(',') : '*';
      }),
      col('Address', () => ''),
      col('Ports', (o) => (getPath(o, 'spec.tls') ? '80, 443' : '80')),
      age,
    ],
  },
  {
    g: 'networking.k8s.io',
    v: 'v1',
    k: 'NetworkPolicy',
    short: ['netpol'],
    cols: [col('Pod-Selector', (o) => labelSelectorString(getPath(o, 'spec.podSelector'))), age],
  },
  {
    g: 'networking.k8s.io',
    v: 'v1',
    k: 'IngressClass',
    ns: false,
    cols: [col('Controller', (o) => str(getPath(o, 'spec.controller'))), age],
  },
  { g: 'discovery.k8s.io', v: 'v1', k: 'EndpointSlice', cols: [col('AddressType', (o) => str(o['addressType'])), age] },
  // storage
  {
    g: 'storage.k8s.io',
    v: 'v1',
    k: 'StorageClass',
    ns: false,
    short: ['sc'],
    cols: [
      col('Provisioner', (o) => str(o['provisioner'])),
      col('ReclaimPolicy', (o) => str(o['reclaimPolicy'] ?? 'Delete')),
      col('VolumeBindingMode', (o) => str(o['volumeBindingMode'] ?? 'Immediate')),
      col('AllowVolumeExpansion', (o) => o['allowVolumeExpansion'] === true, 'boolean'),
      age,
    ],
  },
  {
    g: 'coordination.k8s.io',
    v: 'v1',
    k: 'Lease',
    cols: [col('Holder', (o) => str(getPath(o, 'spec.holderIdentity'))), age],
  },
  // rbac
  {
    g: 'rbac.authorization.k8s.io',
    v: 'v1',
    k: 'Role',
    cols: [col('Created At', (o) => str(getPath(o, 'metadata.creationTimestamp')))],
  },
  {
    g: 'rbac.authorization.k8s.io',
    v: 'v1',
    k: 'ClusterRole',
    ns: false,
    cols: [col('Created At', (o) => str(getPath(o, 'metadata.creationTimestamp')))],
  },
  {
    g: 'rbac.authorization.k8s.io',
    v: 'v1',
    k: 'RoleBinding',
    cols: [col('Role', (o) => `${String(getPath(o, 'roleRef.kind'))}/${String(getPath(o, 'roleRef.name'))}`), age],
  },
  {
    g: 'rbac.authorization.k8s.io',
    v: 'v1',
    k: 'ClusterRoleBinding',
    ns: false,
    cols: [col('Role', (o) => `${String(getPath(o, 'roleRef.kind'))}/${String(getPath(o, 'roleRef.name'))}`), age],
  },
  // apiextensions
  {
    g: 'apiextensions.k8s.io',
    v: 'v1',
    k: 'CustomResourceDefinition',
    ns: false,
    short: ['crd', 'crds'],
    cat: ['api-extensions'],
    status: true,
    cols: [col('Created At', (o) => str(getPath(o, 'metadata.creationTimestamp')), 'date')],
  },
  // autoscaling, policy, scheduling, admission, events
  {
    g: 'autoscaling',
    v: 'v2',
    k: 'HorizontalPodAutoscaler',
    short: ['hpa'],
    cat: ['all'],
    status: true,
    cols: HPA_COLUMNS,
  },
  {
    g: 'autoscaling',
    v: 'v1',
    k: 'HorizontalPodAutoscaler',
    short: ['hpa'],
    cat: ['all'],
    status: true,
    cols: HPA_COLUMNS,
  },
  {
    g: 'policy',
    v: 'v1',
    k: 'PodDisruptionBudget',
    short: ['pdb'],
    status: true,
    cols: [
      col('Min Available', (o) => str(getPath(o, 'spec.minAvailable') ?? 'N/A')),
      col('Max Unavailable', (o) => str(getPath(o, 'spec.maxUnavailable') ?? 'N/A')),
      age,
    ],
  },
  {
    g: 'scheduling.k8s.io',
    v: 'v1',
    k: 'PriorityClass',
    ns: false,
    short: ['pc'],
    cols: [
      col('Value', (o) => num(o['value']), 'integer'),
      col('Global-Default', (o) => o['globalDefault'] === true, 'boolean'),
      age,
    ],
  },
  {
    g: 'admissionregistration.k8s.io',
    v: 'v1',
    k: 'ValidatingWebhookConfiguration',
    ns: false,
    cols: [col('Webhooks', (o) => (Array.isArray(o['webhooks']) ? o['webhooks'].length : 0), 'integer'), age],
  },
  {
    g: 'admissionregistration.k8s.io',
    v: 'v1',
    k: 'MutatingWebhookConfiguration',
    ns: false,
    cols: [col('Webhooks', (o) => (Array.isArray(o['webhooks']) ? o['webhooks'].length : 0), 'integer'), age],
  },
  {
    g: 'events.k8s.io',
    v: 'v1',
    k: 'Event',
    short: ['ev'],
    cols: [col('Reason', (o) => str(o['reason'])), col('Note', (o) => str(o['note'])), age],
  },
  {
    g: 'certificates.k8s.io',
    v: 'v1',
    k: 'CertificateSigningRequest',
    ns: false,
    short: ['csr'],
    status: true,
    cols: [age],
  },
  // reviews (create-only, no storage)
  { g: 'authorization.k8s.io', v: 'v1', k: 'SelfSubjectAccessReview', ns: false, virtual: true, verbs: ['create'] },
  { g: 'authorization.k8s.io', v: 'v1', k: 'SelfSubjectRulesReview', ns: false, virtual: true, verbs: ['create'] },
  { g: 'authorization.k8s.io', v: 'v1', k: 'SubjectAccessReview', ns: false, virtual: true, verbs: ['create'] },
  { g: 'authorization.k8s.io', v: 'v1', k: 'LocalSubjectAccessReview', ns: true, virtual: true, verbs: ['create'] },
  { g: 'authentication.k8s.io', v: 'v1', k: 'TokenReview', ns: false, virtual: true, verbs: ['create'] },
  { g: 'authentication.k8s.io', v: 'v1', k: 'SelfSubjectReview', ns: false, virtual: true, verbs: ['create'] },
];

/** Lower-case plural of a kind the way Kubernetes names resources. */
export const pluralOf = (kind: string): string => {
  const l = kind.toLowerCase();
  if (l.endsWith('s')) return `${l}es`;
  if (l.endsWith('y') && !/[aeiou]y$/.test(l)) return `${l.slice(0, -1)}ies`;
  return `${l}s`;
};

/** The built-in resources (fresh copies, so callers may mutate them). */
export const builtinResources = (): ResourceDef[] =>
  SPECS.map((s) => ({
    group: s.g,
    version: s.v,
    versions: [s.v],
    kind: s.k,
    listKind: `${s.k}List`,
    resource: s.r ?? pluralOf(s.k),
    singular: s.k.toLowerCase(),
    namespaced: s.ns ?? true,
    shortNames: s.short ?? [],
    categories: s.cat ?? [],
    verbs: s.verbs ?? RW,
    status: s.status ?? false,
    ...(s.scale ? { scale: s.scale } : {}),
    columns: s.cols ?? [],
    ...(s.virtual ? { virtual: true } : {}),
    strategicMerge: true,
  }));

/** `group/version` or `version` for the core group. */
export const apiVersionOf = (group: string, version: string): string =>
  group === '' ? version : `${group}/${version}`;

/** Split an apiVersion into group and version. */
export const splitApiVersion = (apiVersion: string): { group: string; version: string } => {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
};
