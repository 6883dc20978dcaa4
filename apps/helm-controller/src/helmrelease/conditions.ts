/** The condition table of the HelmRelease reconciler (helm-controller `OwnedConditions`). */
import { HelmReleaseConditions, ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { ReconcileConditions } from '@flux-ts/runtime';

/**
 * Owned conditions: Ready, Reconciling, Stalled, Released, TestSuccess, Remediated. Nothing is summarized by the
 * exit: the release step summarizes Released/TestSuccess/Remediated into Ready as Flux's `summarize` does (the order
 * depends on the spec and on Remediated), and failures before it show on Ready with their own reason.
 */
export const helmReleaseReadyConditions: ReconcileConditions = {
  target: ReadyCondition,
  owned: [
    ReadyCondition,
    ReconcilingCondition,
    StalledCondition,
    HelmReleaseConditions.Released,
    HelmReleaseConditions.TestSuccess,
    HelmReleaseConditions.Remediated,
  ],
  summarize: [],
  negativePolarity: [ReconcilingCondition, StalledCondition, HelmReleaseConditions.Remediated],
};

/** Field manager of the HelmRelease status patches and of the HelmCharts it owns. */
export const HelmControllerFieldManager = 'helm-controller';
