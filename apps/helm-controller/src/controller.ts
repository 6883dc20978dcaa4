/**
 * Wiring of the helm-controller process from its parsed flags (upstream `main.go`): the Kubernetes client, the
 * informer cache, the manager (leader election, probes, metrics), the event recorder and the HelmRelease controller.
 * `main.ts` and the integration tests both build the process through {@link createHelmController}; nothing here
 * reads argv or the environment.
 */
import { newControllerProcess } from '@flux-ts/runtime';
import type { ControllerProcess, ControllerProcessDeps, FlagConfig } from '@flux-ts/runtime';
import type { helmControllerFlags } from './flags.ts';
import { HelmReleaseReconciler } from './helmrelease/reconciler.ts';
import { setupHelmReleaseController } from './helmrelease/setup.ts';

/** The parsed helm-controller flags. */
export type HelmControllerConfig = FlagConfig<typeof helmControllerFlags>;

/** The name upstream uses for the controller (events, leader election, user agent). */
export const HelmControllerName = 'helm-controller';

/** What {@link createHelmController} needs besides the flags and the common process inputs. */
export interface HelmControllerDeps extends ControllerProcessDeps {
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of artifact URLs. */
  sourceControllerLocalhost?: string | undefined;
  /** Where the default logger writes (default stdout). */
  logDestination?: { write(line: string): unknown } | undefined;
  /** The controller's ServiceAccount token file (`kubeConfig.configMapRef` controller-level identity). */
  controllerTokenFile?: string | undefined;
}

/** A built, not yet started, helm-controller. */
export type HelmController = ControllerProcess;

/** Builds the helm-controller process from its flags; see the module comment. */
export function createHelmController(config: HelmControllerConfig, deps: HelmControllerDeps): HelmController {
  const parts = newControllerProcess(HelmControllerName, config, deps);
  const { settings, client, cache, manager, recorder } = parts;
  const reconciler = new HelmReleaseReconciler({
    client,
    reader: cache,
    recorder,
    requeueDependency: config.requeueDependency,
    jitterPercent: config.intervalJitterPercentage,
    httpRetry: config.httpRetry,
    sourceHostOverride: deps.sourceControllerLocalhost,
    featureGates: config.featureGates,
    overrideManagers: config.overrideManager,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    kubeConfig: deps.kubeConfig,
    defaultServiceAccount: config.defaultServiceAccount || undefined,
    insecureKubeconfigExec: config.insecureKubeconfigExec,
    insecureKubeconfigTls: config.insecureKubeconfigTls,
    workloadIdentity: {
      objectLevelWorkloadIdentity: config.featureGates.ObjectLevelWorkloadIdentity,
      defaultKubeConfigServiceAccount: config.defaultKubeconfigServiceAccount || undefined,
      controllerTokenFile: deps.controllerTokenFile,
    },
  });
  setupHelmReleaseController({
    manager,
    cache,
    reconciler,
    options: settings.controller,
    externalArtifact: config.featureGates.ExternalArtifact,
    ...(config.featureGates.DisableConfigWatchers
      ? {}
      : { watchConfigsLabelSelector: config.watchConfigsLabelSelector }),
  });
  return parts;
}
