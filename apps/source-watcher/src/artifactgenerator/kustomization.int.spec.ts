/**
 * The GitOps loop through source-watcher: a GitRepository artifact split by an ArtifactGenerator into two
 * ExternalArtifacts that Kustomizations consume. kustomize-controller runs as its own process (its real bin and
 * flags, as in a cluster; an app cannot import another), once with `--feature-gates=ExternalArtifact=true` and once
 * without, each watching only its namespace.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '@flux-ts/runtime';
import { until } from '@flux-ts/testing';
import { cond, startAgHarness } from './harness.spec-helper.ts';
import type { AgHarness, Cond } from './harness.spec-helper.ts';

const ksGVK = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' } as const;
type Ks = KubeObject & { status?: { conditions?: Cond[]; lastAppliedRevision?: string } };

const kustomizeControllerBin = fileURLToPath(
  new URL('../../../kustomize-controller/bin/flux-ts-kustomize-controller.js', import.meta.url),
);

const cm = (name: string, v: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${v}"\n`;
const monorepo = (backend = '1'): Record<string, string> => ({
  'deploy/frontend/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'deploy/frontend/cm.yaml': cm('frontend', '1'),
  'deploy/backend/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'deploy/backend/cm.yaml': cm('backend', backend),
});

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function startKustomizeController(h: AgHarness, namespace: string, gates: string[]): Proc {
  let output = '';
  const child = spawn(
    process.execPath,
    [
      kustomizeControllerBin,
      '--kubeconfig',
      h.env.kubeconfigPath,
      '--metrics-addr=127.0.0.1:0',
      '--health-addr=127.0.0.1:0',
      '--watch-all-namespaces=false',
      '--requeue-dependency=1s',
      ...gates.map((g) => `--feature-gates=${g}`),
    ],
    {
      env: { ...process.env, RUNTIME_NAMESPACE: namespace, SOURCE_CONTROLLER_LOCALHOST: h.host, HOME: h.env.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise((resolve) => p.child.once('exit', resolve));
  p.child.kill('SIGTERM');
  await exited;
}

describe('Kustomizations consume the ExternalArtifacts of an ArtifactGenerator', () => {
  let h: AgHarness;
  let on: Proc | undefined;
  let off: Proc | undefined;
  beforeAll(async () => {
    h = await startAgHarness({ namespaces: ['team-a', 'team-b'] });
    on = startKustomizeController(h, 'team-a', ['ExternalArtifact=true']);
    off = startKustomizeController(h, 'team-b', []);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stop(on), stop(off)]);
    await h?.close();
  }, 60_000);

  const createKs = (ns: string, name: string): Promise<KubeObject> =>
    h.client.create({
      ...ksGVK,
      metadata: { name, namespace: ns },
      spec: {
        interval: '10m',
        retryInterval: '1s',
        prune: true,
        path: './',
        targetNamespace: ns,
        sourceRef: { kind: 'ExternalArtifact', name },
      },
    });
  const appliedRevision = (ns: string, name: string, not?: string): Promise<Ks> =>
    until(
      () => `${ns}/${name} applied (kustomize-controller output: ${on?.output().slice(-2000) ?? ''})`,
      async () => {
        const ks = await h.client.get<Ks>(ksGVK, { namespace: ns, name });
        const ready = cond(ks);
        return ready?.status === 'True' && ks.status?.lastAppliedRevision !== not ? ks : undefined;
      },
    );
  const configMap = (ns: string, name: string): Promise<KubeObject & { data?: Record<string, string> }> =>
    h.client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: ns, name });

  it(
    'with the ExternalArtifact gate on, both artifacts are applied, and a backend-only commit re-applies only backend',
    { timeout: 120_000 },
    async () => {
      await h.publish('team-a', 'monorepo', monorepo());
      await h.createGenerator('team-a', 'split', {
        sources: [{ alias: 'repo', kind: 'GitRepository', name: 'monorepo' }],
        artifacts: [
          { name: 'frontend', copy: [{ from: '@repo/deploy/frontend/**', to: '@artifact/' }] },
          { name: 'backend', copy: [{ from: '@repo/deploy/backend/**', to: '@artifact/' }] },
        ],
      });
      await createKs('team-a', 'frontend');
      await createKs('team-a', 'backend');
      const frontend = await appliedRevision('team-a', 'frontend');
      const backend = await appliedRevision('team-a', 'backend');
      const frontendEa = await h.getEa('team-a', 'frontend');
      expect(frontend.status?.lastAppliedRevision).toBe(frontendEa.status?.artifact?.revision);
      expect(cond(frontend)?.message).toBe(`Applied revision: ${frontendEa.status?.artifact?.revision}`);
      expect((await configMap('team-a', 'frontend')).data).toEqual({ v: '1' });
      expect((await configMap('team-a', 'backend')).data).toEqual({ v: '1' });

      await h.publish('team-a', 'monorepo', monorepo('2'));
      const backend2 = await appliedRevision('team-a', 'backend', backend.status?.lastAppliedRevision);
      expect(backend2.status?.lastAppliedRevision).toBe(
        (await h.getEa('team-a', 'backend')).status?.artifact?.revision,
      );
      expect((await configMap('team-a', 'backend')).data).toEqual({ v: '2' });
      const frontend2 = await h.client.get<Ks>(ksGVK, { namespace: 'team-a', name: 'frontend' });
      expect(frontend2.status?.lastAppliedRevision).toBe(frontend.status?.lastAppliedRevision);
    },
  );

  it(
    'with the gate off, a Kustomization of an ExternalArtifact stalls with AccessDenied',
    { timeout: 120_000 },
    async () => {
      await createKs('team-b', 'frontend');
      const ks = await until(
        () => `team-b/frontend stalled (kustomize-controller output: ${off?.output().slice(-2000) ?? ''})`,
        async () => {
          const k = await h.client.get<Ks>(ksGVK, { namespace: 'team-b', name: 'frontend' });
          return cond(k, 'Stalled')?.status === 'True' ? k : undefined;
        },
      );
      const message = "can't access 'ExternalArtifact/team-b/frontend', ExternalArtifact feature gate is disabled";
      expect(cond(ks, 'Stalled')).toMatchObject({ reason: 'AccessDenied', message });
      expect(cond(ks)).toMatchObject({ status: 'False', reason: 'AccessDenied', message });
    },
  );
});
