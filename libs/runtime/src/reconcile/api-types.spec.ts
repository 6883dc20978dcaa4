import { describe, expect, it } from 'vitest';
import type { GitRepository, HelmRelease, Kustomization } from '@flux-ts/api';
import { conditions } from '../conditions/index.ts';
import { EventRecorder } from '../events/index.ts';
import { FakeClient } from '../patch/fake-client.spec-helper.ts';
import { SerialPatcher } from '../patch/serial-patcher.ts';
import { checkDependencies } from './depends-on.ts';
import { Result } from './result.ts';
import { summarizeAndPatch } from './summarize.ts';

// The kit accepts the typed Flux objects of @flux-ts/api as they are (no casts).
describe('typed Flux objects', () => {
  it('flow through the patcher, summarizer, dependsOn checker and recorder', async () => {
    const client = new FakeClient();
    const ks = client.add<Kustomization>({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system', generation: 1 },
      spec: {
        interval: '10m',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      } as Kustomization['spec'],
    });
    const patcher = new SerialPatcher<Kustomization>(ks, client);
    await expect(
      checkDependencies(ks, ks.spec.dependsOn ?? [], { reader: client, requeueAfter: 30_000 }),
    ).resolves.toBeUndefined();
    conditions.markTrue(ks, 'Healthy', 'Succeeded', 'healthy');
    const recorder = new EventRecorder({
      reportingController: 'kustomize-controller',
      reportingInstance: 'kc-0',
      client,
    });
    const res = await summarizeAndPatch(ks, {
      patcher,
      conditions: [
        {
          target: 'Ready',
          owned: ['Ready', 'Healthy', 'Reconciling', 'Stalled'],
          summarize: ['Healthy'],
          negativePolarity: [],
        },
      ],
      result: Result.Success,
      interval: 600_000,
      recorder,
      successEvent: {
        reason: 'ReconciliationSucceeded',
        message: 'Applied revision: main@sha1:1',
        metadata: { revision: 'main@sha1:1' },
      },
    });
    await recorder.flush();
    expect(res).toEqual({ requeueAfter: 600_000 });
    expect(
      client.stored<Kustomization>('Kustomization', { namespace: 'flux-system', name: 'apps' })?.status
        ?.observedGeneration,
    ).toBe(1);
    const ev = [...client.objects.values()].find((o) => o.kind === 'Event');
    expect(ev?.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:1' });
    // Type-level: the other kinds are accepted too.
    const typed = (o: GitRepository | HelmRelease) => conditions.isReady(o);
    expect(typed).toBeTypeOf('function');
  });
});
