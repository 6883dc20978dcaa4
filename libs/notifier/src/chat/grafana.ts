import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import {
  basicAuth,
  isCommitStatusUpdate,
  requireHttpURL,
  sortedMetadata,
  unixSeconds,
  postJSON,
} from './incident-shared.ts';

/** A Grafana annotation in Graphite format (upstream `GraphitePayload`). */
export interface GraphitePayload {
  when: number;
  text: string;
  tags: string[];
}

/**
 * Upstream `Grafana.Post`'s payload: `kind/name.namespace` as text; tags `flux`, the controller, each metadata
 * `key: value` (a `:` inside either becomes `|`), then the object's name and namespace.
 */
export function toGraphitePayload(event: FluxEvent): GraphitePayload {
  const o = event.involvedObject;
  const tags = ['flux', event.reportingController];
  for (const [k, v] of sortedMetadata(event.metadata))
    tags.push(`${k.replaceAll(':', '|')}: ${v.replaceAll(':', '|')}`);
  tags.push(`name: ${o.name}`, `namespace: ${o.namespace}`);
  return { when: unixSeconds(event.timestamp), text: `${o.kind.toLowerCase()}/${o.name}.${o.namespace}`, tags };
}

/**
 * `grafana`: POST to the annotations API at `address` (`.../api/annotations/graphite`), with `Bearer <token>`, or
 * basic auth from `username`/`password` when there is no token.
 */
export const grafanaNotifier: NotifierFactory = (s): Notifier => {
  requireHttpURL(s.address, 'Grafana');
  const headers: Record<string, string> = {};
  if (s.token) headers.Authorization = `Bearer ${s.token}`;
  else if (s.username && s.password) headers.Authorization = basicAuth(s.username, s.password);
  return {
    async post(event, signal) {
      if (isCommitStatusUpdate(event)) return;
      try {
        await postJSON(s, { url: s.address, headers, payload: toGraphitePayload(event), signal });
      } catch (err) {
        throw new NotifierError(`postMessage failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
