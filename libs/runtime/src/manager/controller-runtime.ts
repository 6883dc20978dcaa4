import type { KubeConfigLike } from '../config/kube-config.ts';
import { Cache } from '../cache/cache.ts';
import { KubeClient } from '../client/client.ts';
import { EventRecorder } from '../events/recorder.ts';
import { newLogger } from '../observability/logger.ts';
import type { Logger } from '../observability/logger.ts';
import { runtimeSettingsFromFlags } from './from-flags.ts';
import type { RuntimeFlagValues, RuntimeSettings } from './from-flags.ts';
import { Metrics } from '../observability/metrics.ts';
import { Manager } from './manager.ts';

/** The `host` label of `rest_client_requests_total`: the API server's host:port, as client-go's URL.Host. */
function serverHost(kc: KubeConfigLike): string {
  const server = kc.getCurrentCluster()?.server ?? '';
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

/** The common flags {@link newControllerRuntime} reads besides {@link RuntimeFlagValues}. */
export interface ControllerRuntimeFlagValues extends RuntimeFlagValues {
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
  readonly watchAllNamespaces: boolean;
}

/** Inputs of {@link newControllerRuntime}. */
export interface ControllerRuntimeOptions {
  flags: ControllerRuntimeFlagValues;
  settings: RuntimeSettings;
  kubeConfig: KubeConfigLike;
  /** `RUNTIME_NAMESPACE`: the watched namespace unless `--watch-all-namespaces` (none when empty). */
  runtimeNamespace: string;
  logger: Logger;
  /** The client's User-Agent (the controller name). */
  userAgent: string;
}

/**
 * The Kubernetes client, informer cache and manager every controller process builds from the common flags, as
 * Flux's `main.go` does: QPS/burst, flow-control detection (a server with Priority and Fairness throttles, so the
 * client does not, as fluxcd/pkg GetConfigOrDie), `--watch-label-selector`, the watched namespace, probes, metrics
 * and leader election.
 */
export function newControllerRuntime(opts: ControllerRuntimeOptions): {
  client: KubeClient;
  cache: Cache;
  manager: Manager;
} {
  const { flags, settings, logger } = opts;
  const metrics = new Metrics({ processMetrics: true });
  const host = serverHost(opts.kubeConfig);
  const client = KubeClient.fromKubeConfig(opts.kubeConfig, {
    qps: flags.kubeApiQps,
    burst: flags.kubeApiBurst,
    userAgent: opts.userAgent,
    detectFlowControl: true,
    logger,
    onRequestResult: ({ code, method }) => metrics.restClientRequests.inc({ code, method, host }),
  });
  const cache = new Cache(client, {
    ...(flags.watchLabelSelector ? { labelSelector: flags.watchLabelSelector } : {}),
    ...(!flags.watchAllNamespaces && opts.runtimeNamespace !== '' ? { namespace: opts.runtimeNamespace } : {}),
    logger,
  });
  const manager = new Manager({
    client,
    cache,
    logger,
    metrics,
    healthAddr: settings.healthAddr,
    metricsAddr: settings.metricsAddr,
    ...(settings.leaderElection ? { leaderElection: settings.leaderElection } : {}),
  });
  return { client, cache, manager };
}

/** What every controller process needs besides its flags (what the process environment provides). */
export interface ControllerProcessDeps {
  /** The resolved kubeconfig (`loadKubeConfig`). */
  kubeConfig: KubeConfigLike;
  /** `RUNTIME_NAMESPACE`: Lease namespace and the watched namespace with `--watch-all-namespaces=false`. */
  runtimeNamespace?: string | undefined;
  /** The process logger; default built from `--log-level`/`--log-encoding`. */
  logger?: Logger | undefined;
}

/** A built, not yet started, controller process. */
export interface ControllerProcess {
  readonly manager: Manager;
  readonly recorder: EventRecorder;
  readonly client: KubeClient;
  readonly logger: Logger;
  /**
   * Runs until `signal` aborts (graceful shutdown); rejects on a fatal error (e.g. lost leadership). `opts.hardStop`
   * aborts in-flight reconciles at once.
   */
  run(signal: AbortSignal, opts?: { hardStop?: AbortSignal }): Promise<void>;
}

/** The flags {@link newControllerProcess} reads: the runtime ones and `--events-addr`. */
export interface ControllerProcessFlagValues extends ControllerRuntimeFlagValues {
  readonly eventsAddr: string;
}

/** The parts a controller process is assembled from, and its `run`. */
export interface ControllerProcessParts extends ControllerProcess {
  readonly settings: RuntimeSettings;
  readonly cache: Cache;
  /** `RUNTIME_NAMESPACE`, `flux-system` when unset. */
  readonly runtimeNamespace: string;
}

/**
 * The start every controller process of this shape shares (kustomize- and helm-controller's `main.go` preamble):
 * settings from the flags, the logger (or `deps.logger`), client, cache and manager ({@link newControllerRuntime}),
 * and the event recorder; `run` starts the manager and flushes pending events on the way out.
 */
export function newControllerProcess(
  name: string,
  config: ControllerProcessFlagValues,
  deps: ControllerProcessDeps & { logDestination?: { write(line: string): unknown } | undefined },
): ControllerProcessParts {
  const settings = runtimeSettingsFromFlags(name, config, { runtimeNamespace: deps.runtimeNamespace ?? '' });
  const runtimeNamespace = deps.runtimeNamespace || 'flux-system';
  const logger =
    deps.logger ??
    newLogger({
      level: settings.log.level,
      encoding: settings.log.encoding,
      ...(deps.logDestination ? { destination: deps.logDestination as never } : {}),
    });
  const { client, cache, manager } = newControllerRuntime({
    flags: config,
    settings,
    kubeConfig: deps.kubeConfig,
    runtimeNamespace,
    logger,
    userAgent: `${name}/flux-ts`,
  });
  const recorder = new EventRecorder({
    reportingController: name,
    client,
    ...(config.eventsAddr ? { eventsAddr: config.eventsAddr } : {}),
    log: logger,
  });
  return {
    settings,
    logger,
    client,
    cache,
    manager,
    recorder,
    runtimeNamespace,
    run: async (signal, opts = {}) => {
      try {
        await manager.start(signal, opts);
      } finally {
        await recorder.flush().catch(() => undefined);
      }
    },
  };
}
