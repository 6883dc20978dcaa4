import type { FluxEvent } from '@flux-ts/runtime';
import { EventSeverities } from '@flux-ts/api';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { sortedMetadata, unixSeconds, postJSON } from './incident-shared.ts';

// Hand-written on postMessage: one POST of the v1 Events API; @datadog/datadog-api-client is a whole-API client
// whose transport has no proxy or custom CA hook.

/** The API base when `address` is empty: Datadog's US1 site, the Go client's default. */
export const DefaultDataDogAddress = 'https://api.datadoghq.com';

/**
 * datadogV1 `EventCreateRequest` as the Go client serializes it (keys in alphabetical order: the generated
 * `MarshalJSON` goes through a map).
 */
export interface DataDogEvent {
  alert_type: 'error' | 'info';
  date_happened: number;
  source_type_name: 'fluxcd';
  tags: string[];
  text: string;
  title: string;
}

/** Upstream `toDataDogTags`: the controller, reason and object as tags, then the metadata, all lower-cased. */
export function toDataDogTags(event: FluxEvent): string[] {
  const o = event.involvedObject;
  const tags = [
    `flux_reporting_controller:${event.reportingController}`,
    `flux_reason:${event.reason}`,
    `kube_kind:${o.kind}`,
    `kube_name:${o.name}`,
    `kube_namespace:${o.namespace}`,
  ];
  for (const [k, v] of sortedMetadata(event.metadata)) tags.push(`${k}:${v}`);
  return tags.map((t) => t.toLowerCase());
}

/** Upstream `toDataDogEvent`. */
export function toDataDogEvent(event: FluxEvent): DataDogEvent {
  const o = event.involvedObject;
  return {
    alert_type: event.severity === EventSeverities.Error ? 'error' : 'info',
    date_happened: unixSeconds(event.timestamp),
    source_type_name: 'fluxcd',
    tags: toDataDogTags(event),
    text: event.message,
    // The title's format matches the events of Datadog's Kubernetes integration.
    title: `Events from the ${o.kind} ${o.name}/${o.namespace}`,
  };
}

/** `datadog`: a Datadog Event on `<address>/api/v1/events` with the API key (`token`) in `DD-API-KEY`. */
export const datadogNotifier: NotifierFactory = (s): Notifier => {
  if (!s.token) throw new NotifierError('token cannot be empty');
  let base: URL;
  try {
    base = new URL(s.address || DefaultDataDogAddress);
  } catch (err) {
    throw new NotifierError('failed to parse address', { cause: err });
  }
  const url = `${base.protocol}//${base.host}/api/v1/events`;
  return {
    async post(event, signal) {
      try {
        await postJSON(s, {
          url,
          headers: { 'DD-API-KEY': s.token, Accept: 'application/json' },
          payload: toDataDogEvent(event),
          signal,
        });
      } catch (err) {
        throw new NotifierError(`failed to post event to DataDog: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
