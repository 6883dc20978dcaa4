import {
  Cache,
  EventRecorder,
  FlagError,
  HelpRequestedError,
  KubeClient,
  KubeConfigError,
  Manager,
  formatHelp,
  loadKubeConfig,
  newLogger,
  parseFlags,
  readControllerEnv,
  runtimeSettingsFromFlags,
} from '@flux-ts/runtime';
import type { Env, MainIO } from '@flux-ts/runtime';
import { kustomizeControllerFlags } from './flags.ts';
import { KustomizationReconciler } from './kustomization/reconciler.ts';
import { setupKustomizationController } from './kustomization/setup.ts';

const controller = 'kustomize-controller';

/** First line of `--help`: an honest statement of what this build does. */
export const kustomizeControllerNotice =
  'flux-ts kustomize-controller: reconciles Kustomizations (GitRepository/OCIRepository/Bucket sources, dependsOn, kustomize build, postBuild substitution, SOPS decryption with age and OpenPGP keys (--sops-age-secret), staged server-side apply, prune, health checks, impersonation, kubeConfig Secrets, --override-manager, remote bases unless --no-remote-bases, spec.ignore drift rules, status.history); not implemented yet: SOPS with HashiCorp Vault or cloud KMS (--sops-vault-configmap, --default-decryption-service-account), kubeConfig.configMapRef.';

/** Extra inputs of {@link main}: a signal that stops the controller (the bin wires SIGINT/SIGTERM). */
export interface MainOptions {
  signal?: AbortSignal;
}

/**
 * Entry point of flux-ts-kustomize-controller: parses the upstream-compatible flags, resolves the kubeconfig and runs
 * the manager with the Kustomization controller until `signal` aborts. Returns the exit code: 0 for `--help` or a
 * clean stop, 2 for bad flags, 1 for a missing kubeconfig or a failed start.
 */
export async function main(argv: readonly string[], env: Env, io: MainIO, opts: MainOptions = {}): Promise<number> {
  let config;
  try {
    config = parseFlags(kustomizeControllerFlags, argv, env);
  } catch (err) {
    if (err instanceof HelpRequestedError) {
      io.stdout.write(
        formatHelp(kustomizeControllerFlags, { program: controller, preamble: kustomizeControllerNotice }),
      );
      return 0;
    }
    if (err instanceof FlagError) {
      io.stderr.write(`${controller}: ${err.message}\nRun '${controller} --help' for usage.\n`);
      return err.exitCode;
    }
    throw err;
  }

  let kc;
  try {
    kc = loadKubeConfig({ kubeconfig: config.kubeconfig || undefined, env });
  } catch (err) {
    if (err instanceof KubeConfigError) {
      io.stderr.write(`${controller}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const controllerEnv = readControllerEnv(env);
  const runtimeNamespace = controllerEnv.runtimeNamespace ?? 'flux-system';
  let settings;
  try {
    settings = runtimeSettingsFromFlags(controller, config, { runtimeNamespace });
  } catch (err) {
    io.stderr.write(`${controller}: ${(err as Error).message}\n`);
    return 2;
  }

  const log = newLogger({
    level: settings.log.level,
    encoding: settings.log.encoding,
    destination: io.stdout as never,
  });
  const client = KubeClient.fromKubeConfig(kc, {
    qps: config.kubeApiQps,
    burst: config.kubeApiBurst,
    userAgent: `${controller}/flux-ts`,
    // fluxcd/pkg GetConfigOrDie: a server with Priority and Fairness throttles, so the client does not.
    detectFlowControl: true,
    logger: log,
  });
  const cache = new Cache(client, {
    ...(config.watchLabelSelector ? { labelSelector: config.watchLabelSelector } : {}),
    ...(config.watchAllNamespaces ? {} : { namespace: runtimeNamespace }),
    logger: log,
  });
  const mgr = new Manager({
    client,
    cache,
    logger: log,
    healthAddr: settings.healthAddr,
    metricsAddr: settings.metricsAddr,
    ...(settings.leaderElection ? { leaderElection: settings.leaderElection } : {}),
  });
  const recorder = new EventRecorder({
    reportingController: controller,
    client,
    ...(config.eventsAddr ? { eventsAddr: config.eventsAddr } : {}),
    log,
  });
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
    sourceHostOverride: controllerEnv.sourceControllerLocalhost,
    featureGates: config.featureGates,
    overrideManagers: config.overrideManager,
    customApplyStageKinds: config.customApplyStageKinds
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    insecureKubeconfigExec: config.insecureKubeconfigExec,
    insecureKubeconfigTls: config.insecureKubeconfigTls,
    sopsAgeSecret:
      config.sopsAgeSecret && controllerEnv.runtimeNamespace
        ? { namespace: controllerEnv.runtimeNamespace, name: config.sopsAgeSecret }
        : undefined,
  });
  setupKustomizationController(mgr, cache, reconciler, {
    ...settings.controller,
    ...(config.featureGates.DisableConfigWatchers
      ? {}
      : { watchConfigsLabelSelector: config.watchConfigsLabelSelector }),
  });

  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  try {
    log.info({ controller }, 'starting manager');
    await mgr.start(signal);
  } catch (err) {
    io.stderr.write(`${controller}: ${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}
