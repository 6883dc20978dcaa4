import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startApiServer, type ApiServer } from '@flux-ts/apiserver';
import { KubeClient } from '../client/index.ts';
import { conditions } from '../conditions/index.ts';
import { EventRecorder, type EventClient } from '../events/index.ts';
import { checkDependencies, Result, summarizeAndPatch, type DependencyReader } from '../reconcile/index.ts';
import { SerialPatcher } from './serial-patcher.ts';
import type { PatchClient, StatusObject } from './types.ts';

interface GitRepository extends StatusObject {
  spec: { url: string; interval: string; suspend?: boolean };
}

const gvk = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const owned = ['Ready', 'Reconciling', 'Stalled', 'FetchFailed', 'ArtifactInStorage'];

let server: ApiServer;
let client: KubeClient;

// The runtime KubeClient satisfies the structural client subsets of the reconcile kit.
const asPatchClient = (c: KubeClient): PatchClient => c;
const asEventClient = (c: KubeClient): EventClient => c;
const asReader = (c: KubeClient): DependencyReader => c;

beforeAll(async () => {
  // The generated CRD of the repo (deploy/crds), so the server validates like a real cluster with Flux installed.
  const crd = parse(
    readFileSync(
      new URL('../../../../deploy/crds/source.toolkit.fluxcd.io_gitrepositories.yaml', import.meta.url),
      'utf8',
    ),
  ) as never;
  server = await startApiServer({ port: 0, objects: [crd] });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  client = KubeClient.fromKubeConfig(kc);
});

afterAll(async () => {
  await server?.close();
});

async function createRepo(name: string): Promise<GitRepository> {
  return (await client.create({
    ...gvk,
    metadata: { name, namespace: 'default' },
    spec: { url: 'https://github.com/stefanprodan/podinfo', interval: '1m' },
  })) as unknown as GitRepository;
}

describe('SerialPatcher against the API server', () => {
  it('patches finalizers, status and conditions through the status subresource', async () => {
    const obj = await createRepo('patch-basic');
    const patcher = new SerialPatcher(obj, asPatchClient(client));
    obj.metadata.finalizers = ['finalizers.fluxcd.io'];
    conditions.markTrue(obj, 'ArtifactInStorage', 'Succeeded', 'stored artifact');
    conditions.markTrue(obj, 'Ready', 'Succeeded', 'stored artifact');
    await patcher.patch(obj, {
      ownedConditions: owned,
      includeStatusObservedGeneration: true,
      fieldManager: 'source-controller',
    });

    const live = (await client.get(gvk, { namespace: 'default', name: 'patch-basic' })) as unknown as GitRepository;
    expect(live.metadata.finalizers).toEqual(['finalizers.fluxcd.io']);
    expect(live.status?.observedGeneration).toBe(1);
    expect(conditions.getConditions(live).map((c) => c.type)).toEqual(['Ready', 'ArtifactInStorage']);
  });

  it('retries an injected 409 on the conditions patch and lets owned conditions win over a concurrent writer', async () => {
    const obj = await createRepo('patch-conflict');
    const patcher = new SerialPatcher(obj, asPatchClient(client), { conflictBackoffMs: 5 });

    // Another writer changes Ready and adds its own condition after our read.
    const other = (await client.get(gvk, { namespace: 'default', name: 'patch-conflict' })) as unknown as GitRepository;
    conditions.markUnknown(other, 'Ready', 'Progressing', 'theirs');
    conditions.markTrue(other, 'Foreign', 'Other', 'kept');
    await client.patch(
      gvk,
      { namespace: 'default', name: 'patch-conflict' },
      { status: { conditions: other.status?.conditions } },
      { type: 'merge', subresource: 'status' },
    );

    server.counters.reset();
    server.hooks.injectError({ verb: 'patch', resource: 'gitrepositories', code: 409, times: 1 });
    conditions.markFalse(obj, 'Ready', 'GitOperationFailed', 'ours');
    await patcher.patch(obj, { ownedConditions: owned });
    // One injected 409, then the re-read (the optimistic lock also saw the other writer) and a successful patch.
    expect(server.counters.get('patch', 'gitrepositories.source.toolkit.fluxcd.io/status')).toBe(2);
    expect(server.counters.get('get', 'gitrepositories.source.toolkit.fluxcd.io')).toBe(2);

    const live = (await client.get(gvk, { namespace: 'default', name: 'patch-conflict' })) as unknown as GitRepository;
    expect(conditions.get(live, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'GitOperationFailed',
      message: 'ours',
    });
    expect(conditions.get(live, 'Foreign')).toMatchObject({ status: 'True', message: 'kept' });
  });

  it('summarizeAndPatch ends a reconcile Ready with observedGeneration and a bumped Kubernetes Event', async () => {
    const obj = await createRepo('summarize');
    const patcher = new SerialPatcher(obj, asPatchClient(client));
    const recorder = new EventRecorder({
      reportingController: 'source-controller',
      reportingInstance: 'sc-0',
      client: asEventClient(client),
    });
    const table = {
      target: 'Ready',
      owned,
      summarize: ['Stalled', 'FetchFailed', 'ArtifactInStorage', 'Reconciling'],
      negativePolarity: ['Stalled', 'FetchFailed', 'Reconciling'],
    };
    conditions.markTrue(obj, 'ArtifactInStorage', 'Succeeded', 'stored artifact for revision main@sha1:1');
    const successEvent = { reason: 'NewArtifact', message: 'stored artifact for commit 1' };
    const res = await summarizeAndPatch(obj, {
      patcher,
      conditions: [table],
      result: Result.Success,
      interval: 60_000,
      recorder,
      successEvent,
    });
    expect(res).toEqual({ requeueAfter: 60_000 });
    await summarizeAndPatch(obj, {
      patcher,
      conditions: [table],
      result: Result.Success,
      interval: 60_000,
      recorder,
      successEvent,
    });
    await recorder.flush();

    const live = (await client.get(gvk, { namespace: 'default', name: 'summarize' })) as unknown as GitRepository;
    expect(conditions.isReady(live)).toBe(true);
    expect(live.status?.observedGeneration).toBe(1);
    const events = await client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
    const mine = events.items.filter(
      (e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'summarize',
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      reason: 'NewArtifact',
      count: 2,
      source: { component: 'source-controller' },
      type: 'Normal',
    });
  });

  it('checkDependencies reads dependencies through the client', async () => {
    const dep = await createRepo('dependency');
    const self = await createRepo('dependent');
    await expect(
      checkDependencies(self, [{ name: 'dependency' }], { reader: asReader(client), requeueAfter: 30_000 }),
    ).rejects.toMatchObject({
      reason: 'DependencyNotReady',
    });
    const patcher = new SerialPatcher(dep, asPatchClient(client));
    conditions.markTrue(dep, 'Ready', 'Succeeded', 'ok');
    await patcher.patch(dep, { includeStatusObservedGeneration: true });
    await expect(
      checkDependencies(self, [{ name: 'dependency' }], { reader: asReader(client), requeueAfter: 30_000 }),
    ).resolves.toBeUndefined();
  });
});
