/**
 * kube-apiserver's bootstrap RBAC policy as data, transcribed from the golden files of kubernetes/kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata (cluster-roles.yaml, controller-roles.yaml,
 * cluster-role-bindings.yaml, controller-role-bindings.yaml).
 *
 * A rule is `apiGroups|resources|verbs` or `apiGroups|resources|verbs|resourceNames` (comma-separated lists; an
 * empty item is the core group `""`), or `@nonResourceURLs|verbs`.
 */

/** One bootstrap ClusterRole. */
export interface BootstrapRole {
  name: string;
  rules: string[];
  /** Extra labels (`rbac.authorization.k8s.io/aggregate-to-*`) beside `kubernetes.io/bootstrapping`. */
  labels?: Record<string, string>;
  /** The `rbac.authorization.k8s.io/aggregate-to-*` label an aggregated role selects. */
  aggregateFrom?: string;
}

/** One bootstrap ClusterRoleBinding: subjects as `Group:name`, `User:name` or `ServiceAccount:namespace:name`. */
export interface BootstrapBinding {
  name: string;
  role: string;
  subjects: string[];
}

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';
const RW = 'create,delete,deletecollection,patch,update';
const RWALL = 'create,delete,deletecollection,get,list,patch,update,watch';
const RO = 'get,list,watch';
const EVENTS = ',events.k8s.io|events|create,patch,update';

/** The ClusterRoles of cluster-roles.yaml. */
export const CLUSTER_ROLES: readonly BootstrapRole[] = [
  { name: 'admin', rules: [], aggregateFrom: AGG_ADMIN },
  { name: 'cluster-admin', rules: ['*|*|*', '@*|*'] },
  { name: 'edit', rules: [], labels: { [AGG_ADMIN]: 'true' }, aggregateFrom: AGG_EDIT },
  {
    name: 'system:aggregate-to-admin',
    labels: { [AGG_ADMIN]: 'true' },
    rules: [
      'authorization.k8s.io|localsubjectaccessreviews|create',
      `rbac.authorization.k8s.io|rolebindings,roles|${RWALL}`,
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: { [AGG_EDIT]: 'true' },
    rules: [
      `|pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy|${RO}`,
      '|serviceaccounts|impersonate',
      `|pods,pods/attach,pods/exec,pods/portforward,pods/proxy|${RW}`,
      '|pods/eviction|create',
      `|configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy|${RW}`,
      '|serviceaccounts/token|create',
      `apps|daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale|${RW}`,
      `autoscaling|horizontalpodautoscalers|${RW}`,
      `batch|cronjobs,jobs|${RW}`,
      `extensions|daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale|${RW}`,
      `policy|poddisruptionbudgets|${RW}`,
      `networking.k8s.io|ingresses,networkpolicies|${RW}`,
      `coordination.k8s.io|leases|${RWALL}`,
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: { [AGG_VIEW]: 'true' },
    rules: [
      `|configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status|${RO}`,
      `|bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status|${RO}`,
      `|namespaces|${RO}`,
      `discovery.k8s.io|endpointslices|${RO}`,
      `apps|controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status|${RO}`,
      `autoscaling|horizontalpodautoscalers,horizontalpodautoscalers/status|${RO}`,
      `batch|cronjobs,cronjobs/status,jobs,jobs/status|${RO}`,
      `extensions|daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale|${RO}`,
      `policy|poddisruptionbudgets,poddisruptionbudgets/status|${RO}`,
      `networking.k8s.io|ingresses,ingresses/status,networkpolicies|${RO}`,
    ],
  },
  {
    name: 'system:auth-delegator',
    rules: ['authentication.k8s.io|tokenreviews|create', 'authorization.k8s.io|subjectaccessreviews|create'],
  },
  {
    name: 'system:basic-user',
    rules: [
      'authorization.k8s.io|selfsubjectaccessreviews,selfsubjectrulesreviews|create',
      'authentication.k8s.io|selfsubjectreviews|create',
    ],
  },
  {
    name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
    rules: ['certificates.k8s.io|certificatesigningrequests/nodeclient|create'],
  },
  {
    name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
    rules: ['certificates.k8s.io|certificatesigningrequests/selfnodeclient|create'],
  },
  {
    name: 'system:certificates.k8s.io:kube-apiserver-client-approver',
    rules: ['certificates.k8s.io|signers|approve|kubernetes.io/kube-apiserver-client'],
  },
  {
    name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver',
    rules: ['certificates.k8s.io|signers|approve|kubernetes.io/kube-apiserver-client-kubelet'],
  },
  {
    name: 'system:certificates.k8s.io:kubelet-serving-approver',
    rules: ['certificates.k8s.io|signers|approve|kubernetes.io/kubelet-serving'],
  },
  {
    name: 'system:certificates.k8s.io:legacy-unknown-approver',
    rules: ['certificates.k8s.io|signers|approve|kubernetes.io/legacy-unknown'],
  },
  {
    name: 'system:discovery',
    rules: ['@/api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/|get'],
  },
  { name: 'system:heapster', rules: [`|events,namespaces,nodes,pods|${RO}`, `extensions|deployments|${RO}`] },
  { name: 'system:kube-aggregator', rules: [`|endpoints,services|${RO}`] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      EVENTS,
      'coordination.k8s.io|leases|create',
      'coordination.k8s.io|leases|get,update|kube-controller-manager',
      '|secrets,serviceaccounts|create',
      '|secrets|delete',
      '|configmaps,namespaces,secrets,serviceaccounts|get',
      '|secrets,serviceaccounts|update',
      'authentication.k8s.io|tokenreviews|create',
      'authorization.k8s.io|subjectaccessreviews|create',
      '*|*|list,watch',
      '|serviceaccounts/token|create',
    ],
  },
  { name: 'system:kube-dns', rules: ['|endpoints,services|list,watch'] },
  {
    name: 'system:kube-scheduler',
    rules: [
      EVENTS,
      'coordination.k8s.io|leases|create',
      'coordination.k8s.io|leases|get,update|kube-scheduler',
      `|nodes|${RO}`,
      '|pods|delete,get,list,watch',
      '|bindings,pods/binding|create',
      '|pods/status|patch,update',
      `|replicationcontrollers,services|${RO}`,
      `apps,extensions|replicasets|${RO}`,
      `apps|statefulsets|${RO}`,
      `policy|poddisruptionbudgets|${RO}`,
      `|persistentvolumeclaims,persistentvolumes|${RO}`,
      'authentication.k8s.io|tokenreviews|create',
      'authorization.k8s.io|subjectaccessreviews|create',
      `storage.k8s.io|csinodes|${RO}`,
      `|namespaces|${RO}`,
      `storage.k8s.io|csidrivers|${RO}`,
      `storage.k8s.io|csistoragecapacities|${RO}`,
    ],
  },
  {
    name: 'system:kubelet-api-admin',
    rules: [`|nodes|${RO}`, '|nodes|proxy', '|nodes/log,nodes/metrics,nodes/proxy,nodes/stats|*'],
  },
  {
    name: 'system:monitoring',
    rules: ['@/healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/*|get'],
  },
  {
    name: 'system:node',
    rules: [
      'authentication.k8s.io|tokenreviews|create',
      'authorization.k8s.io|localsubjectaccessreviews,subjectaccessreviews|create',
      `|services|${RO}`,
      '|nodes|create,get,list,watch',
      '|nodes/status|patch,update',
      '|nodes|patch,update',
      '|events|create,patch,update',
      `|pods|${RO}`,
      '|pods|create,delete',
      '|pods/status|patch,update',
      '|pods/eviction|create',
      `|configmaps,secrets|${RO}`,
      '|persistentvolumeclaims,persistentvolumes|get',
      '|endpoints|get',
      'certificates.k8s.io|certificatesigningrequests|create,get,list,watch',
      'coordination.k8s.io|leases|create,delete,get,patch,update',
      'storage.k8s.io|volumeattachments|get',
      '|serviceaccounts/token|create',
      '|persistentvolumeclaims/status|get,patch,update',
      `storage.k8s.io|csidrivers|${RO}`,
      'storage.k8s.io|csinodes|create,delete,get,patch,update',
      `node.k8s.io|runtimeclasses|${RO}`,
    ],
  },
  {
    name: 'system:node-bootstrapper',
    rules: ['certificates.k8s.io|certificatesigningrequests|create,get,list,watch'],
  },
  { name: 'system:node-problem-detector', rules: ['|nodes|get', '|nodes/status|patch', EVENTS] },
  {
    name: 'system:node-proxier',
    rules: ['|endpoints,services|list,watch', `|nodes|${RO}`, EVENTS, 'discovery.k8s.io|endpointslices|list,watch'],
  },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [
      '|persistentvolumes|create,delete,get,list,watch',
      '|persistentvolumeclaims|get,list,update,watch',
      `storage.k8s.io|storageclasses|${RO}`,
      '|events|watch',
      EVENTS,
    ],
  },
  { name: 'system:public-info-viewer', rules: ['@/healthz,/livez,/readyz,/version,/version/|get'] },
  {
    name: 'system:service-account-issuer-discovery',
    rules: ['@/.well-known/openid-configuration,/openid/v1/jwks|get'],
  },
  {
    name: 'system:volume-scheduler',
    rules: [
      '|persistentvolumes|get,list,patch,update,watch',
      `storage.k8s.io|storageclasses|${RO}`,
      '|persistentvolumeclaims|get,list,patch,update,watch',
    ],
  },
  { name: 'view', rules: [], labels: { [AGG_EDIT]: 'true' }, aggregateFrom: AGG_VIEW },
];

/** The `system:controller:*` ClusterRoles of controller-roles.yaml (name without the prefix). */
export const CONTROLLER_ROLES: readonly BootstrapRole[] = [
  {
    name: 'attachdetach-controller',
    rules: [
      '|persistentvolumeclaims,persistentvolumes|list,watch',
      `|nodes|${RO}`,
      '|nodes/status|patch,update',
      '|pods|list,watch',
      EVENTS,
      'storage.k8s.io|volumeattachments|create,delete,get,list,watch',
      `storage.k8s.io|csidrivers|${RO}`,
      `storage.k8s.io|csinodes|${RO}`,
    ],
  },
  {
    name: 'certificate-controller',
    rules: [
      'certificates.k8s.io|certificatesigningrequests|delete,get,list,watch',
      'certificates.k8s.io|certificatesigningrequests/approval,certificatesigningrequests/status|update',
      'certificates.k8s.io|signers|approve|kubernetes.io/kube-apiserver-client-kubelet',
      'certificates.k8s.io|signers|sign|kubernetes.io/kube-apiserver-client,kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,kubernetes.io/legacy-unknown',
      'authorization.k8s.io|subjectaccessreviews|create',
      EVENTS,
    ],
  },
  {
    name: 'clusterrole-aggregation-controller',
    rules: ['rbac.authorization.k8s.io|clusterroles|escalate,get,list,patch,update,watch'],
  },
  {
    name: 'cronjob-controller',
    rules: [
      'batch|cronjobs|get,list,update,watch',
      'batch|jobs|create,delete,get,list,patch,update,watch',
      'batch|cronjobs/status|update',
      'batch|cronjobs/finalizers|update',
      '|pods|delete,list,watch',
      EVENTS,
    ],
  },
  {
    name: 'daemon-set-controller',
    rules: [
      `apps,extensions|daemonsets|${RO}`,
      'apps,extensions|daemonsets/status|update',
      'apps,extensions|daemonsets/finalizers|update',
      '|nodes|list,watch',
      '|pods|create,delete,list,patch,watch',
      '|pods/binding|create',
      'apps|controllerrevisions|create,delete,get,list,patch,update,watch',
      EVENTS,
    ],
  },
  {
    name: 'deployment-controller',
    rules: [
      'apps,extensions|deployments|get,list,update,watch',
      'apps,extensions|deployments/status|update',
      'apps,extensions|deployments/finalizers|update',
      'apps,extensions|replicasets|create,delete,get,list,patch,update,watch',
      '|pods|get,list,update,watch',
      EVENTS,
    ],
  },
  {
    name: 'device-taint-eviction-controller',
    rules: [
      '|pods|delete,get,list,watch',
      '|pods/status|patch,update',
      `resource.k8s.io|resourceclaims|${RO}`,
      `resource.k8s.io|resourceslices|${RO}`,
      `resource.k8s.io|deviceclasses|${RO}`,
      EVENTS,
    ],
  },
  {
    name: 'disruption-controller',
    rules: [
      `apps,extensions|deployments|${RO}`,
      `apps,extensions|replicasets|${RO}`,
      `|replicationcontrollers|${RO}`,
      `policy|poddisruptionbudgets|${RO}`,
      `apps|statefulsets|${RO}`,
      'policy|poddisruptionbudgets/status|update',
      '|pods/status|patch,update',
      '*|*/scale|get',
      EVENTS,
    ],
  },
  {
    name: 'endpoint-controller',
    rules: [
      `|pods,services|${RO}`,
      '|endpoints|create,delete,get,list,update,watch',
      '|endpoints/restricted|create',
      EVENTS,
    ],
  },
  {
    name: 'endpointslice-controller',
    rules: [
      `|nodes,pods,services|${RO}`,
      '|services/finalizers|update',
      'discovery.k8s.io|endpointslices|create,delete,get,list,update,watch',
      EVENTS,
    ],
  },
  {
    name: 'endpointslicemirroring-controller',
    rules: [
      `|endpoints,services|${RO}`,
      '|services/finalizers|update',
      '|endpoints/finalizers|update',
      'discovery.k8s.io|endpointslices|create,delete,get,list,update,watch',
      EVENTS,
    ],
  },
  {
    name: 'ephemeral-volume-controller',
    rules: [`|pods|${RO}`, '|pods/finalizers|update', '|persistentvolumeclaims|create,get,list,watch', EVENTS],
  },
  {
    name: 'expand-controller',
    rules: [
      '|persistentvolumes|get,list,patch,update,watch',
      '|persistentvolumeclaims/status|patch,update',
      `|persistentvolumeclaims|${RO}`,
      EVENTS,
    ],
  },
  { name: 'generic-garbage-collector', rules: ['*|*|delete,get,list,patch,update,watch', EVENTS] },
  {
    name: 'horizontal-pod-autoscaler',
    rules: [
      `autoscaling|horizontalpodautoscalers|${RO}`,
      'autoscaling|horizontalpodautoscalers/status|update',
      '*|*/scale|get,update',
      '|pods|list,watch',
      'metrics.k8s.io|pods|list,watch',
      `custom.metrics.k8s.io|*|${RO}`,
      `external.metrics.k8s.io|*|${RO}`,
      EVENTS,
    ],
  },
  {
    name: 'job-controller',
    rules: [
      'batch|jobs|get,list,patch,update,watch',
      'batch|jobs/status|update',
      'batch|jobs/finalizers|update',
      '|pods|create,delete,list,patch,watch',
      EVENTS,
    ],
  },
  {
    name: 'legacy-service-account-token-cleaner',
    rules: ['|configmaps|get|kube-apiserver-legacy-service-account-token-tracking', '|secrets|delete,patch'],
  },
  {
    name: 'namespace-controller',
    rules: [
      '|namespaces|delete,get,list,watch',
      '|namespaces/finalize,namespaces/status|update',
      '*|*|delete,deletecollection,get,list,watch',
    ],
  },
  {
    name: 'node-controller',
    rules: [
      '|nodes|delete,get,list,patch,update,watch',
      '|nodes/status|patch,update',
      '|pods/status|patch,update',
      '|pods|delete,get,list,watch',
      EVENTS,
    ],
  },
  {
    name: 'persistent-volume-binder',
    rules: [
      '|persistentvolumes|create,delete,get,list,update,watch',
      '|persistentvolumes/status|update',
      '|persistentvolumeclaims|get,list,update,watch',
      '|persistentvolumeclaims/status|update',
      '|pods|create,delete,get,list,watch',
      `storage.k8s.io|storageclasses|${RO}`,
      '|nodes|list,watch',
      EVENTS,
      '|events|watch',
    ],
  },
  { name: 'pod-garbage-collector', rules: ['|pods|delete,list,watch', `|nodes|${RO}`, '|pods/status|patch'] },
  { name: 'pv-protection-controller', rules: ['|persistentvolumes|get,list,update,watch', EVENTS] },
  {
    name: 'pvc-protection-controller',
    rules: [
      '|persistentvolumeclaims|get,list,update,watch',
      '|persistentvolumeclaims/status|update',
      `|pods|${RO}`,
      EVENTS,
    ],
  },
  {
    name: 'replicaset-controller',
    rules: [
      'apps,extensions|replicasets|get,list,update,watch',
      'apps,extensions|replicasets/status|update',
      'apps,extensions|replicasets/finalizers|update',
      '|pods|create,delete,list,patch,watch',
      EVENTS,
    ],
  },
  {
    name: 'replication-controller',
    rules: [
      '|replicationcontrollers|get,list,update,watch',
      '|replicationcontrollers/status|update',
      '|replicationcontrollers/finalizers|update',
      '|pods|create,delete,list,patch,watch',
      EVENTS,
    ],
  },
  {
    name: 'resource-claim-controller',
    rules: [
      `|pods|${RO}`,
      '|pods/finalizers|update',
      'resource.k8s.io|resourceclaims|create,delete,get,list,watch',
      'resource.k8s.io|resourceclaims,resourceclaims/status|patch,update',
      '|pods/status|patch,update',
      EVENTS,
      'resource.k8s.io|resourceclaims/binding|patch,update',
    ],
  },
  {
    name: 'resourcequota-controller',
    rules: ['*|*|list,watch', '|resourcequotas/status|update', EVENTS],
  },
  { name: 'root-ca-cert-publisher', rules: ['|configmaps|create,update', EVENTS] },
  { name: 'route-controller', rules: ['|nodes|list,watch', '|nodes/status|patch', EVENTS] },
  {
    name: 'selinux-warning-controller',
    rules: [
      EVENTS,
      `|persistentvolumes|${RO}`,
      `|persistentvolumeclaims|${RO}`,
      `|pods|${RO}`,
      `storage.k8s.io|csidrivers|${RO}`,
    ],
  },
  { name: 'service-account-controller', rules: ['|serviceaccounts|create', EVENTS] },
  {
    name: 'service-cidrs-controller',
    rules: [
      'networking.k8s.io|servicecidrs|get,list,patch,update,watch',
      'networking.k8s.io|servicecidrs/finalizers|patch,update',
      'networking.k8s.io|servicecidrs/status|patch,update',
      `networking.k8s.io|ipaddresses|${RO}`,
      EVENTS,
    ],
  },
  {
    name: 'service-controller',
    rules: [`|services|${RO}`, '|services/status|patch,update', '|nodes|list,watch', EVENTS],
  },
  {
    name: 'statefulset-controller',
    rules: [
      '|pods|list,watch',
      `apps|statefulsets|${RO}`,
      'apps|statefulsets/status|update',
      'apps|statefulsets/finalizers|update',
      '|pods|create,delete,get,patch,update',
      'apps|controllerrevisions|create,delete,get,list,patch,update,watch',
      '|persistentvolumeclaims|create,get,list,watch',
      '|persistentvolumeclaims|delete,update',
      '|pods/finalizers|update',
      EVENTS,
    ],
  },
  { name: 'ttl-after-finished-controller', rules: ['batch|jobs|delete,get,list,watch', EVENTS] },
  { name: 'ttl-controller', rules: ['|nodes|list,patch,update,watch', EVENTS] },
  {
    name: 'validatingadmissionpolicy-status-controller',
    rules: [
      `admissionregistration.k8s.io|validatingadmissionpolicies|${RO}`,
      'admissionregistration.k8s.io|validatingadmissionpolicies/status|get,patch,update',
      EVENTS,
    ],
  },
  {
    name: 'volumeattributesclass-protection-controller',
    rules: [
      `|persistentvolumeclaims|${RO}`,
      `|persistentvolumes|${RO}`,
      'storage.k8s.io|volumeattributesclasses|get,list,update,watch',
      EVENTS,
    ],
  },
];

/** The ClusterRoleBindings of cluster-role-bindings.yaml (controller bindings are derived from CONTROLLER_ROLES). */
export const CLUSTER_ROLE_BINDINGS: readonly BootstrapBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: ['Group:system:masters'] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: ['Group:system:authenticated'] },
  { name: 'system:discovery', role: 'system:discovery', subjects: ['Group:system:authenticated'] },
  {
    name: 'system:kube-controller-manager',
    role: 'system:kube-controller-manager',
    subjects: ['User:system:kube-controller-manager'],
  },
  { name: 'system:kube-dns', role: 'system:kube-dns', subjects: ['ServiceAccount:kube-system:kube-dns'] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: ['User:system:kube-scheduler'] },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: ['Group:system:monitoring'] },
  { name: 'system:node', role: 'system:node', subjects: [] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: ['User:system:kube-proxy'] },
  {
    name: 'system:public-info-viewer',
    role: 'system:public-info-viewer',
    subjects: ['Group:system:authenticated', 'Group:system:unauthenticated'],
  },
  {
    name: 'system:service-account-issuer-discovery',
    role: 'system:service-account-issuer-discovery',
    subjects: ['Group:system:serviceaccounts'],
  },
  { name: 'system:volume-scheduler', role: 'system:volume-scheduler', subjects: ['User:system:kube-scheduler'] },
];
