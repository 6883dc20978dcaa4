import { ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * The Receiver condition table (upstream's owned conditions of `ReceiverReconciler.patch`): Ready, Reconciling and
 * Stalled. Ready is not a summary of other conditions: the exit sets it from the outcome (`readyFromError`,
 * `readyOnSuccess`).
 */
export const receiverReadyCondition: ReconcileConditions = Object.freeze({
  target: ReadyCondition,
  owned: Object.freeze([ReadyCondition, ReconcilingCondition, StalledCondition]),
  summarize: Object.freeze([StalledCondition, ReconcilingCondition]),
  negativePolarity: Object.freeze([StalledCondition, ReconcilingCondition]),
});
