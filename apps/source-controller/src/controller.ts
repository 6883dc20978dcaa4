/**
 * Wiring of the source-controller process from its parsed flags (upstream `main.go`): the Kubernetes client, the
 * informer cache, the manager (leader election, probes, metrics), the artifact Storage, the artifact file server
 * (listening only on the elected leader) and the GitRepository controller. `main.ts` and the integration tests
 * both build the process through {@link createSourceController}; nothing here reads argv or the environment.
 */
import { mkdir } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { Storage, buildArtifactServer } from '@flux-ts/artifact';
import {
  EventRecorder,
  formatListenAddress,
  listen,
  newControllerRuntime,
  newLogger,
  parseGoDuration,
  runtimeSettingsFromFlags,
} from '@flux-ts/runtime';
import type {
  BoundAddress,
  ControllerProcess,
  ControllerProcessDeps,
  FlagConfig,
  ListenAddress,
} from '@flux-ts/runtime';
import type { sourceControllerFlags } from './flags.ts';
import { setupGitRepositoryController } from './gitrepository/index.ts';
import { IndexCache } from './helm/index-cache.ts';
import { setupHelmChartController } from './helmchart/index.ts';
import { setupHelmRepositoryController } from './helmrepository/index.ts';
import { setupBucketController } from './bucket/index.ts';
import { setupOCIRepositoryController } from './ocirepository/index.ts';

/** The parsed source-controller flags. */
export type SourceControllerConfig = FlagConfig<typeof sourceControllerFlags>;

/** The name upstream uses for the controller (events, leader election, field manager). */
export const SourceControllerName = 'source-controller';

/** What {@link createSourceController} needs besides the flags and the common process inputs. */
export interface SourceControllerDeps extends ControllerProcessDeps {
  /** Host name (pod name): event reporting instance and default advertised storage host. */
  hostname?: string | undefined;
  /** Parent of the per-reconcile working directories (default the OS temp dir). */
  tmpDir?: string | undefined;
}

/** A built, not yet started, source-controller. */
export interface SourceController extends ControllerProcess {
  readonly storage: Storage;
  /** Resolves with the artifact server's bound address once this instance leads and serves. */
  artifactServerAddress(): Promise<BoundAddress>;
}

/**
 * The advertised storage address (fluxcd/pkg `artifact/config`): `--storage-adv-addr`, or `--storage-addr` with the
 * host name when its host is empty.
 */
export function advertisedStorageAddress(config: {
  storageAdvAddr: string;
  storageAddr: ListenAddress;
  hostname: string;
}): string {
  if (config.storageAdvAddr !== '') return config.storageAdvAddr;
  const host = config.storageAddr.host === '' ? config.hostname : config.storageAddr.host;
  return formatListenAddress({ host, port: config.storageAddr.port });
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Builds the source-controller process from its flags; see the module comment. */
export async function createSourceController(
  config: SourceControllerConfig,
  deps: SourceControllerDeps,
): Promise<SourceController> {
  const runtimeNamespace = deps.runtimeNamespace ?? '';
  const settings = runtimeSettingsFromFlags(SourceControllerName, config, { runtimeNamespace });
  const logger = deps.logger ?? newLogger({ level: settings.log.level, encoding: settings.log.encoding });
  const hostname = deps.hostname ?? osHostname();
  const { client, cache, manager } = newControllerRuntime({
    flags: config,
    settings,
    kubeConfig: deps.kubeConfig,
    runtimeNamespace,
    logger,
    userAgent: SourceControllerName,
  });

  await mkdir(config.storagePath, { recursive: true });
  const storage = new Storage({
    basePath: config.storagePath,
    hostname: advertisedStorageAddress({ ...config, hostname }),
    retentionTtlMs: config.artifactRetentionTtl,
    retentionRecords: config.artifactRetentionRecords,
    digestAlgo: config.artifactDigestAlgo,
  });

  const recorder = new EventRecorder({
    reportingController: SourceControllerName,
    reportingInstance: hostname,
    client,
    ...(config.eventsAddr ? { eventsAddr: config.eventsAddr } : {}),
    log: logger.child({ component: 'events' }),
  });

  let resolveAddress!: (a: BoundAddress) => void;
  const address = new Promise<BoundAddress>((r) => (resolveAddress = r));
  manager.add({
    needLeaderElection: true,
    start: async (signal) => {
      // Only the leader serves artifacts: the Service points at whichever pod holds the Lease.
      const app = await buildArtifactServer({ storage });
      const bound = await listen(app, config.storageAddr);
      logger.info({ address: bound.url, path: storage.basePath }, 'starting artifact server');
      resolveAddress(bound);
      await abortPromise(signal);
      await app.close();
    },
  });

  setupGitRepositoryController({
    manager,
    cache,
    client,
    storage,
    recorder,
    controllerName: SourceControllerName,
    requeueDependencyMs: config.requeueDependency,
    jitterPercent: config.intervalJitterPercentage,
    tmpDir: deps.tmpDir,
    options: settings.controller,
  });

  const indexCache =
    config.helmCacheMaxSize > 0
      ? new IndexCache({
          maxSize: config.helmCacheMaxSize,
          ttlMs: parseGoDuration(config.helmCacheTtl),
          purgeIntervalMs: parseGoDuration(config.helmCachePurgeInterval),
          registry: manager.metrics.registry,
        })
      : undefined;
  setupHelmRepositoryController({
    manager,
    cache,
    client,
    storage,
    recorder,
    controllerName: SourceControllerName,
    jitterPercent: config.intervalJitterPercentage,
    indexMaxSize: config.helmIndexMaxSize,
    indexCache,
    options: settings.controller,
  });
  setupHelmChartController({
    manager,
    cache,
    client,
    storage,
    recorder,
    controllerName: SourceControllerName,
    jitterPercent: config.intervalJitterPercentage,
    requeueDependencyMs: config.requeueDependency,
    chartMaxSize: config.helmChartMaxSize,
    indexCache,
    tmpDir: deps.tmpDir,
    options: settings.controller,
  });

  setupBucketController({
    manager,
    cache,
    client,
    storage,
    recorder,
    controllerName: SourceControllerName,
    jitterPercent: config.intervalJitterPercentage,
    tmpDir: deps.tmpDir,
    options: settings.controller,
  });
  setupOCIRepositoryController({
    manager,
    cache,
    client,
    storage,
    recorder,
    controllerName: SourceControllerName,
    jitterPercent: config.intervalJitterPercentage,
    tmpDir: deps.tmpDir,
    options: settings.controller,
  });

  return {
    manager,
    storage,
    recorder,
    client,
    logger,
    artifactServerAddress: () => address,
    run: async (signal) => {
      try {
        await manager.start(signal);
      } finally {
        indexCache?.close();
        await recorder.flush().catch(() => undefined);
      }
    },
  };
}
