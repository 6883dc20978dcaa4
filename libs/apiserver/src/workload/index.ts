/** Simulated workload status (test hook): Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs become ready after a delay. */
export {
  SIMULATE_ANNOTATION,
  isSimulatedWorkload,
  simulateWorkloadStatus,
  simulationReadyAt,
  type SimulateOptions,
} from './simulate.ts';
