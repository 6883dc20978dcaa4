import { describe, it, expect } from 'vitest';
import { pino } from 'pino';
import { Metrics } from '../observability/metrics.ts';
import type { GroupVersionKind } from '../client/types.ts';
import type { Runnable } from '../manager/runnable.ts';
import { controllerBuilder } from './builder.ts';
import type { ControllerManager } from './builder.ts';
import { Controller } from './controller.ts';
import { predicates } from './predicates.ts';
import { FakeEventSource } from '../testing/index.ts';
import type { EventSource, InformerScopeLike } from './types.ts';
import type { KubeObject } from '../client/types.ts';

function fakeManager() {
  const sources = new Map<string, FakeEventSource<KubeObject>>();
  const scopes = new Map<string, InformerScopeLike | undefined>();
  const added: Runnable[] = [];
  const mgr: ControllerManager = {
    logger: pino({ level: 'silent' }),
    metrics: new Metrics(),
    add: (r) => void added.push(r),
    cache: {
      informerFor<T extends KubeObject>(gvk: GroupVersionKind, scope?: InformerScopeLike): EventSource<T> {
        const key = gvk.kind;
        if (!sources.has(key)) {
          sources.set(key, new FakeEventSource<KubeObject>());
          scopes.set(key, scope);
        }
        return sources.get(key)! as unknown as EventSource<T>;
      },
    },
  };
  return { mgr, sources, scopes, added };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('timed out');
}

const kustomization = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };

describe('controllerBuilder', () => {
  it('wires for/owns/watches, names the controller after the kind and adds it to the manager', async () => {
    const { mgr, sources, scopes, added } = fakeManager();
    const seen: string[] = [];
    const ctrl = controllerBuilder(mgr)
      .for(kustomization, { predicates: [predicates.generationChanged] })
      .owns({ apiVersion: 'v1', kind: 'ConfigMap' })
      .watches({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' }, (repo) => [
        { namespace: repo.metadata.namespace ?? '', name: `uses-${repo.metadata.name}` },
      ])
      .watches({ apiVersion: 'v1', kind: 'Secret' }, () => [], {
        scope: { labelSelector: 'reconcile.fluxcd.io/watch=Enabled' },
      })
      .withOptions({ concurrent: 2 })
      .complete(async (req) => void seen.push(req.name));
    expect(ctrl).toBeInstanceOf(Controller);
    expect(ctrl.name).toBe('kustomization');
    expect(added).toEqual([ctrl]);
    expect(ctrl.needLeaderElection).toBe(true);
    expect(scopes.get('Secret')).toEqual({ labelSelector: 'reconcile.fluxcd.io/watch=Enabled' });

    const stop = new AbortController();
    const done = ctrl.start(stop.signal);
    sources
      .get('Kustomization')!
      .set({ ...kustomization, metadata: { name: 'apps', namespace: 'flux-system', generation: 1 } });
    await until(() => seen.length === 1);
    sources.get('ConfigMap')!.set({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cm',
        namespace: 'flux-system',
        ownerReferences: [{ ...kustomization, name: 'infra', uid: 'u', controller: true }],
      },
    });
    await until(() => seen.length === 2);
    sources.get('GitRepository')!.set({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'repo', namespace: 'flux-system' },
    });
    await until(() => seen.length === 3);
    expect(seen).toEqual(['apps', 'infra', 'uses-repo']);
    stop.abort();
    await done;
  });

  it('requires for()', () => {
    const { mgr } = fakeManager();
    expect(() => controllerBuilder(mgr).complete(async () => {})).toThrow(/for\(\) was not called/);
  });
});
