/**
 * Metadata of a notification (upstream `combineEventMetadata`, Flux RFC 0008). From lowest to highest precedence:
 * the event's `event.toolkit.fluxcd.io/*` keys (the object's annotations) without the prefix, the Alert's
 * `spec.eventMetadata` as is, the Alert's `spec.summary` as `summary`, and the event's `<object group>/*` keys (the
 * controller's) without the prefix. A key set by more than one source is a conflict: one info log and one Warning
 * `MetadataAppendFailed` event on the Alert list them.
 */
import { EventMetadataAnnotationPrefix, EventMetadataKeys, NotificationEventReasons } from '@flux-ts/api';
import { EventType } from '@flux-ts/runtime';
import type { FluxEvent, Logger } from '@flux-ts/runtime';
import type { AlertObject } from './alert-matching.ts';
import { groupOfApiVersion } from './event.ts';
import type { AlertEventRecorder } from './types.ts';

const SourceEventGroup = 'involved object annotations';
const SourceAlertEventMetadata = 'Alert object .spec.eventMetadata';
const SourceAlertSummary = 'Alert object .spec.summary';
const SourceObjectGroup = 'involved object controller metadata';

/** The message of the conflict log and event. */
export const MetadataConflictMessage =
  'metadata key conflicts detected (please refer to the Alert API docs and Flux RFC 0008 for more information)';

/** Returns the event with its combined metadata; see the module comment. */
export function combineEventMetadata(
  event: FluxEvent,
  alert: AlertObject,
  deps: { log: Logger; recorder: AlertEventRecorder },
): FluxEvent {
  const metadata = new Map<string, string>();
  const sources = new Map<string, string[]>();
  const put = (key: string, value: string, source: string) => {
    metadata.set(key, value);
    sources.set(key, [...(sources.get(key) ?? []), source]);
  };
  const eventMetadata = Object.entries(event.metadata ?? {});

  for (const [k, v] of eventMetadata) {
    if (k.startsWith(EventMetadataAnnotationPrefix))
      put(k.slice(EventMetadataAnnotationPrefix.length), v, SourceEventGroup);
  }
  for (const [k, v] of Object.entries(alert.spec.eventMetadata ?? {})) put(k, v, SourceAlertEventMetadata);
  if (alert.spec.summary) {
    put(EventMetadataKeys.Summary, alert.spec.summary, SourceAlertSummary);
    deps.log.info(
      "warning: specifying an alert summary with '.spec.summary' is deprecated, use '.spec.eventMetadata.summary' instead",
    );
  }
  const objectGroupPrefix = `${groupOfApiVersion(event.involvedObject.apiVersion)}/`;
  for (const [k, v] of eventMetadata) {
    if (k.startsWith(objectGroupPrefix)) put(k.slice(objectGroupPrefix.length), v, SourceObjectGroup);
  }

  const conflicts = [...sources.entries()]
    .filter(([, s]) => s.length > 1)
    .map(([key, s]) => ({ key, sources: s }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (conflicts.length > 0) {
    deps.log.info({ conflictingKeys: conflicts }, `warning: ${MetadataConflictMessage}`);
    // recorder.event never rejects; the Kubernetes Event is written in the background
    void deps.recorder.event(alert, {
      type: EventType.Warning,
      reason: NotificationEventReasons.MetadataAppendFailed,
      message: MetadataConflictMessage,
      metadata: Object.fromEntries(conflicts.map((c) => [c.key, c.sources.join(', ')])),
    });
  }
  if (metadata.size === 0) return event;
  return { ...event, metadata: Object.fromEntries(metadata) };
}
