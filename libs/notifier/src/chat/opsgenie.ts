import type { FluxEvent } from '@flux-ts/runtime';
import { NotifierError } from '../types.ts';
import type { Notifier, NotifierFactory } from '../types.ts';
import { requireHttpURL, sortedMetadata, postJSON } from './incident-shared.ts';

/** The Opsgenie Alert API body (upstream `OpsgenieAlert`). */
export interface OpsgenieAlert {
  message: string;
  description: string;
  details: Record<string, string>;
}

/** Upstream `Opsgenie.Post`'s payload: `Kind/Name` as message, metadata plus `severity` as details. */
export function toOpsgenieAlert(event: FluxEvent): OpsgenieAlert {
  const details = Object.fromEntries(sortedMetadata({ ...event.metadata, severity: event.severity }));
  return {
    message: `${event.involvedObject.kind}/${event.involvedObject.name}`,
    description: event.message,
    details,
  };
}

/** `opsgenie`: POST to the Alert API at `address` with `Authorization: GenieKey <token>`. */
export const opsgenieNotifier: NotifierFactory = (s): Notifier => {
  requireHttpURL(s.address, 'Opsgenie hook');
  if (!s.token) throw new NotifierError('empty Opsgenie apikey/token');
  return {
    async post(event, signal) {
      try {
        await postJSON(s, {
          url: s.address,
          headers: { Authorization: `GenieKey ${s.token}` },
          payload: toOpsgenieAlert(event),
          signal,
        });
      } catch (err) {
        throw new NotifierError(`postMessage failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
};
