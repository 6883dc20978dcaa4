/** Lease-based leader election (coordination.k8s.io/v1) with client-go semantics and Flux's Lease naming. */
export { LeaderElector, leaderElectionID, microTime } from './leader-elector.ts';
export type { Lease, LeaseSpec, LeaseClient, LeaderElectorOptions, LeaderElectionOutcome } from './leader-elector.ts';
