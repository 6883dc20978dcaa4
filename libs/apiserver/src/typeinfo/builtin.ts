/**
 * Hand-curated field semantics of the built-in kinds the server serves, taken from the Go struct tags
 * of k8s.io/api (`+listType`, `+listMapKey`, `+mapType`, `+structType`, `patchStrategy`, `patchMergeKey`).
 * Kubernetes ships these as generated OpenAPI; we have no generator here, so the table is written by hand.
 */
import type { FieldTypeInfo, TypeInfo, TypeInfoTable } from './types.ts';
import { prefixTable, typeInfoFromTable } from './types.ts';

const atomicList: FieldTypeInfo = { list: { listType: 'atomic' } };
const atomicMap: FieldTypeInfo = { mapType: 'atomic' };
const granularMap: FieldTypeInfo = { mapType: 'granular', isMap: true };
const mergeSet: FieldTypeInfo = { list: { listType: 'set' }, patchStrategy: 'merge' };
const mapBy = (key: string, ...more: string[]): FieldTypeInfo => ({
  list: { listType: 'map', keys: [key, ...more] },
  patchMergeKey: key,
  patchStrategy: 'merge',
});
const conditions: FieldTypeInfo = mapBy('type');

/** metav1.ObjectMeta, relative to `metadata`. */
const objectMeta: TypeInfoTable = {
  labels: granularMap,
  annotations: granularMap,
  finalizers: mergeSet,
  // OwnerReference is +structType=atomic: on a list path, mapType describes the items
  ownerReferences: { ...mapBy('uid'), mapType: 'atomic' },
  managedFields: atomicList,
};

/** metav1.LabelSelector is `+structType=atomic`. */
const labelSelector: FieldTypeInfo = atomicMap;

/** core/v1 Container, relative to the container. */
const container: TypeInfoTable = {
  command: atomicList,
  args: atomicList,
  ports: {
    list: { listType: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } },
    patchMergeKey: 'containerPort',
    patchStrategy: 'merge',
  },
  envFrom: atomicList,
  env: mapBy('name'),
  'env.valueFrom.fieldRef': atomicMap,
  'env.valueFrom.resourceFieldRef': atomicMap,
  'env.valueFrom.configMapKeyRef': atomicMap,
  'env.valueFrom.secretKeyRef': atomicMap,
  'resources.limits': granularMap,
  'resources.requests': granularMap,
  'resources.claims': { list: { listType: 'map', keys: ['name'] } },
  resizePolicy: atomicList,
  volumeMounts: mapBy('mountPath'),
  volumeDevices: mapBy('devicePath'),
  'securityContext.capabilities.add': atomicList,
  'securityContext.capabilities.drop': atomicList,
  'livenessProbe.exec.command': atomicList,
  'readinessProbe.exec.command': atomicList,
  'startupProbe.exec.command': atomicList,
  'livenessProbe.httpGet.httpHeaders': atomicList,
  'readinessProbe.httpGet.httpHeaders': atomicList,
  'startupProbe.httpGet.httpHeaders': atomicList,
  'lifecycle.postStart.exec.command': atomicList,
  'lifecycle.preStop.exec.command': atomicList,
};

/** core/v1 PodSpec, relative to the pod spec. */
const podSpec: TypeInfoTable = {
  volumes: { list: { listType: 'map', keys: ['name'] }, patchMergeKey: 'name', patchStrategy: 'merge,retainKeys' },
  'volumes.secret.items': atomicList,
  'volumes.configMap.items': atomicList,
  'volumes.projected.sources': atomicList,
  'volumes.downwardAPI.items': atomicList,
  ...prefixTable('initContainers', container),
  initContainers: mapBy('name'),
  ...prefixTable('containers', container),
  containers: mapBy('name'),
  ...prefixTable('ephemeralContainers', container),
  ephemeralContainers: mapBy('name'),
  imagePullSecrets: { ...mapBy('name'), mapType: 'atomic' }, // LocalObjectReference is +structType=atomic
  nodeSelector: { mapType: 'atomic', isMap: true },
  tolerations: atomicList,
  hostAliases: mapBy('ip'),
  'hostAliases.hostnames': atomicList,
  topologySpreadConstraints: {
    list: { listType: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] },
    patchMergeKey: 'topologyKey',
    patchStrategy: 'merge',
  },
  'topologySpreadConstraints.labelSelector': labelSelector,
  'topologySpreadConstraints.matchLabelKeys': atomicList,
  readinessGates: atomicList,
  resourceClaims: {
    list: { listType: 'map', keys: ['name'] },
    patchMergeKey: 'name',
    patchStrategy: 'merge,retainKeys',
  },
  schedulingGates: mapBy('name'),
  overhead: granularMap,
  'dnsConfig.nameservers': atomicList,
  'dnsConfig.searches': atomicList,
  'dnsConfig.options': atomicList,
  'securityContext.supplementalGroups': atomicList,
  'securityContext.sysctls': atomicList,
  'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution': atomicMap,
  'affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution': atomicList,
  'affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution': atomicList,
  'affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution': atomicList,
  'affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution': atomicList,
  'affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution': atomicList,
};

/** core/v1 PodTemplateSpec, relative to the template. */
const podTemplateSpec: TypeInfoTable = {
  ...prefixTable('metadata', objectMeta),
  ...prefixTable('spec', podSpec),
};

/** Rules every kind shares: ObjectMeta and `status.conditions` merged by type. */
/** ObjectMeta rules alone, under `metadata`. */
export const objectMetaTable: TypeInfoTable = prefixTable('metadata', objectMeta);

const commonTable: TypeInfoTable = {
  ...objectMetaTable,
  'status.conditions': conditions,
};

/** admissionregistration/v1 webhook configurations: webhooks merged by name. */
const webhooks: TypeInfoTable = {
  webhooks: mapBy('name'),
  'webhooks.rules': atomicList,
  'webhooks.namespaceSelector': labelSelector,
  'webhooks.objectSelector': labelSelector,
  'webhooks.admissionReviewVersions': atomicList,
  'webhooks.matchConditions': mapBy('name'),
};

const workloadStatus: TypeInfoTable = { 'status.conditions': conditions };

const kinds: Readonly<Record<string, TypeInfoTable>> = {
  // core/v1
  '/Pod': {
    ...prefixTable('spec', podSpec),
    'status.podIPs': mapBy('ip'),
    'status.hostIPs': { list: { listType: 'atomic' }, patchMergeKey: 'ip', patchStrategy: 'merge' },
    'status.containerStatuses': atomicList,
    'status.initContainerStatuses': atomicList,
    'status.ephemeralContainerStatuses': atomicList,
  },
  '/PodTemplate': prefixTable('template', podTemplateSpec),
  '/ConfigMap': { data: granularMap, binaryData: granularMap },
  '/Secret': { data: granularMap, stringData: granularMap },
  '/ServiceAccount': { secrets: { ...mapBy('name'), mapType: 'atomic' }, imagePullSecrets: atomicList },
  '/Service': {
    'spec.ports': {
      list: { listType: 'map', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } },
      patchMergeKey: 'port',
      patchStrategy: 'merge',
    },
    'spec.selector': { mapType: 'atomic', isMap: true },
    'spec.externalIPs': atomicList,
    'spec.loadBalancerSourceRanges': atomicList,
    'spec.clusterIPs': atomicList,
    'spec.ipFamilies': atomicList,
    'status.loadBalancer.ingress': atomicList,
  },
  '/Endpoints': { subsets: atomicList },
  '/Namespace': { 'spec.finalizers': atomicList },
  '/PersistentVolumeClaim': {
    'spec.accessModes': atomicList,
    'spec.selector': labelSelector,
    'spec.resources.requests': granularMap,
    'spec.resources.limits': granularMap,
    'status.capacity': granularMap,
    'status.accessModes': atomicList,
  },
  '/Event': {},
  '/LimitRange': { 'spec.limits': atomicList },
  '/ResourceQuota': {
    'spec.hard': granularMap,
    'spec.scopes': atomicList,
    'status.hard': granularMap,
    'status.used': granularMap,
  },
  '/PersistentVolume': {
    'spec.accessModes': atomicList,
    'spec.mountOptions': atomicList,
    'spec.capacity': granularMap,
    'spec.claimRef': atomicMap,
  },
  '/Node': {
    'spec.taints': atomicList,
    'spec.podCIDRs': { list: { listType: 'set' }, patchStrategy: 'merge' },
    'status.addresses': mapBy('type'),
    'status.capacity': granularMap,
    'status.allocatable': granularMap,
    'status.images': atomicList,
  },
  // apps/v1
  'apps/Deployment': {
    'spec.selector': labelSelector,
    ...prefixTable('spec.template', podTemplateSpec),
    ...workloadStatus,
  },
  'apps/ReplicaSet': {
    'spec.selector': labelSelector,
    ...prefixTable('spec.template', podTemplateSpec),
    ...workloadStatus,
  },
  'apps/DaemonSet': {
    'spec.selector': labelSelector,
    ...prefixTable('spec.template', podTemplateSpec),
    ...workloadStatus,
  },
  'apps/StatefulSet': {
    'spec.selector': labelSelector,
    ...prefixTable('spec.template', podTemplateSpec),
    'spec.volumeClaimTemplates': atomicList,
    ...workloadStatus,
  },
  // batch/v1
  'batch/Job': {
    'spec.selector': labelSelector,
    ...prefixTable('spec.template', podTemplateSpec),
    'spec.podFailurePolicy.rules': atomicList,
    'spec.successPolicy.rules': atomicList,
    // JobStatus.Conditions: patchMergeKey=type, patchStrategy=merge, +listType=atomic
    'status.conditions': { list: { listType: 'atomic' }, patchMergeKey: 'type', patchStrategy: 'merge' },
  },
  'batch/CronJob': {
    ...prefixTable('spec.jobTemplate.metadata', objectMeta),
    'spec.jobTemplate.spec.selector': labelSelector,
    ...prefixTable('spec.jobTemplate.spec.template', podTemplateSpec),
    'spec.jobTemplate.spec.podFailurePolicy.rules': atomicList,
    'status.active': atomicList,
  },
  // networking.k8s.io/v1
  'networking.k8s.io/Ingress': {
    'spec.rules': atomicList,
    'spec.tls': atomicList,
    'status.loadBalancer.ingress': atomicList,
  },
  'networking.k8s.io/NetworkPolicy': {
    'spec.podSelector': labelSelector,
    'spec.ingress': atomicList,
    'spec.egress': atomicList,
    'spec.policyTypes': atomicList,
  },
  // storage.k8s.io/v1
  'storage.k8s.io/StorageClass': { parameters: granularMap, mountOptions: atomicList, allowedTopologies: atomicList },
  // coordination.k8s.io/v1
  'coordination.k8s.io/Lease': {},
  'apps/ControllerRevision': {},
  // policy/v1
  'policy/PodDisruptionBudget': { 'spec.selector': labelSelector },
  // scheduling.k8s.io/v1
  'scheduling.k8s.io/PriorityClass': {},
  // discovery.k8s.io/v1
  'discovery.k8s.io/EndpointSlice': { endpoints: atomicList, ports: atomicList },
  // networking.k8s.io/v1
  'networking.k8s.io/IngressClass': {},
  // certificates.k8s.io/v1
  'certificates.k8s.io/CertificateSigningRequest': {
    'spec.usages': atomicList,
    'spec.groups': atomicList,
    'spec.extra': granularMap,
  },
  // admissionregistration.k8s.io/v1
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': webhooks,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': webhooks,
  // rbac.authorization.k8s.io/v1
  'rbac.authorization.k8s.io/Role': { rules: atomicList },
  'rbac.authorization.k8s.io/ClusterRole': { rules: atomicList, 'aggregationRule.clusterRoleSelectors': atomicList },
  'rbac.authorization.k8s.io/RoleBinding': { subjects: atomicList },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { subjects: atomicList },
  // apiextensions.k8s.io/v1
  'apiextensions.k8s.io/CustomResourceDefinition': {
    'spec.versions': atomicList,
    'spec.names.shortNames': atomicList,
    'spec.names.categories': atomicList,
    'status.acceptedNames.shortNames': atomicList,
    'status.acceptedNames.categories': atomicList,
    'status.storedVersions': atomicList,
  },
  // autoscaling/v2
  'autoscaling/HorizontalPodAutoscaler': { 'spec.metrics': atomicList, 'status.currentMetrics': atomicList },
  // events.k8s.io/v1
  'events.k8s.io/Event': {},
};

/**
 * The field semantics of a built-in kind (ObjectMeta rules and `status.conditions` merged by type included),
 * or undefined for a kind the table does not know (custom resources use {@link crdTypeInfo}).
 */
export const builtinTypeInfo = (group: string, kind: string): TypeInfo | undefined => {
  const table = kinds[`${group}/${kind}`];
  if (table === undefined) return undefined;
  return typeInfoFromTable(commonTable, table);
};

/** The ObjectMeta rules alone: what every object shares, for kinds without a table entry. */
export const objectMetaTypeInfo = (): TypeInfo => typeInfoFromTable(objectMetaTable);
