import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '@flux-ts/apiserver';
import type { ApiServer } from '@flux-ts/apiserver';
import { KubeClient } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { main } from './main.ts';

describe('kustomize-controller main against the API server', () => {
  let server: ApiServer;
  let dir: string;

  beforeAll(async () => {
    server = await startApiServer({ port: 0, crdsDir: join(import.meta.dirname, '..', '..', '..', 'deploy', 'crds') });
    dir = mkdtempSync(join(tmpdir(), 'ks-main-'));
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it(
    'runs the controller until stopped: a Kustomization without source gets ArtifactFailed',
    { timeout: 90_000 },
    async () => {
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig);
      const client = KubeClient.fromKubeConfig(kc);
      await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } });
      await client.create({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
        kind: 'Kustomization',
        metadata: { name: 'podinfo', namespace: 'flux-system' },
        spec: {
          interval: '5m0s',
          path: './kustomize',
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'podinfo' },
          targetNamespace: 'default',
        },
      });
      let out = '';
      let err = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
      const stop = new AbortController();
      const exit = main(
        ['--kubeconfig', join(dir, 'kubeconfig'), '--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0'],
        { HOME: dir },
        io,
        { signal: stop.signal },
      );
      try {
        const deadline = Date.now() + 60_000;
        let ready: { reason?: string; message?: string } | undefined;
        while (Date.now() < deadline) {
          const ks = await client.get<
            KubeObject & { status?: { conditions?: { type: string; reason: string; message: string }[] } }
          >(
            { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' },
            { namespace: 'flux-system', name: 'podinfo' },
          );
          ready = ks.status?.conditions?.find((c) => c.type === 'Ready');
          if (ready?.reason === 'ArtifactFailed') break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(ready).toMatchObject({
          reason: 'ArtifactFailed',
          message: "Source 'GitRepository/flux-system/podinfo' not found",
        });
      } finally {
        stop.abort();
      }
      expect(await exit).toBe(0);
      expect(err).toBe('');
      expect(out).toContain('"controller":"kustomization"');
    },
  );
});
