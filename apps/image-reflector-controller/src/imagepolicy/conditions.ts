import { ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/** The ImagePolicy condition table (upstream `imagePolicyOwnedConditions`): Ready is the policy's verdict. */
export const imagePolicyReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([ReadyCondition, ReconcilingCondition, StalledCondition]),
  summarize: Object.freeze([StalledCondition, ReconcilingCondition]),
  negativePolarity: Object.freeze([StalledCondition, ReconcilingCondition]),
});
