import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry } from '@flux-ts/testbed';
import type { Registry } from '@flux-ts/testbed';
import { startTestEnv } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import type { KubeObject } from '@flux-ts/runtime';
import { policyGVK, pushTags, readyIs, repoGVK, waitFor } from './harness.spec-helper.ts';
import { main } from './main.ts';

describe('image-reflector-controller main against the API server', () => {
  let env: TestEnv;
  let registry: Registry;
  beforeAll(async () => {
    env = await startTestEnv({ namespaces: ['apps'], dirPrefix: 'irc-main-' });
    registry = await startRegistry({ dir: join(env.dir, 'registry') });
    await pushTags(registry.host, 'demo/app', ['0.1.0', '0.2.0', 'latest'], { insecure: true });
  }, 60_000);
  afterAll(async () => {
    await registry?.close();
    await env?.close();
  }, 30_000);

  it(
    'runs the controller until stopped: a repository is scanned and a policy resolved',
    { timeout: 90_000 },
    async () => {
      await env.client.create({
        ...repoGVK,
        metadata: { name: 'demo', namespace: 'apps' },
        spec: { image: `${registry.host}/demo/app`, interval: '10m', insecure: true },
      } as KubeObject);
      await env.client.create({
        ...policyGVK,
        metadata: { name: 'demo', namespace: 'apps' },
        spec: { imageRepositoryRef: { name: 'demo' }, policy: { semver: { range: '0.x' } } },
      } as KubeObject);
      let out = '';
      let err = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
      const stop = new AbortController();
      const exit = main(
        [
          '--kubeconfig',
          env.kubeconfigPath,
          '--metrics-addr',
          '127.0.0.1:0',
          '--health-addr',
          '127.0.0.1:0',
          '--storage-path',
          join(env.dir, 'data'),
        ],
        { HOME: env.dir },
        io,
        { signal: stop.signal },
      );
      try {
        const p = await waitFor(env, policyGVK, 'apps', 'demo', 'Ready', (o) => (readyIs('True')(o) ? o : undefined));
        expect(p.status!.latestRef).toEqual({ name: `${registry.host}/demo/app`, tag: '0.2.0' });
      } finally {
        stop.abort();
      }
      expect(await exit).toBe(0);
      expect(err).toBe('');
      expect(out).toContain('"controller":"imagerepository"');
    },
  );
});
