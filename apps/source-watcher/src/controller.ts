/**
 * Wiring of the source-watcher process from its parsed flags (upstream `cmd/main.go`): the Kubernetes client, the
 * informer cache, the manager (leader election, probes, metrics), the event recorder, the artifact Storage, the
 * artifact file server (listening only on the elected leader) and the ArtifactGenerator controller. `main.ts` and the
 * integration tests both build the process through {@link createSourceWatcher}; nothing here reads argv or the
 * environment.
 */
import { mkdirSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { Storage, buildArtifactServer } from '@flux-ts/artifact';
import { formatListenAddress, listen, newControllerProcess } from '@flux-ts/runtime';
import type {
  BoundAddress,
  ControllerProcess,
  ControllerProcessDeps,
  FlagConfig,
  ListenAddress,
} from '@flux-ts/runtime';
import { ArtifactGeneratorReconciler } from './artifactgenerator/reconciler.ts';
import { setupArtifactGeneratorController } from './artifactgenerator/setup.ts';
import type { sourceWatcherFlags } from './flags.ts';

/** The parsed source-watcher flags. */
export type SourceWatcherConfig = FlagConfig<typeof sourceWatcherFlags>;

/** The name upstream uses for the controller (events, leader election, field manager). */
export const SourceWatcherName = 'source-watcher';

/** What {@link createSourceWatcher} needs besides the flags and the common process inputs. */
export interface SourceWatcherDeps extends ControllerProcessDeps {
  /** Host name (pod name): the default advertised storage host. */
  hostname?: string | undefined;
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces the host of source artifact URLs. */
  sourceControllerLocalhost?: string | undefined;
  /** Where the default logger writes (default stdout). */
  logDestination?: { write(line: string): unknown } | undefined;
  /** Parent of the per-reconcile working directories (default the OS temp dir). */
  tmpDir?: string | undefined;
  /** First wait between artifact download retries in ms (default 5 s, as Flux; tests shorten it). */
  httpRetryWaitMinMs?: number | undefined;
}

/** A built, not yet started, source-watcher. */
export interface SourceWatcher extends ControllerProcess {
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

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Builds the source-watcher process from its flags; see the module comment.
 * @throws Error for flag values that do not fit together (storage path, digest algorithm, leader election)
 */
export function createSourceWatcher(config: SourceWatcherConfig, deps: SourceWatcherDeps): SourceWatcher {
  const parts = newControllerProcess(SourceWatcherName, config, deps);
  const { settings, client, cache, manager, recorder, logger } = parts;
  mkdirSync(config.storagePath, { recursive: true });
  const storage = new Storage({
    basePath: config.storagePath,
    hostname: advertisedStorageAddress({ ...config, hostname: deps.hostname ?? osHostname() }),
    retentionTtlMs: config.artifactRetentionTtl,
    retentionRecords: config.artifactRetentionRecords,
    digestAlgo: config.artifactDigestAlgo,
  });

  let resolveAddress!: (a: BoundAddress) => void;
  const address = new Promise<BoundAddress>((r) => (resolveAddress = r));
  manager.add({
    needLeaderElection: true,
    start: async (signal) => {
      // Only the leader serves artifacts: the Service points at whichever pod holds the Lease.
      const app = await buildArtifactServer({ storage });
      const bound = await listen(app, config.storageAddr);
      logger.info({ address: bound.url, path: storage.basePath }, 'starting storage server');
      resolveAddress(bound);
      await aborted(signal);
      await app.close();
    },
  });

  const reconciler = new ArtifactGeneratorReconciler({
    client,
    reader: cache,
    storage,
    recorder,
    controllerName: SourceWatcherName,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    requeueDependency: config.requeueDependency,
    httpRetry: config.httpRetry,
    httpRetryWaitMinMs: deps.httpRetryWaitMinMs,
    sourceHostOverride: deps.sourceControllerLocalhost,
    jitterPercent: config.intervalJitterPercentage,
    tmpDir: deps.tmpDir,
  });
  setupArtifactGeneratorController({
    manager,
    cache,
    reconciler,
    options: { ...settings.controller, reconcileTimeout: config.reconciliationTimeout },
  });
  return { ...parts, storage, artifactServerAddress: () => address };
}
