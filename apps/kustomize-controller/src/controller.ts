/**
 * Wiring of the kustomize-controller process from its parsed flags (upstream `main.go`): the Kubernetes client, the
 * informer cache, the manager (leader election, probes, metrics), the event recorder and the Kustomization
 * controller. `main.ts` and the integration tests both build the process through {@link createKustomizeController};
 * nothing here reads argv or the environment.
 */
import { newControllerProcess } from '@flux-ts/runtime';
import type { ControllerProcess, ControllerProcessDeps, FlagConfig } from '@flux-ts/runtime';
import type { kustomizeControllerFlags } from './flags.ts';
import { KustomizationReconciler } from './kustomization/reconciler.ts';
import { setupKustomizationController } from './kustomization/setup.ts';

/** The parsed kustomize-controller flags. */
export type KustomizeControllerConfig = FlagConfig<typeof kustomizeControllerFlags>;

/** The name upstream uses for the controller (events, leader election, user agent). */
export const KustomizeControllerName = 'kustomize-controller';

/** What {@link createKustomizeController} needs besides the flags and the common process inputs. */
export interface KustomizeControllerDeps extends ControllerProcessDeps {
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of artifact URLs. */
  sourceControllerLocalhost?: string | undefined;
  /** Where the default logger writes (default stdout). */
  logDestination?: { write(line: string): unknown } | undefined;
  /** Where artifacts are extracted (default the OS temp dir). */
  tmpDir?: string | undefined;
  /** The controller's ServiceAccount token file (`kubeConfig.configMapRef` controller-level identity). */
  controllerTokenFile?: string | undefined;
}

/** A built, not yet started, kustomize-controller. */
export type KustomizeController = ControllerProcess;

/** Builds the kustomize-controller process from its flags; see the module comment. */
export function createKustomizeController(
  config: KustomizeControllerConfig,
  deps: KustomizeControllerDeps,
): KustomizeController {
  const parts = newControllerProcess(KustomizeControllerName, config, deps);
  const { settings, client, cache, manager, recorder } = parts;
  const reconciler = new KustomizationReconciler({
    client,
    reader: cache,
    recorder,
    concurrentSsa: config.concurrentSsa,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    noRemoteBases: config.noRemoteBases,
    defaultServiceAccount: config.defaultServiceAccount,
    requeueDependency: config.requeueDependency,
    jitterPercent: config.intervalJitterPercentage,
    httpRetry: config.httpRetry,
    sourceHostOverride: deps.sourceControllerLocalhost,
    featureGates: config.featureGates,
    overrideManagers: config.overrideManager,
    customApplyStageKinds: config.customApplyStageKinds
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    insecureKubeconfigExec: config.insecureKubeconfigExec,
    insecureKubeconfigTls: config.insecureKubeconfigTls,
    workloadIdentity: {
      objectLevelWorkloadIdentity: config.featureGates.ObjectLevelWorkloadIdentity,
      defaultKubeConfigServiceAccount: config.defaultKubeconfigServiceAccount || undefined,
      controllerTokenFile: deps.controllerTokenFile,
    },
    sopsAgeSecret:
      config.sopsAgeSecret && deps.runtimeNamespace
        ? { namespace: deps.runtimeNamespace, name: config.sopsAgeSecret }
        : undefined,
    ...(deps.tmpDir !== undefined ? { tmpDir: deps.tmpDir } : {}),
  });
  setupKustomizationController({
    manager,
    cache,
    reconciler,
    options: settings.controller,
    ...(config.featureGates.DisableConfigWatchers
      ? {}
      : { watchConfigsLabelSelector: config.watchConfigsLabelSelector }),
  });
  return parts;
}
