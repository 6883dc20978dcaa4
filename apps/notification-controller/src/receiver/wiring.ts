/**
 * The Receiver half of notification-controller's process (upstream `main.go`): the Receiver controller and the
 * webhook receiver server on `--receiverAddr`, started once this instance leads (upstream waits on `mgr.Elected()`
 * before serving), from the manager's cache and client. `controller.ts` calls {@link setupReceivers}; nothing here reads flags or the environment.
 */
import { listen } from '@flux-ts/runtime';
import type {
  BoundAddress,
  BuilderOptions,
  Cache,
  ControllerManager,
  EventSink,
  KubeClient,
  ListenAddress,
  Logger,
  Runnable,
} from '@flux-ts/runtime';
import type { JWTVerifyGetKey } from 'jose';
import { receiverGVK } from './reconciler.ts';
import type { ReceiverObject } from './reconciler.ts';
import { buildReceiverServer } from './server.ts';
import { WebhookPathIndexKey, setupReceiverController } from './setup.ts';
import type { OIDCDiscovery } from './tokens.ts';

/** What {@link setupReceivers} wires together. */
export interface SetupReceiversDeps {
  manager: ControllerManager & { add(runnable: Runnable): void };
  cache: Cache;
  client: KubeClient;
  recorder?: EventSink | undefined;
  logger: Logger;
  controllerName: string;
  /** `--receiverAddr`. */
  receiverAddr: ListenAddress;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs: boolean;
  /** `--watch-configs-label-selector`; undefined with `DisableConfigWatchers`. */
  watchConfigsLabelSelector?: string | undefined;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
  /** Test seams: Google's keys (`gcr`) and OIDC discovery (`generic-oidc`). */
  gcrKeys?: JWTVerifyGetKey | undefined;
  oidcDiscovery?: OIDCDiscovery | undefined;
}

/** Registers the Receiver controller and the receiver server; resolves `address` once the server listens. */
export function setupReceivers(deps: SetupReceiversDeps): { address: Promise<BoundAddress> } {
  setupReceiverController({
    manager: deps.manager,
    cache: deps.cache,
    client: deps.client,
    recorder: deps.recorder,
    controllerName: deps.controllerName,
    options: deps.options,
    watchConfigsLabelSelector: deps.watchConfigsLabelSelector,
  });
  let resolveAddress!: (a: BoundAddress) => void;
  const address = new Promise<BoundAddress>((r) => (resolveAddress = r));
  deps.manager.add({
    needLeaderElection: true,
    start: async (signal) => {
      const app = buildReceiverServer({
        receivers: {
          byWebhookPath: (path, s) =>
            deps.cache.listByIndex<ReceiverObject>(receiverGVK, WebhookPathIndexKey, path, s ? { signal: s } : {}),
        },
        resources: deps.cache,
        patcher: deps.client,
        secrets: deps.client,
        log: deps.logger,
        noCrossNamespaceRefs: deps.noCrossNamespaceRefs,
        gcrKeys: deps.gcrKeys,
        oidcDiscovery: deps.oidcDiscovery,
      });
      const bound = await listen(app, deps.receiverAddr);
      deps.logger.info({ address: bound.url }, 'starting webhook receiver server');
      resolveAddress(bound);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await app.close();
      deps.logger.info('Receiver server stopped');
    },
  });
  return { address };
}
