import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage, buildArtifactServer, fetchArtifact } from '@flux-ts/artifact';
import { parseFlags } from '@flux-ts/runtime';
import type { KubeObject } from '@flux-ts/runtime';
import { startTestEnv, until } from '@flux-ts/testing';
import type { TestEnv } from '@flux-ts/testing';
import { createSourceWatcher, main, sourceWatcherFlags, sourceWatcherNotice } from './index.ts';

type Obj = KubeObject & {
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
    artifact?: { url: string; digest: string; revision: string };
  };
};
const agGVK = { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator' };
const gitGVK = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === 'Ready');

describe('source-watcher process against the API server', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ namespaces: ['flux-system'], dirPrefix: 'sw-main-' });
  }, 60_000);
  afterAll(async () => env?.close(), 30_000);

  it('main runs the controller until stopped: a generator of a missing source waits', { timeout: 90_000 }, async () => {
    await env.client.create({
      ...agGVK,
      metadata: { name: 'waits', namespace: 'flux-system' },
      spec: {
        sources: [{ alias: 'repo', kind: 'GitRepository', name: 'absent' }],
        artifacts: [{ name: 'x', copy: [{ from: '@repo/**', to: '@artifact/' }] }],
      },
    });
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    const stop = new AbortController();
    const exit = main(
      [
        '--kubeconfig',
        env.kubeconfigPath,
        '--metrics-addr=127.0.0.1:0',
        '--health-addr=127.0.0.1:0',
        '--storage-addr=127.0.0.1:0',
        `--storage-path=${join(env.dir, 'storage')}`,
      ],
      { HOME: env.dir },
      io,
      { signal: stop.signal },
    );
    try {
      const r = await until('waits SourceFetchFailed', async () => {
        const c = ready(await env.client.get<Obj>(agGVK, { namespace: 'flux-system', name: 'waits' }));
        return c?.reason === 'SourceFetchFailed' ? c : undefined;
      });
      expect(r.message).toBe('get sources failed: gitrepositories.source.toolkit.fluxcd.io "absent" not found');
    } finally {
      stop.abort();
    }
    expect(await exit).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('"controller":"artifactgenerator"');
  });

  it(
    'createSourceWatcher serves the generated artifacts on --storage-addr (leader only)',
    { timeout: 90_000 },
    async () => {
      // the "source-controller": a GitRepository artifact on its own artifact server
      const srcStorage = new Storage({
        basePath: join(env.dir, 'src-storage'),
        hostname: 'source-controller.flux-system.svc',
      });
      const srcServer = await buildArtifactServer({ storage: srcStorage });
      await srcServer.listen({ host: '127.0.0.1', port: 0 });
      const addr = srcServer.server.address();
      const srcHost = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const tree = await mkdtemp(join(tmpdir(), 'sw-main-src-'));
      await mkdir(join(tree, 'apps'), { recursive: true });
      await writeFile(join(tree, 'apps', 'cm.yaml'), 'kind: ConfigMap\n');
      const stored = await srcStorage.archive(
        srcStorage.artifactFor('GitRepository', 'flux-system', 'repo', 'main@sha1:abc', 'abc.tar.gz'),
        tree,
      );
      await env.client.create({
        ...gitGVK,
        metadata: { name: 'repo', namespace: 'flux-system' },
        spec: { interval: '1m', url: 'https://example.com/repo', ref: { branch: 'main' } },
      });
      await env.client.patch(
        gitGVK,
        { namespace: 'flux-system', name: 'repo' },
        { status: { artifact: stored } },
        {
          type: 'merge',
          subresource: 'status',
        },
      );

      const config = parseFlags(
        sourceWatcherFlags,
        [
          '--metrics-addr=127.0.0.1:0',
          '--health-addr=127.0.0.1:0',
          '--storage-addr=127.0.0.1:0',
          '--storage-adv-addr=source-watcher.flux-system.svc.cluster.local.',
          `--storage-path=${join(env.dir, 'sw-storage')}`,
        ],
        {},
      );
      const sw = createSourceWatcher(config, { kubeConfig: env.kubeConfig, sourceControllerLocalhost: srcHost });
      const stop = new AbortController();
      const run = sw.run(stop.signal);
      try {
        await env.client.create({
          ...agGVK,
          metadata: { name: 'apps', namespace: 'flux-system' },
          spec: {
            sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo' }],
            artifacts: [{ name: 'apps', copy: [{ from: '@repo/apps/**', to: '@artifact/' }] }],
          },
        });
        const ea = await until('ExternalArtifact apps', async () => {
          const o = await env.client
            .get<Obj>(
              { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact' },
              { namespace: 'flux-system', name: 'apps' },
            )
            .catch(() => undefined);
          return o?.status?.artifact ? o : undefined;
        });
        const artifact = ea.status?.artifact;
        expect(artifact?.url).toMatch(
          /^http:\/\/source-watcher\.flux-system\.svc\.cluster\.local\.\/externalartifact\/flux-system\/apps\/\d+\.tar\.gz$/,
        );
        const bound = await sw.artifactServerAddress();
        const dir = join(env.dir, 'fetched');
        await fetchArtifact({
          url: artifact?.url ?? '',
          digest: artifact?.digest ?? '',
          dir,
          hostOverride: `127.0.0.1:${bound.port}`,
          retries: 0,
        });
        expect(await readFile(join(dir, 'cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
      } finally {
        stop.abort();
        await run;
        await srcServer.close();
        await rm(tree, { recursive: true, force: true });
      }
    },
  );

  it('the bin runs main on Node 24 with the supervision preamble: --help exits 0', { timeout: 60_000 }, async () => {
    const bin = fileURLToPath(new URL('../bin/flux-ts-source-watcher.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--help'], { env: { ...process.env } });
    expect(stdout.split('\n')[0]).toBe(sourceWatcherNotice);
    expect(stdout).toContain('--storage-adv-addr');
  });
});
