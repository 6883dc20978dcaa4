/** The condition table of the Kustomization reconciler (owned types; Ready is set by the steps, kustomize-controller style). */
import { HealthyCondition, ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * Owned conditions: Ready, Reconciling, Stalled, Healthy. Nothing is summarized: each step marks Ready itself
 * with Flux's reason (ArtifactFailed, BuildFailed, ReconciliationFailed, HealthCheckFailed, DependencyNotReady,
 * ReconciliationSucceeded), and the summarize-and-patch exit only corrects kstatus (Stalled/Reconciling).
 */
export const kustomizationReadyConditions: ReconcileConditions = {
  target: ReadyCondition,
  owned: [ReadyCondition, ReconcilingCondition, StalledCondition, HealthyCondition],
  summarize: [],
  negativePolarity: [ReconcilingCondition, StalledCondition],
};

/** Field manager of the applied objects. */
export const ApplyFieldManager = 'kustomize-controller';
/** Field manager of the Kustomization status patches. */
export const StatusFieldManager = 'gotk-kustomize-controller';
