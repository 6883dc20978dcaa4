/**
 * What the event server does with an accepted event (upstream `handleEvent` and `dispatchNotification`): drop the
 * internal token metadata, find the matching Alerts, and for each resolve its Provider — cross-namespace check,
 * suspend, the commit-status and change-request rules, the metadata merge, the settings from its Secrets — then post
 * the notification in the background within the Provider's timeout. Resolution failures and post failures become a
 * Warning `NotificationDispatchFailed` event on the Alert, with every secret value masked.
 */
import {
  ChangeRequestProviderTypes,
  CommitStatusUpdateValue,
  EventMetadataAnnotationPrefix,
  EventMetadataKeys,
  NotificationEventReasons,
  ProviderGroupVersion,
} from '@flux-ts/api';
import { createNotifier as defaultCreateNotifier, prepareNotifier } from '@flux-ts/notifier';
import type { Notifier, ProviderSettings } from '@flux-ts/notifier';
import { EventType, errMessage } from '@flux-ts/runtime';
import type { FluxEvent, Logger } from '@flux-ts/runtime';
import { RegexCache, filterAlertsForEvent } from './alert-matching.ts';
import type { AlertObject, ObjectReader } from './alert-matching.ts';
import { excludeInternalMetadata, groupOfApiVersion, involvedObjectString } from './event.ts';
import { MessageTemplateAnnotation, messageTemplateOf, renderMessage } from './message-template.ts';
import { combineEventMetadata } from './metadata.ts';
import { isCommitStatusProvider, maskSecrets, resolveProviderSettings } from './provider-settings.ts';
import type { ProviderObject, SecretReader } from './provider-settings.ts';
import type { AlertEventRecorder } from './types.ts';

/** Upstream's budget for reading Alerts, Providers and Secrets of one event (the handler's 15 s context). */
export const DispatchBudgetMs = 15_000;

/** The reads and writes the dispatcher needs (the cache, the API client, the event recorder). */
export interface DispatcherDeps {
  /** Every Alert (from the informer cache). */
  listAlerts(signal?: AbortSignal): Promise<AlertObject[]>;
  /** A Provider (from the informer cache); throws NotFound when missing. */
  getProvider(namespace: string, name: string, signal?: AbortSignal): Promise<ProviderObject>;
  readSecret: SecretReader;
  getObject: ObjectReader;
  recorder: AlertEventRecorder;
  log: Logger;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs?: boolean;
  /** The `ObjectLevelWorkloadIdentity` feature gate. */
  objectLevelWorkloadIdentity?: boolean;
  /** Builds the sender of a Provider (default @flux-ts/notifier's `createNotifier`). */
  createNotifier?: (settings: ProviderSettings) => Notifier;
  now?: () => Date;
}

interface NotificationParams {
  sender: Notifier;
  event: FluxEvent;
  secrets: string[];
  timeoutMs: number;
}

type Dropped = 'commitStatus' | 'changeRequest' | undefined;

function hasKey(event: FluxEvent, key: string): boolean {
  return (event.metadata?.[key] ?? '') !== '';
}

function isCommitStatusUpdate(event: FluxEvent): boolean {
  const key = `${groupOfApiVersion(event.involvedObject.apiVersion)}/commit_status`;
  return event.metadata?.[key] === CommitStatusUpdateValue;
}

/**
 * Whether a commit-status provider can report this event: it names a commit (`event.toolkit.fluxcd.io/commit`, as
 * upstream's `hasCommitKey`) or carries the object's revision (`<group>/revision`, which the Git notifiers read).
 */
function hasCommit(event: FluxEvent): boolean {
  const group = groupOfApiVersion(event.involvedObject.apiVersion);
  return (
    hasKey(event, `${EventMetadataAnnotationPrefix}${EventMetadataKeys.Commit}`) ||
    hasKey(event, `${group}/${EventMetadataKeys.Revision}`)
  );
}

function isChangeRequestProvider(type: string): boolean {
  return (ChangeRequestProviderTypes as readonly string[]).includes(type);
}

/** Dispatches accepted events to the Providers of their Alerts; see the module comment. */
export class EventDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #regexes = new RegexCache();
  readonly #pending = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #createNotifier: (settings: ProviderSettings) => Notifier;
  readonly #now: () => Date;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#createNotifier = deps.createNotifier ?? ((s) => defaultCreateNotifier(s, { now: this.#now }));
  }

  /**
   * Handles one event that passed validation and the rate limiter: matches Alerts and starts the posts. Resolves
   * once every post has started (the server then answers 202); {@link EventDispatcher.idle} waits for the posts.
   */
  async handle(received: FluxEvent, log: Logger, signal?: AbortSignal): Promise<void> {
    const budget = AbortSignal.timeout(DispatchBudgetMs);
    const ctxSignal = signal ? AbortSignal.any([signal, budget]) : budget;
    const event = excludeInternalMetadata(received);
    let alerts: AlertObject[] = [];
    try {
      const all = await this.#deps.listAlerts(ctxSignal);
      alerts = await filterAlertsForEvent(
        {
          getObject: this.#deps.getObject,
          recorder: this.#deps.recorder,
          log,
          regexes: this.#regexes,
          signal: ctxSignal,
        },
        all,
        event,
      );
    } catch (err) {
      log.error({ err: `failed listing alerts: ${errMessage(err)}` }, 'failed to get alerts for the event');
    }
    if (alerts.length === 0) {
      log.info('discarding event, no alerts found for the involved object');
      return;
    }
    log.info({ message: event.message }, 'dispatching event');

    const dropped: Record<'commitStatus' | 'changeRequest', string[]> = { commitStatus: [], changeRequest: [] };
    for (const alert of alerts) {
      const alertLog = log.child({
        alert: {
          name: alert.metadata.name,
          namespace: alert.metadata.namespace,
          providerName: alert.spec.providerRef.name,
        },
      });
      let params: NotificationParams | Dropped;
      let secrets: string[] = [];
      try {
        params = await this.#params(event, alert, alertLog, ctxSignal, (s) => (secrets = s));
      } catch (err) {
        const msg = maskSecrets(errMessage(err), secrets);
        alertLog.error({ err: msg }, 'failed to dispatch notification');
        this.#warn(alert, `failed to dispatch notification for ${involvedObjectString(event)}: ${msg}`);
        continue;
      }
      if (params === 'commitStatus' || params === 'changeRequest') {
        dropped[params].push(`${alert.metadata.namespace ?? ''}/${alert.metadata.name}`);
        continue;
      }
      if (params) this.#post(params, alert, alertLog);
    }
    if (dropped.commitStatus.length > 0) {
      log.info(
        { alerts: dropped.commitStatus },
        'event dropped for commit status providers due to missing commit metadata key',
      );
    }
    if (dropped.changeRequest.length > 0) {
      log.info(
        { alerts: dropped.changeRequest },
        'event dropped for change request providers due to missing change request metadata key',
      );
    }
  }

  /** Waits until every notification started so far has been posted (or has failed). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Aborts the posts in flight and waits for them (shutdown). */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.idle();
  }

  async #params(
    event: FluxEvent,
    alert: AlertObject,
    log: Logger,
    signal: AbortSignal,
    onSecrets: (s: string[]) => void,
  ): Promise<NotificationParams | Dropped | undefined> {
    const alertNamespace = alert.metadata.namespace ?? '';
    if (this.#deps.noCrossNamespaceRefs && event.involvedObject.namespace !== alertNamespace) {
      throw new Error(
        `discarding event, access denied to cross-namespace sources: alert '${alertNamespace}/${alert.metadata.name}' can't process event from '${involvedObjectString(event)}', cross-namespace references have been blocked`,
      );
    }
    let provider: ProviderObject;
    try {
      provider = await this.#deps.getProvider(alertNamespace, alert.spec.providerRef.name, signal);
    } catch (err) {
      throw new Error(`failed to read provider: ${errMessage(err)}`, { cause: err });
    }
    if (provider.spec.suspend) return undefined;
    const type = provider.spec.type;
    if (!isCommitStatusProvider(type) && isCommitStatusUpdate(event)) return undefined;
    if (isCommitStatusProvider(type) && !hasCommit(event) && !isCommitStatusUpdate(event)) return 'commitStatus';
    const changeRequestKey = `${EventMetadataAnnotationPrefix}${EventMetadataKeys.ChangeRequest}`;
    if (isChangeRequestProvider(type) && !hasKey(event, changeRequestKey)) return 'changeRequest';

    let notification = combineEventMetadata(event, alert, { log, recorder: this.#deps.recorder });
    const template = messageTemplateOf(alert);
    if (template !== undefined) {
      try {
        notification = { ...notification, message: renderMessage(template, notification, alert, this.#now) };
      } catch (err) {
        const msg = `failed to render the message template of annotation ${MessageTemplateAnnotation}: ${errMessage(err)}`;
        log.error({ err: errMessage(err) }, 'failed to render message template');
        // recorder.event never rejects; the Kubernetes Event is written in the background
        void this.#deps.recorder.event(alert, {
          type: EventType.Warning,
          reason: NotificationEventReasons.InvalidConfig,
          message: msg,
        });
      }
    }

    const { settings, secrets } = await resolveProviderSettings({
      provider: { ...provider, apiVersion: provider.apiVersion || ProviderGroupVersion },
      alert: { name: alert.metadata.name, namespace: alertNamespace, uid: alert.metadata.uid ?? '' },
      readSecret: this.#deps.readSecret,
      objectLevelWorkloadIdentity: this.#deps.objectLevelWorkloadIdentity ?? false,
      signal,
    });
    onSecrets(secrets);
    let sender: Notifier;
    try {
      // the SDK a sentry Provider, or CEL a commitStatusExpr, needs at construction: imported on first use (issue 22)
      await prepareNotifier(settings);
      sender = this.#createNotifier(settings);
    } catch (err) {
      throw new Error(
        `failed to initialize notifier for provider '${provider.metadata.name}': failed to initialize notifier: ${errMessage(err)}`,
        { cause: err },
      );
    }
    return { sender, event: notification, secrets, timeoutMs: settings.timeoutMs };
  }

  #post(params: NotificationParams, alert: AlertObject, log: Logger): void {
    const signal = AbortSignal.any([AbortSignal.timeout(params.timeoutMs), this.#abort.signal]);
    const p = (async () => {
      try {
        await params.sender.post(params.event, signal);
      } catch (err) {
        const msg = maskSecrets(errMessage(err), params.secrets);
        log.error({ err: msg }, 'failed to send notification');
        this.#warn(alert, `failed to send notification for ${involvedObjectString(params.event)}: ${msg}`);
      }
    })();
    this.#pending.add(p);
    // bookkeeping only: p never rejects (caught above)
    void p.finally(() => this.#pending.delete(p));
  }

  #warn(alert: AlertObject, message: string): void {
    // recorder.event never rejects; the Kubernetes Event is written in the background
    void this.#deps.recorder.event(alert, {
      type: EventType.Warning,
      reason: NotificationEventReasons.NotificationDispatchFailed,
      message,
    });
  }
}
