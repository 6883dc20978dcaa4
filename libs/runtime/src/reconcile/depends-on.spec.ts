import { describe, expect, it } from 'vitest';
import { conditions } from '../conditions/index.ts';
import { FakeClient } from '../patch/fake-client.spec-helper.ts';
import type { StatusObject } from '../patch/types.ts';
import { checkDependencies } from './depends-on.ts';
import { StallingError, WaitingError } from './errors.ts';

const apiVersion = 'kustomize.toolkit.fluxcd.io/v1';
const kind = 'Kustomization';

interface Ks extends StatusObject {
  spec: { path: string; sourceRef?: { name: string } };
}

function ks(
  name: string,
  namespace: string,
  opts: { ready?: boolean; generation?: number; observed?: number; path?: string } = {},
): Ks {
  const o: Ks = {
    apiVersion,
    kind,
    metadata: { name, namespace, generation: opts.generation ?? 1 },
    spec: { path: opts.path ?? './' },
    status: {},
  };
  if (opts.ready !== undefined) {
    if (opts.ready) conditions.markTrue(o, 'Ready', 'ReconciliationSucceeded', 'Applied revision: main@sha1:1');
    else conditions.markFalse(o, 'Ready', 'BuildFailed', 'kustomize build failed');
  }
  if (opts.observed !== undefined) o.status!.observedGeneration = opts.observed;
  return o;
}

async function check(deps: Parameters<typeof checkDependencies>[1], seeds: Ks[], additiveCEL = false) {
  const client = new FakeClient();
  for (const s of seeds)
    client.objects.set(
      FakeClient.keyOf(kind, { namespace: s.metadata.namespace, name: s.metadata.name! }),
      structuredClone(s) as never,
    );
  const self = ks('apps', 'flux-system', { path: './apps' });
  return checkDependencies(self, deps, { reader: client, requeueAfter: 30_000, additiveCEL });
}

describe('checkDependencies', () => {
  it('passes when every dependency is Ready with an up-to-date observedGeneration', async () => {
    await expect(
      check(
        [{ name: 'infra' }, { name: 'crds', namespace: 'other' }],
        [ks('infra', 'flux-system', { ready: true, observed: 1 }), ks('crds', 'other', { ready: true, observed: 1 })],
      ),
    ).resolves.toBeUndefined();
  });

  it.each([
    { name: 'missing dependency', seeds: [], msg: "dependency 'flux-system/infra' not found" },
    {
      name: 'not Ready',
      seeds: [ks('infra', 'flux-system', { ready: false, observed: 1 })],
      msg: "dependency 'flux-system/infra' is not ready",
    },
    {
      name: 'stale observedGeneration',
      seeds: [ks('infra', 'flux-system', { ready: true, generation: 2, observed: 1 })],
      msg: "dependency 'flux-system/infra' is not ready",
    },
    {
      name: 'no conditions',
      seeds: [ks('infra', 'flux-system', { observed: 1 })],
      msg: "dependency 'flux-system/infra' is not ready",
    },
  ])('waits with DependencyNotReady when: $name', async ({ seeds, msg }) => {
    const err = await check([{ name: 'infra' }], seeds).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitingError);
    expect(err).toMatchObject({ reason: 'DependencyNotReady', requeueAfter: 30_000, message: msg });
  });

  it('readyExpr replaces the built-in check and sees self and dep', async () => {
    const notReadyButMatching = ks('infra', 'flux-system', { ready: false, observed: 1, path: './apps' });
    const expr = 'dep.spec.path == self.spec.path && dep.metadata.generation == 1';
    await expect(check([{ name: 'infra', readyExpr: expr }], [notReadyButMatching])).resolves.toBeUndefined();
    // With the AdditiveCELDependencyCheck gate the built-in check runs too.
    await expect(check([{ name: 'infra', readyExpr: expr }], [notReadyButMatching], true)).rejects.toBeInstanceOf(
      WaitingError,
    );
    const err = await check([{ name: 'infra', readyExpr: 'dep.spec.path == "./nope"' }], [notReadyButMatching]).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      reason: 'DependencyNotReady',
      message: "dependency 'flux-system/infra' is not ready according to readyExpr eval",
    });
  });

  it('an invalid readyExpr stalls with InvalidCELExpression', async () => {
    const err = await check(
      [{ name: 'infra', readyExpr: 'dep.status.conditions.exists(c, ' }],
      [ks('infra', 'flux-system', { ready: true, observed: 1 })],
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StallingError);
    expect(err).toMatchObject({ reason: 'InvalidCELExpression' });
  });

  it('a readyExpr that cannot be evaluated on the dependency waits', async () => {
    const err = await check(
      [{ name: 'infra', readyExpr: 'dep.status.missing.x == 1' }],
      [ks('infra', 'flux-system', { ready: true, observed: 1 })],
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitingError);
  });
});
