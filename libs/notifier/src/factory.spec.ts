import { ProviderTypes } from '@flux-ts/api';
import { afterEach, describe, expect, it } from 'vitest';
import { NopNotifier, createNotifier, supportedProviderTypes } from './factory.ts';
import { startSink } from '@flux-ts/testbed';
import type { Sink } from '@flux-ts/testbed';
import type { ProviderSettings } from './types.ts';
import { settingsFor } from './chat/fixtures.spec-helper.ts';

const settings = (over: Partial<ProviderSettings>): ProviderSettings => settingsFor(over.type ?? 'generic', over);

describe('createNotifier', () => {
  let sink: Sink | undefined;
  afterEach(() => sink?.close());

  it('has a notifier for every provider type of the API', () => {
    expect(supportedProviderTypes()).toEqual([...ProviderTypes].sort());
  });

  it('sends nothing for a Provider without an address, as upstream', () => {
    expect(createNotifier(settings({ type: 'slack' }))).toBe(NopNotifier);
  });

  it('refuses an unknown type with upstream’s message', () => {
    expect(() => createNotifier(settings({ type: 'carrier-pigeon' as ProviderSettings['type'] }))).toThrow(
      'provider carrier-pigeon not supported',
    );
  });

  it('dispatches to the type’s notifier', async () => {
    sink = await startSink();
    const n = createNotifier(settings({ type: 'generic', address: `${sink.url}/hook` }));
    await n.post(
      {
        involvedObject: {
          kind: 'Kustomization',
          namespace: 'ns',
          name: 'app',
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        },
        severity: 'info',
        timestamp: '2026-12-07T20:00:00Z',
        message: 'applied',
        reason: 'ReconciliationSucceeded',
        reportingController: 'kustomize-controller',
      },
      AbortSignal.timeout(5000),
    );
    expect(sink.requests).toHaveLength(1);
    expect(sink.requests[0]!.headers['gotk-component']).toBe('kustomize-controller');
  });
});
