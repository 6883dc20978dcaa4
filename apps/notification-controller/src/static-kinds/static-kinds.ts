/**
 * The static Alert and Provider kinds (v1beta3 has no status), as upstream notification-controller v1.x handles
 * them (internal/controller/alert_controller.go, provider_controller.go):
 * - Alert: only objects that still carry the `finalizers.fluxcd.io` finalizer of the v1beta1/v1beta2 reconcilers
 *   are reconciled, to remove it (unless suspended and not being deleted), with a Normal `Migration` event. Their
 *   legacy status is left as it is, as upstream leaves it.
 * - Provider: the finalizer is added to each Provider and removed on deletion (upstream does it to clear its
 *   token cache of the Provider; flux-ts keeps no token cache, so deletion only removes the finalizer).
 */
import { AlertGroupVersion, NotificationEventReasons, NotificationFinalizer, ProviderGroupVersion } from '@flux-ts/api';
import { EventType, controllerBuilder, isNotFound } from '@flux-ts/runtime';
import type {
  BuilderOptions,
  Cache,
  Controller,
  ControllerManager,
  EventRecorder,
  GroupVersionKind,
  KubeObject,
  Predicate,
} from '@flux-ts/runtime';

/** The Alert kind at its storage version. */
export const AlertGVK: GroupVersionKind = { apiVersion: AlertGroupVersion, kind: 'Alert' };
/** The Provider kind at its storage version. */
export const ProviderGVK: GroupVersionKind = { apiVersion: ProviderGroupVersion, kind: 'Provider' };

/** The message of the Alert migration (log and event). */
export const AlertMigrationMessage = 'removed finalizer from Alert to migrate to static Alert';

type Suspendable = KubeObject & { spec?: { suspend?: boolean } };

const hasFinalizer = (o: KubeObject): boolean => (o.metadata.finalizers ?? []).includes(NotificationFinalizer);

/** Upstream `finalizerPredicate`: only objects with the notification finalizer. */
export const finalizerPredicate: Predicate = {
  create: (o) => hasFinalizer(o),
  update: (_old, o) => hasFinalizer(o),
  delete: (o) => hasFinalizer(o),
};

/** Upstream `providerPredicate`: Providers without the finalizer, or being deleted. */
export const providerPredicate: Predicate = {
  create: (o) => !hasFinalizer(o),
  update: (_old, o) => !hasFinalizer(o) || o.metadata.deletionTimestamp !== undefined,
  delete: () => false,
};

/** What the static-kind controllers need. */
export interface StaticKindsDeps {
  manager: ControllerManager;
  cache: Cache;
  client: {
    patch(
      gvk: GroupVersionKind,
      key: { namespace: string; name: string },
      patch: unknown,
      opts: { type: 'merge'; signal?: AbortSignal },
    ): Promise<unknown>;
  };
  recorder: Pick<EventRecorder, 'event'>;
  options?: BuilderOptions | undefined;
}

async function getOrUndefined<T extends KubeObject>(
  cache: Cache,
  gvk: GroupVersionKind,
  key: { namespace: string; name: string },
  signal: AbortSignal,
): Promise<T | undefined> {
  try {
    return await cache.get<T>(gvk, key, { signal });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function patchFinalizers(
  deps: StaticKindsDeps,
  gvk: GroupVersionKind,
  obj: KubeObject,
  finalizers: string[],
  signal: AbortSignal,
): Promise<void> {
  const key = { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name };
  try {
    await deps.client.patch(
      gvk,
      key,
      {
        metadata: {
          finalizers: finalizers.length > 0 ? finalizers : null,
          resourceVersion: obj.metadata.resourceVersion,
        },
      },
      { type: 'merge', signal },
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Registers the Alert migration controller; see the module comment. */
export function setupAlertController(deps: StaticKindsDeps): Controller {
  return controllerBuilder(deps.manager)
    .named('alert')
    .for(AlertGVK, { predicates: [finalizerPredicate] })
    .withOptions(deps.options ?? {})
    .complete(async (req, ctx) => {
      const obj = await getOrUndefined<Suspendable>(deps.cache, AlertGVK, req, ctx.signal);
      if (!obj || !hasFinalizer(obj)) return;
      const deleting = obj.metadata.deletionTimestamp !== undefined;
      if (obj.spec?.suspend && !deleting) {
        ctx.log.info('reconciliation is suspended for this object');
        return;
      }
      const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== NotificationFinalizer);
      await patchFinalizers(deps, AlertGVK, obj, rest, ctx.signal);
      ctx.log.info(AlertMigrationMessage);
      // recorder.event never rejects; the Kubernetes Event is written in the background
      void deps.recorder.event(obj, {
        type: EventType.Normal,
        reason: NotificationEventReasons.Migration,
        message: AlertMigrationMessage,
      });
    });
}

/** Registers the Provider finalizer controller; see the module comment. */
export function setupProviderController(deps: StaticKindsDeps): Controller {
  return controllerBuilder(deps.manager)
    .named('provider')
    .for(ProviderGVK, { predicates: [providerPredicate] })
    .withOptions(deps.options ?? {})
    .complete(async (req, ctx) => {
      const obj = await getOrUndefined(deps.cache, ProviderGVK, req, ctx.signal);
      if (!obj) return;
      const finalizers = obj.metadata.finalizers ?? [];
      if (obj.metadata.deletionTimestamp !== undefined) {
        if (hasFinalizer(obj)) {
          await patchFinalizers(
            deps,
            ProviderGVK,
            obj,
            finalizers.filter((f) => f !== NotificationFinalizer),
            ctx.signal,
          );
        }
        return;
      }
      if (!hasFinalizer(obj))
        await patchFinalizers(deps, ProviderGVK, obj, [...finalizers, NotificationFinalizer], ctx.signal);
    });
}
