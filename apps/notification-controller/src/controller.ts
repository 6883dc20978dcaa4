/**
 * Wiring of the notification-controller process from its parsed flags (upstream `main.go`): the Kubernetes client,
 * the informer cache, the manager (leader election, probes, metrics), the event recorder (Kubernetes Events only:
 * here `--events-addr` is where the event server listens), the static Alert and Provider controllers, and the event
 * server on `--events-addr`, started once this instance leads, as upstream waits on `mgr.Elected()`. `main.ts` and the
 * integration tests both build the process through {@link createNotificationController}; nothing here reads argv or
 * the environment.
 */
import { listen, newControllerProcess } from '@flux-ts/runtime';
import type {
  BoundAddress,
  ControllerProcess,
  ControllerProcessDeps,
  FlagConfig,
  GroupVersionKind,
  KubeObject,
} from '@flux-ts/runtime';
import type { Notifier, ProviderSettings } from '@flux-ts/notifier';
import { buildEventServer } from './event-server/server.ts';
import type { EventServer } from './event-server/server.ts';
import type { AlertObject } from './event-server/alert-matching.ts';
import type { ProviderObject, SecretObject } from './event-server/provider-settings.ts';
import type { notificationControllerFlags } from './flags.ts';
import { setupReceivers } from './receiver/index.ts';
import { AlertGVK, ProviderGVK, setupAlertController, setupProviderController } from './static-kinds/static-kinds.ts';

/** The parsed notification-controller flags. */
export type NotificationControllerConfig = FlagConfig<typeof notificationControllerFlags>;

/** The name upstream uses for the controller (events, leader election, user agent). */
export const NotificationControllerName = 'notification-controller';

const SecretGVK: GroupVersionKind = { apiVersion: 'v1', kind: 'Secret' };

/** What {@link createNotificationController} needs besides the flags and the common process inputs. */
export interface NotificationControllerDeps extends ControllerProcessDeps {
  /** Where the default logger writes (default stdout). */
  logDestination?: { write(line: string): unknown } | undefined;
  /** Builds a Provider's sender (tests; default @flux-ts/notifier's `createNotifier`). */
  createNotifier?: ((settings: ProviderSettings) => Notifier) | undefined;
}

/** A built, not yet started, notification-controller. */
export interface NotificationController extends ControllerProcess {
  /** Resolves with the event server's bound address once this instance leads and serves. */
  eventServerAddress(): Promise<BoundAddress>;
  /** The event server, once started (tests wait on `dispatcher.idle()`). */
  eventServer(): Promise<EventServer>;
  /** Resolves with the webhook receiver server's bound address once this instance leads and serves. */
  receiverServerAddress(): Promise<BoundAddress>;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Builds the notification-controller process from its flags; see the module comment. */
export function createNotificationController(
  config: NotificationControllerConfig,
  deps: NotificationControllerDeps,
): NotificationController {
  // eventsAddr is this controller's own listen address (the recorder must not post events to itself); upstream binds
  // no --watch-label-selector
  const parts = newControllerProcess(
    NotificationControllerName,
    { ...config, eventsAddr: '', watchLabelSelector: '' },
    deps,
  );
  const { settings, client, cache, manager, recorder, logger } = parts;

  setupAlertController({ manager, cache, client, recorder, options: settings.controller });
  setupProviderController({ manager, cache, client, recorder, options: settings.controller });

  const cacheSecrets = config.featureGates.CacheSecretsAndConfigMaps;
  const server = buildEventServer({
    log: logger,
    rateLimitIntervalMs: config.rateLimitInterval,
    metricsRegistry: manager.metrics.registry,
    exportHttpPathMetrics: config.exportHttpPathMetrics,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    objectLevelWorkloadIdentity: config.featureGates.ObjectLevelWorkloadIdentity,
    listAlerts: (signal) => cache.list<AlertObject>(AlertGVK, signal ? { signal } : {}),
    getProvider: (namespace, name, signal) =>
      cache.get<ProviderObject>(ProviderGVK, { namespace, name }, signal ? { signal } : {}),
    readSecret: (namespace, name, signal) =>
      cacheSecrets
        ? cache.get<SecretObject>(SecretGVK, { namespace, name }, signal ? { signal } : {})
        : client.get<SecretObject>(SecretGVK, { namespace, name }, signal ? { signal } : {}),
    getObject: (ref, signal) =>
      client.get<KubeObject>(
        { apiVersion: ref.apiVersion, kind: ref.kind },
        { namespace: ref.namespace, name: ref.name },
        signal ? { signal } : {},
      ),
    recorder,
    ...(deps.createNotifier ? { createNotifier: deps.createNotifier } : {}),
  });
  // the informers the event server reads, registered before the cache starts
  cache.informerFor(AlertGVK);
  cache.informerFor(ProviderGVK);

  let resolveAddress!: (a: BoundAddress) => void;
  const address = new Promise<BoundAddress>((r) => (resolveAddress = r));
  let resolveServer!: (s: EventServer) => void;
  const serverReady = new Promise<EventServer>((r) => (resolveServer = r));
  manager.add({
    needLeaderElection: true,
    start: async (signal) => {
      const bound = await listen(server.app, config.eventsAddr);
      logger.info({ address: bound.url }, 'starting event server');
      resolveAddress(bound);
      resolveServer(server);
      await abortPromise(signal);
      await server.app.close();
      logger.info('event server stopped');
    },
  });

  // the Receiver controller and the webhook receiver server on --receiverAddr (leader only, like the event server)
  const receivers = setupReceivers({
    manager,
    cache,
    client,
    recorder,
    logger,
    controllerName: NotificationControllerName,
    receiverAddr: config.receiverAddr,
    noCrossNamespaceRefs: config.noCrossNamespaceRefs,
    watchConfigsLabelSelector: config.featureGates.DisableConfigWatchers ? undefined : config.watchConfigsLabelSelector,
    options: settings.controller,
  });

  return {
    ...parts,
    eventServerAddress: () => address,
    eventServer: () => serverReady,
    receiverServerAddress: () => receivers.address,
  };
}
