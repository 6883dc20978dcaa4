/**
 * What the steps of one Kustomization reconcile share: the reconciler's dependencies, the loop context, and what
 * each step leaves for the next (the artifact, the extracted directory, the built objects, the change set). A test
 * builds one with {@link newKustomizationState} and runs a single step against it.
 */
import { ReadyCondition } from '@flux-ts/api';
import type { Artifact, Kustomization } from '@flux-ts/api';
import { conditions, parseGoDuration } from '@flux-ts/runtime';
import type {
  EventSink,
  KubeClient,
  KubeConfigConfigMapOptions,
  Logger,
  LoopContext,
  ObjectReader,
} from '@flux-ts/runtime';
import { ChangeSet } from '@flux-ts/ssa';
import type { ResourceManager } from '@flux-ts/ssa';
import type { BuiltObject } from './build.ts';

/** A Kustomization as the steps handle it. */
export type KustomizationObject = Kustomization;

/** Dependencies and settings of the reconciler; only `main.ts` derives them from flags and env. */
export interface KustomizationReconcilerOptions {
  /** The controller's client (its own identity). */
  client: KubeClient;
  /**
   * Where Kustomizations, their sources and their dependencies are read (the manager's informer cache, as Flux
   * reads them); the client when unset.
   */
  reader?: ObjectReader;
  recorder?: EventSink;
  /** `--concurrent-ssa`. */
  concurrentSsa?: number;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean;
  /** `--default-service-account`. */
  defaultServiceAccount?: string;
  /** `--no-remote-bases`: refuse remote resources in kustomize overlays. */
  noRemoteBases?: boolean;
  /** `--requeue-dependency` in ms. */
  requeueDependency?: number;
  /** `--interval-jitter-percentage`. */
  jitterPercent?: number;
  /** `--http-retry`. */
  httpRetry?: number;
  /** First wait between artifact download retries in ms (default 5 s, as Flux). */
  httpRetryWaitMinMs?: number;
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of artifact URLs. */
  sourceHostOverride?: string | undefined;
  /** Feature gates read by the reconciler. */
  featureGates?: {
    StrictPostBuildSubstitutions?: boolean;
    DisableFailFastBehavior?: boolean;
    AdditiveCELDependencyCheck?: boolean;
  };
  /** `--override-manager`: field managers whose fields the controller takes over on apply. */
  overrideManagers?: readonly string[];
  /** `--custom-apply-stage-kinds` (`group/Kind`). */
  customApplyStageKinds?: readonly string[];
  /** `--insecure-kubeconfig-exec` / `--insecure-kubeconfig-tls` for `spec.kubeConfig`. */
  insecureKubeconfigExec?: boolean;
  insecureKubeconfigTls?: boolean;
  /**
   * `spec.kubeConfig.configMapRef` workload identity: the `ObjectLevelWorkloadIdentity` gate,
   * `--default-kubeconfig-service-account` and the controller's token file.
   */
  workloadIdentity?: KubeConfigConfigMapOptions;
  /** Poll interval of health checks and stage waits in ms (Flux: 2 s). */
  pollInterval?: number;
  /** Where artifacts are extracted (default the OS temp dir). */
  tmpDir?: string;
  /** `--sops-age-secret` in the runtime namespace: fallback age keys when `decryption.secretRef` is unset. */
  sopsAgeSecret?: { namespace: string; name: string } | undefined;
}

/** `spec.interval`, `spec.retryInterval` (default interval) and `spec.timeout` (default interval−30s, min 30s) in ms. */
export function durations(spec: Kustomization['spec']): { interval: number; retryInterval: number; timeout: number } {
  const interval = parseGoDuration(spec.interval);
  const retryInterval = spec.retryInterval ? parseGoDuration(spec.retryInterval) : interval;
  const timeout = spec.timeout ? parseGoDuration(spec.timeout) : Math.max(interval - 30_000, 30_000);
  return { interval, retryInterval, timeout };
}

/** The state of one reconcile, filled in step by step. */
export interface KustomizationState {
  readonly opts: KustomizationReconcilerOptions;
  readonly ctx: LoopContext<KustomizationObject>;
  /** The reconcile's logger; gains the revision once the source is resolved. */
  log: Logger;
  /** When the reconcile started (event and history durations). */
  readonly started: number;
  /** Whether the object was Ready with an applied revision before this run (success events on recovery). */
  readonly wasReady: boolean;
  readonly interval: number;
  readonly retryInterval: number;
  readonly timeout: number;
  /** The source's artifact (source step). */
  artifact?: Artifact;
  /** Its revision (source step). */
  revision?: string;
  /** The context signal bounded by `spec.timeout` (fetch step). */
  signal?: AbortSignal;
  /** The extracted artifact (fetch step); removed when the reconcile ends. */
  dir?: string;
  /** The built objects, labelled with the owner (build step). */
  objects?: BuiltObject[];
  /** `status.history` input: the digest of what this reconcile applies and its revision (build step). */
  built: { digest?: string; revision?: string };
  /** The owner labels of applied objects. */
  readonly owner: Record<string, string>;
  /** The client that applies, prunes and checks health (apply step). */
  applyClient?: KubeClient;
  /** The server-side apply manager (apply step). */
  manager?: ResourceManager;
  /** What the apply (and prune) changed. */
  changeSet: ChangeSet;
}

/** A fresh state for `obj` (the steps fill in the rest). */
export function newKustomizationState(
  obj: KustomizationObject,
  opts: KustomizationReconcilerOptions,
  ctx: LoopContext<KustomizationObject>,
  owner: Record<string, string>,
): KustomizationState {
  return {
    opts,
    ctx,
    log: ctx.log,
    started: Date.now(),
    wasReady: conditions.isTrue(ctx.observed, ReadyCondition) && ctx.observed.status?.lastAppliedRevision !== undefined,
    ...durations(obj.spec),
    built: {},
    owner,
    changeSet: new ChangeSet(),
  };
}
