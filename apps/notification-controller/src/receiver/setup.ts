/**
 * Controller wiring of the Receiver reconciler (upstream `ReceiverReconciler.SetupWithManagerAndOptions`): Receivers
 * are indexed by `status.webhookPath` (the receiver server's lookup) and by their Secret (`<namespace>/<name>`), and a
 * Secret that changes enqueues the Receivers that reference it, so a rotated token moves the webhook path at once.
 */
import { controllerBuilder, predicates, requestFor } from '@flux-ts/runtime';
import type {
  BuilderOptions,
  Cache,
  Controller,
  ControllerManager,
  EventSink,
  KubeClient,
  KubeObject,
  Predicate,
} from '@flux-ts/runtime';
import { ReceiverReconciler, receiverGVK, secretGVK } from './reconciler.ts';
import type { ReceiverObject } from './reconciler.ts';

/** Field index of Receivers by `status.webhookPath` (upstream `WebhookPathIndexKey`). */
export const WebhookPathIndexKey = '.metadata.webhookPath';

/** Field index of Receivers by their Secret, `<namespace>/<name>` (upstream `secretRefIndex`). */
export const SecretRefIndexKey = '.metadata.secretRef';

/** The {@link WebhookPathIndexKey} values of a Receiver (upstream `IndexReceiverWebhookPath`). */
export function indexReceiverWebhookPath(r: ReceiverObject): string[] {
  const p = r.status?.webhookPath;
  return p ? [p] : [];
}

/** The {@link SecretRefIndexKey} values of a Receiver. */
export function indexReceiverSecretRef(r: ReceiverObject): string[] {
  const name = r.spec?.secretRef?.name;
  return name ? [`${r.metadata.namespace ?? ''}/${name}`] : [];
}

/** controller-runtime's `ResourceVersionChangedPredicate`: updates pass when the resourceVersion moved. */
export const resourceVersionChanged: Predicate = {
  update: (old, o) => old.metadata.resourceVersion !== o.metadata.resourceVersion,
};

/** What {@link setupReceiverController} wires together. */
export interface ReceiverControllerDeps {
  manager: ControllerManager;
  cache: Cache;
  client: KubeClient;
  recorder?: EventSink | undefined;
  controllerName: string;
  /** `--concurrent`, `--min-retry-delay`, `--max-retry-delay`. */
  options?: BuilderOptions | undefined;
  /**
   * `--watch-configs-label-selector`: Secrets with these labels trigger the Receivers that use them when they change;
   * undefined disables the watch (`DisableConfigWatchers`); `''` watches every Secret.
   */
  watchConfigsLabelSelector?: string | undefined;
}

/** Registers the Receiver controller with the manager: its indexes, the Secret watch and the reconciler. */
export function setupReceiverController(deps: ReceiverControllerDeps): {
  controller: Controller;
  reconciler: ReceiverReconciler;
} {
  const { cache } = deps;
  cache.indexField<ReceiverObject>(receiverGVK, WebhookPathIndexKey, indexReceiverWebhookPath);
  cache.indexField<ReceiverObject>(receiverGVK, SecretRefIndexKey, indexReceiverSecretRef);
  const receivers = cache.informerFor<ReceiverObject>(receiverGVK);
  const reconciler = new ReceiverReconciler({
    reader: cache,
    secretReader: deps.client,
    patchClient: deps.client,
    recorder: deps.recorder,
    fieldManager: deps.controllerName,
  });
  let b = controllerBuilder(deps.manager)
    .named('receiver')
    .for(receiverGVK, { predicates: [predicates.or(predicates.generationChanged, predicates.reconcileRequested)] });
  if (deps.watchConfigsLabelSelector !== undefined) {
    b = b.watches<KubeObject>(
      secretGVK,
      (s) => receivers.byIndex(SecretRefIndexKey, `${s.metadata.namespace ?? ''}/${s.metadata.name}`).map(requestFor),
      { predicates: [resourceVersionChanged], scope: { labelSelector: deps.watchConfigsLabelSelector } },
    );
  }
  const controller = b.withOptions(deps.options ?? {}).complete(reconciler.reconcile);
  return { controller, reconciler };
}
