import type { FluxEvent } from '@flux-ts/runtime';
import type { ProviderType } from '@flux-ts/api';
import type { NotifierDeps, ProviderSettings } from '../types.ts';
import { settingsFor, testEvent as chatTestEvent } from './fixtures.spec-helper.ts';

/** Upstream notifier tests' `testEvent()`, with the fixed timestamp and apiVersion the incident tests expect. */
export function testEvent(over: Partial<FluxEvent> = {}): FluxEvent {
  const base = chatTestEvent();
  return chatTestEvent({
    involvedObject: { ...base.involvedObject, apiVersion: 'source.toolkit.fluxcd.io/v1' },
    timestamp: '2020-01-01T00:00:00Z',
    ...over,
  });
}

/** Provider settings for `type` with empty secrets, overridden by `over`. */
export function settings(type: ProviderType, over: Partial<ProviderSettings> = {}): ProviderSettings {
  return settingsFor(type, {
    provider: { name: 'p', namespace: 'flux-system', uid: '4b2c6f1e-0000-4000-8000-000000000001' },
    ...over,
  });
}

/** Deps with a fixed clock. */
export const deps: NotifierDeps = { now: () => new Date('2020-01-01T00:00:05Z') };

export { rejection, signal } from './fixtures.spec-helper.ts';

/** The error `fn` throws (fails the test when it returns). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
