import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound } from '@flux-ts/runtime';
import { startTestEnv } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import type { CliIO } from '../../io.ts';
import { main } from '../../main.ts';

let env: TestEnv;

beforeAll(async () => {
  env = await startTestEnv({ dirPrefix: 'flux-ts-cli-install-' });
  // Deployments become Available as on a cluster (libs/apiserver's workload simulation).
  env.server.hooks.setSimulation({ readyAfterMs: 100, intervalMs: 50 });
}, 30_000);
afterAll(async () => env?.close());

async function flux(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    env: { KUBECONFIG: env.kubeconfigPath },
    cwd: env.dir,
    stdin: process.stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

const deployment = (name: string) =>
  env.client.get({ apiVersion: 'apps/v1', kind: 'Deployment' }, { namespace: 'flux-system', name });

describe('install, check, uninstall', () => {
  it('installs the components with server-side apply as field manager flux and waits for them', async () => {
    const res = await flux('install', '--components', 'source-controller,kustomize-controller', '--timeout', '30s');
    expect(res.err).toContain(
      '✚ generating manifests\n✔ manifests build completed\n► installing components in flux-system namespace\n',
    );
    expect(res.err).toContain('Deployment/flux-system/source-controller created\n');
    expect(res.err).toContain(
      '◎ verifying installation\n✔ kustomize-controller: deployment ready\n✔ source-controller: deployment ready\n✔ install finished\n',
    );
    expect(res.code).toBe(0);
    const d = await deployment('source-controller');
    const managers = (d.metadata.managedFields ?? []) as { manager?: string; operation?: string }[];
    expect(managers.some((f) => f.manager === 'flux' && f.operation === 'Apply')).toBe(true);
    await expect(deployment('helm-controller')).rejects.toSatisfy(isNotFound);

    const again = await flux('install', '--components', 'source-controller,kustomize-controller', '--timeout', '30s');
    expect(again.err).toContain('Deployment/flux-system/source-controller unchanged\n');
  }, 60_000);

  it('checks the installation as flux check does', async () => {
    const pre = await flux('check', '--pre');
    expect(pre.err).toMatch(
      /^► Checking kubernetes pre-requisites\n✔ kubernetes \d+\.\d+\.\d+>=1\.32\.0-0\n► All pre-requisites checks passed\n$/,
    );
    const res = await flux('check', '--timeout', '30s');
    expect(res.err).toContain(
      '► Checking flux installation status\n✔ distribution: flux-v0.1.0\n✔ bootstrapped: false\n',
    );
    expect(res.err).toContain(
      '► Checking flux controllers\n✔ ghcr.io/flux-ts/kustomize-controller:v0.1.0\n✔ ghcr.io/flux-ts/source-controller:v0.1.0\n► Checking flux crds\n',
    );
    expect(res.err).toContain('✔ kustomizations.kustomize.toolkit.fluxcd.io/v1\n');
    expect(res.err).toMatch(/► All checks passed\n$/);
    expect(res.code).toBe(0);
  }, 60_000);

  it('uninstalls: components, finalizers, CRDs and the namespace', async () => {
    await env.client.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'held', namespace: 'flux-system', finalizers: ['finalizers.fluxcd.io'] },
      spec: { url: 'https://example.com/repo', interval: '1m' },
    });
    // --dry-run prints what would go, and nothing goes.
    const dry = await flux('uninstall', '--dry-run');
    expect(dry.err).toContain('✔ Deployment/flux-system/source-controller deleted (dry run)\n');
    expect(dry.err).toContain('✔ GitRepository/flux-system/held finalizers deleted (dry run)\n');
    expect(dry.code).toBe(0);
    expect((await deployment('source-controller')).metadata.name).toBe('source-controller');

    const res = await flux('uninstall', '--silent');
    // flux prints `deleted %s` with an empty dry-run marker: the lines end in a space.
    expect(res.err).toContain(
      '► deleting components in flux-system namespace\n✔ Deployment/flux-system/kustomize-controller deleted \n✔ Deployment/flux-system/source-controller deleted \n',
    );
    expect(res.err).toContain('✔ GitRepository/flux-system/held finalizers deleted \n');
    expect(res.err).toContain('✔ CustomResourceDefinition/gitrepositories.source.toolkit.fluxcd.io deleted \n');
    expect(res.err).toMatch(/✔ Namespace\/flux-system deleted \n✔ uninstall finished\n$/);
    expect(res.code).toBe(0);
    await expect(deployment('source-controller')).rejects.toSatisfy(isNotFound);
  }, 60_000);
});
