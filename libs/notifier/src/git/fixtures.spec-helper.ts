import type { FluxEvent } from '@flux-ts/runtime';
import type { ProviderSettings } from '../types.ts';

/** A full SHA-1 commit of the test events. */
export const SHA = '5394cb7f48332b2de7c17dd8b8384bbc84b7e738';

/** The Provider UID of the test settings; its first block is the default status suffix. */
export const PROVIDER_UID = '0c9c2e41-d2f9-4f9b-9c41-7c4d5a1f3b2e';

/** A secret the tests check never appears in an error. */
export const TOKEN = 's3cr3t-t0ken';

/** A Kustomization success event on `main@sha1:<SHA>`. */
export function testEvent(over: Partial<FluxEvent> = {}): FluxEvent {
  return {
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'flux-system',
      name: 'webapp',
      uid: '7d0f2c6a-1111-2222-3333-444455556666',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity: 'info',
    timestamp: '2026-12-07T20:00:00Z',
    message: 'Reconciliation finished in 1s, next run in 10m',
    reason: 'ReconciliationSucceeded',
    metadata: { revision: `main@sha1:${SHA}` },
    reportingController: 'kustomize-controller',
    reportingInstance: 'kustomize-controller-7f8d',
    ...over,
  };
}

/** Settings of a Git provider type at `address` with the test token. */
export function gitSettings(
  type: ProviderSettings['type'],
  address: string,
  over: Partial<ProviderSettings> = {},
): ProviderSettings {
  return {
    type,
    address,
    channel: '',
    username: '',
    token: TOKEN,
    password: '',
    headers: {},
    timeoutMs: 5000,
    provider: { name: 'git', namespace: 'flux-system', uid: PROVIDER_UID },
    ...over,
  };
}

/** The notifier deps of the tests. */
export const deps = { now: () => new Date('2026-12-07T20:00:00Z') };

/** A fresh abort signal for one post. */
export function sig(): AbortSignal {
  return AbortSignal.timeout(5000);
}
