import { ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The ImageRepository condition table (upstream `imageRepositoryOwnedConditions` and
 * `imageRepositoryNegativeConditions`): Ready is not a summary of other conditions but the scan's verdict.
 */
export const imageRepositoryReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([ReadyCondition, ReconcilingCondition, StalledCondition]),
  summarize: Object.freeze([StalledCondition, ReconcilingCondition]),
  negativePolarity: Object.freeze([StalledCondition, ReconcilingCondition]),
});
