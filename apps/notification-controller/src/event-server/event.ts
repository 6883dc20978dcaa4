/**
 * The event as notification-controller's event server reads it (fluxcd/pkg `apis/event/v1beta1` Event): the route
 * schema, the metadata clean-up of `eventMiddleware`, the rate-limit key (`notifier.EventKey`) and the removal of
 * internal metadata before dispatch (`excludeInternalMetadata`).
 */
import { createHash } from 'node:crypto';
import { EventMetadataAnnotationPrefix, EventMetadataKeys } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';

/** Maximum body of an event request (upstream `maxRequestSizeBytes`, 3 MiB); larger bodies get 413. */
export const MaxRequestSizeBytes = 3 * 1024 * 1024;

/** Maximum size of the request headers (upstream `maxHeaderBytes`, 256 KiB). */
export const MaxHeaderBytes = 256 * 1024;

/** Metadata keys the server drops from every event (fluxcd/pkg `MetaChecksumKey`, `MetaDigestKey`). */
const ExcludedMetadataKeys = ['checksum', 'digest'] as const;

const stringProp = { type: 'string' } as const;

/**
 * JSON schema of the event body. Go's `json.Unmarshal` into `eventv1.Event` refuses a body that is not an object or
 * whose fields have the wrong JSON type; the required fields are those every Flux recorder sends.
 */
export const EventBodySchema = {
  type: 'object',
  required: ['involvedObject', 'severity', 'message', 'reason'],
  properties: {
    involvedObject: {
      type: 'object',
      properties: {
        kind: stringProp,
        namespace: stringProp,
        name: stringProp,
        uid: stringProp,
        apiVersion: stringProp,
        resourceVersion: stringProp,
        fieldPath: stringProp,
      },
    },
    severity: stringProp,
    timestamp: stringProp,
    message: stringProp,
    reason: stringProp,
    metadata: { type: ['object', 'null'], additionalProperties: stringProp },
    reportingController: stringProp,
    reportingInstance: stringProp,
  },
} as const;

/** The body as validated by {@link EventBodySchema}. */
interface EventBody {
  involvedObject: Partial<Record<'kind' | 'namespace' | 'name' | 'uid' | 'apiVersion', string>>;
  severity: string;
  timestamp?: string;
  message: string;
  reason: string;
  metadata?: Record<string, string> | null;
  reportingController?: string;
  reportingInstance?: string;
}

/**
 * The event of a body that passed {@link EventBodySchema}, with Go's zero values for missing strings (as
 * `json.Unmarshal` leaves them) and only the fields of the Event type.
 */
export function toFluxEvent(body: unknown): FluxEvent {
  const b = body as EventBody;
  const o = b.involvedObject;
  return {
    involvedObject: {
      kind: o.kind ?? '',
      namespace: o.namespace ?? '',
      name: o.name ?? '',
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      apiVersion: o.apiVersion ?? '',
    },
    severity: b.severity as FluxEvent['severity'],
    timestamp: b.timestamp ?? '',
    message: b.message,
    reason: b.reason,
    ...(b.metadata ? { metadata: Object.fromEntries(Object.entries(b.metadata)) } : {}),
    reportingController: b.reportingController ?? '',
    ...(b.reportingInstance !== undefined ? { reportingInstance: b.reportingInstance } : {}),
  };
}

/** The API group of an apiVersion (`''` for the core group or a missing apiVersion). */
export function groupOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** `Kind/namespace/name` of the involved object (upstream `involvedObjectString`). */
export function involvedObjectString(event: FluxEvent): string {
  const o = event.involvedObject;
  return `${o.kind}/${o.namespace}/${o.name}`;
}

/**
 * Keeps the metadata keys prefixed with `event.toolkit.fluxcd.io/` or with the involved object's group, without the
 * object group's `checksum` and `digest` (compared case-insensitively, as Go's `strings.EqualFold`) — upstream
 * `cleanupMetadata`. Returns a new event.
 */
export function cleanupMetadata(event: FluxEvent): FluxEvent {
  const objectGroupPrefix = `${groupOfApiVersion(event.involvedObject.apiVersion)}/`;
  const excluded = ExcludedMetadataKeys.map((k) => `${objectGroupPrefix}${k}`.toLowerCase());
  const kept: [string, string][] = [];
  for (const [key, value] of Object.entries(event.metadata ?? {})) {
    if (excluded.includes(key.toLowerCase())) continue;
    if (key.startsWith(EventMetadataAnnotationPrefix) || key.startsWith(objectGroupPrefix)) kept.push([key, value]);
  }
  // Object.fromEntries defines own properties, so a `__proto__` key stays data
  return { ...event, metadata: Object.fromEntries(kept) };
}

/**
 * The identity of an event (upstream `notifier.EventKey`): hex sha256 of name, namespace, kind, message and the
 * object group's originRevision, revision and token metadata, each prefixed to avoid collisions. The rate limiter
 * keys duplicates on it.
 */
export function eventKey(event: FluxEvent): string {
  const o = event.involvedObject;
  const comps = ['event', `name=${o.name}`, `namespace=${o.namespace}`, `kind=${o.kind}`];
  comps.push(`message=${event.message}`);
  const group = groupOfApiVersion(o.apiVersion);
  const md = event.metadata ?? {};
  const get = (k: string): string | undefined =>
    Object.prototype.hasOwnProperty.call(md, `${group}/${k}`) ? md[`${group}/${k}`] : undefined;
  const originRevision = get(EventMetadataKeys.OriginRevision);
  if (originRevision !== undefined) comps.push(`originRevision=${originRevision}`);
  const revision = get(EventMetadataKeys.Revision);
  if (revision !== undefined) comps.push(`revision=${revision}`);
  const token = get(EventMetadataKeys.Token);
  if (token !== undefined) comps.push(`token=${token}`);
  return createHash('sha256').update(comps.join('/')).digest('hex');
}

/** Removes the object group's `token` metadata (upstream `excludeInternalMetadata`). Returns a new event. */
export function excludeInternalMetadata(event: FluxEvent): FluxEvent {
  if (!event.metadata || Object.keys(event.metadata).length === 0) return event;
  const tokenKey = `${groupOfApiVersion(event.involvedObject.apiVersion)}/${EventMetadataKeys.Token}`;
  return { ...event, metadata: Object.fromEntries(Object.entries(event.metadata).filter(([k]) => k !== tokenKey)) };
}
