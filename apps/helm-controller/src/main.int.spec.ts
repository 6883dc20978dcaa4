import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { main } from './main.ts';

type Hr = KubeObject & { status?: { conditions?: { type: string; reason: string; message: string }[] } };

describe('helm-controller main against the API server', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ namespaces: ['flux-system', 'apps'], dirPrefix: 'helm-main-' });
  }, 60_000);
  afterAll(async () => env?.close(), 30_000);

  it(
    'runs the controller until stopped: a v2beta1 HelmRelease gets its HelmChart and waits for it',
    { timeout: 90_000 },
    async () => {
      const { client } = env;
      await client.create({
        apiVersion: 'helm.toolkit.fluxcd.io/v2beta1',
        kind: 'HelmRelease',
        metadata: { name: 'podinfo', namespace: 'apps' },
        spec: {
          interval: '5m0s',
          chart: {
            spec: {
              chart: 'podinfo',
              sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' },
            },
          },
        },
      } as KubeObject);
      let out = '';
      let err = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
      const stop = new AbortController();
      const exit = main(
        ['--kubeconfig', env.kubeconfigPath, '--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0'],
        { HOME: env.dir },
        io,
        { signal: stop.signal },
      );
      try {
        const ready = await until('podinfo SourceNotReady', async () => {
          const hr = await client.get<Hr>(
            { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' },
            { namespace: 'apps', name: 'podinfo' },
          );
          const r = hr.status?.conditions?.find((c) => c.type === 'Ready');
          return r?.reason === 'SourceNotReady' ? r : undefined;
        });
        expect(ready.message).toBe(
          "HelmChart 'flux-system/apps-podinfo' is not ready: latest generation of object has not been reconciled",
        );
        const hc = await client.get<KubeObject & { spec: Record<string, unknown> }>(
          { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmChart' },
          { namespace: 'flux-system', name: 'apps-podinfo' },
        );
        expect(hc.spec).toMatchObject({ chart: 'podinfo', version: '*', interval: '5m0s' });
      } finally {
        stop.abort();
      }
      expect(await exit).toBe(0);
      expect(err).toBe('');
      expect(out).toContain('"controller":"helmrelease"');
    },
  );
});
