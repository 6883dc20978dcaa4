import { ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The ImageUpdateAutomation condition table: the types this reconciler owns, the order in which they are summarized into Ready, and
 * which are abnormal-true. Add the kind's own conditions (upstream's `imageUpdateAutomationReadyCondition`) as the steps grow.
 */
export const imageUpdateAutomationReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([ReadyCondition, ReconcilingCondition, StalledCondition]),
  summarize: Object.freeze([StalledCondition, ReconcilingCondition]),
  negativePolarity: Object.freeze([StalledCondition, ReconcilingCondition]),
});
