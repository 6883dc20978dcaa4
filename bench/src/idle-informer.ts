// `idle-informer` (issue 22, informer memory): N Kustomizations applied server-side on libs/apiserver by two field
// managers (spec by `kubectl`, status by `kustomize-controller`, so each carries two managedFields entries, as on a
// real cluster), then one Informer of them in a fresh process (src/idle-informer-child.ts) with and without
// libs/runtime's `stripManagedFields` (controller-runtime's `TransformStripManagedFields`): heapUsed after a full GC.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startApiServer } from '@flux-ts/apiserver';
import { KubeClient, loadKubeConfig } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { WORKSPACE, gitCommit } from './cluster.ts';
import type { InformerChildInput, InformerChildOutput } from './idle-informer-child.ts';
import { median, table } from './measure.ts';

const CHILD = fileURLToPath(new URL('./idle-informer-child.ts', import.meta.url));
const MIB = 1024 * 1024;

/** Options of {@link runIdleInformer}. */
export interface IdleInformerOptions {
  /** Kustomizations (default 1000). */
  n?: number;
  /** Child processes per side; the figures are medians (default 3). */
  runs?: number;
  log?: ((line: string) => void) | undefined;
}

/** One side (stripped or not): medians over the runs. */
export interface IdleInformerSide {
  /** heapUsed of the synced informer minus heapUsed before it, bytes. */
  informerHeap: number;
  rssSynced: number;
  runs: InformerChildOutput[];
}

/** The result of {@link runIdleInformer}. */
export interface IdleInformerResult {
  date: string;
  commit: ReturnType<typeof gitCommit>;
  n: number;
  /** Bytes of one object's managedFields as JSON. */
  managedFieldsBytes: number;
  stripped: IdleInformerSide;
  kept: IdleInformerSide;
}

const exec = promisify(execFile);

async function child(input: InformerChildInput): Promise<InformerChildOutput> {
  const { stdout } = await exec(process.execPath, ['--expose-gc', CHILD, JSON.stringify(input)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as InformerChildOutput;
}

/** Applies the objects, then measures one informer over them with managedFields stripped and kept. */
export async function runIdleInformer(opts: IdleInformerOptions = {}): Promise<IdleInformerResult> {
  const n = opts.n ?? 1000;
  const runs = opts.runs ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'flux-ts-bench-idle-informer-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const server = await startApiServer({ crdsDir: join(WORKSPACE, 'deploy', 'crds'), kubeconfigPath: kubeconfig });
  try {
    const client = KubeClient.fromKubeConfig(loadKubeConfig({ kubeconfig, env: {} }), { qps: 0 });
    let managedFieldsBytes = 0;
    for (let i = 0; i < n; i++) {
      const metadata = { name: `app-${i}`, namespace: 'default', labels: { app: `app-${i}`, tier: 'bench' } };
      const base = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata };
      await client.apply(
        {
          ...base,
          spec: {
            interval: '10m',
            path: './app',
            prune: true,
            wait: true,
            timeout: '1m',
            targetNamespace: `app-${i}`,
            sourceRef: { kind: 'GitRepository', name: 'fleet' },
            postBuild: { substitute: { INDEX: String(i), VERSION: '1.0.0' } },
          },
        },
        { fieldManager: 'kubectl', force: true },
      );
      const applied = await client.apply(
        {
          ...base,
          status: {
            observedGeneration: 1,
            lastAppliedRevision: 'main@sha1:0123456789abcdef0123456789abcdef01234567',
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'ReconciliationSucceeded',
                message: 'Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567',
                lastTransitionTime: '2026-12-08T00:00:00Z',
                observedGeneration: 1,
              },
            ],
          },
        },
        { fieldManager: 'kustomize-controller', force: true, subresource: 'status' },
      );
      if (i === 0) managedFieldsBytes = JSON.stringify((applied as KubeObject).metadata.managedFields ?? []).length;
    }
    opts.log?.(`applied ${n} Kustomizations (managedFields ${managedFieldsBytes} bytes each)`);
    const side = async (stripManagedFields: boolean): Promise<IdleInformerSide> => {
      const rs: InformerChildOutput[] = [];
      for (let i = 0; i < runs; i++) rs.push(await child({ kubeconfig, stripManagedFields }));
      return {
        informerHeap: median(rs.map((r) => r.heapSynced - r.heapBefore)),
        rssSynced: median(rs.map((r) => r.rssSynced)),
        runs: rs,
      };
    };
    const stripped = await side(true);
    const kept = await side(false);
    return { date: new Date().toISOString(), commit: gitCommit(), n, managedFieldsBytes, stripped, kept };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table of {@link runIdleInformer}. */
export function formatIdleInformerResult(r: IdleInformerResult): string {
  const mib = (b: number): string => (b / MIB).toFixed(1);
  const row = (name: string, s: IdleInformerSide): string[] => [
    name,
    mib(s.informerHeap),
    (s.informerHeap / r.n / 1024).toFixed(2),
    mib(s.rssSynced),
  ];
  return (
    `idle-informer: one informer of ${r.n} Kustomizations (managedFields ${r.managedFieldsBytes} bytes of JSON each), ` +
    `median of ${r.stripped.runs.length} process(es)\n` +
    table(
      ['managedFields', 'informer heapUsed MiB', 'KiB / object', 'process RSS MiB'],
      [row('stripped (default)', r.stripped), row('kept', r.kept)],
    )
  );
}
