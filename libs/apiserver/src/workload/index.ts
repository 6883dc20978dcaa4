/**
 * The workload simulation (test hook): Deployments get ReplicaSets and Pods as their controllers make them,
 * Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs become ready after a delay.
 */
export {
  SIMULATE_ANNOTATION,
  isSimulatedWorkload,
  simulateWorkloadStatus,
  simulationReadyAt,
  type SimulateOptions,
} from './simulate.ts';
export { canonicalJson, fnv1a32, podTemplateHash, safeEncodeString } from './hash.ts';
export { isControlledBy, withoutTimes } from './meta.ts';
export {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  deploymentStatus,
  deploymentStatusDueAt,
  equalIgnoreHash,
  findNewReplicaSet,
  resolveFenceposts,
  syncDeployment,
  type DeploymentSync,
} from './deployment.ts';
export {
  podFor,
  podReadyAt,
  podSettled,
  podStatus,
  replicaSetStatusDueAt,
  replicaSetStatusFromPods,
  syncReplicaSet,
  type PodStatusOptions,
  type ReplicaSetSync,
} from './replicaset.ts';
