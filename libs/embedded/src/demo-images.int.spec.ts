// The demo image registry of `npm start` (issues 18 and 19): Debian's docker-registry with the demo tags, kept across
// a restart; a tag pushed there is elected by the demo ImagePolicy (the real image-reflector-controller), committed
// to the demo repository's main by the demo ImageUpdateAutomation (image-automation-controller) and applied by the
// Kustomization; and the one line a user gets when docker-registry is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '@flux-ts/oci';
import type { KubeObject } from '@flux-ts/runtime';
import { freePort, run } from '@flux-ts/testbed';
import { until } from '@flux-ts/testing';
import {
  DEMO_AUTOMATION_AUTHOR,
  DEMO_IMAGE_LATEST_TAG,
  DEMO_IMAGE_REPOSITORY,
  DEMO_IMAGE_TAGS,
  DEMO_REGISTRY_MISSING,
  pushImageCommand,
  startDemoRegistry,
} from './demo-images.ts';
import { startEmbedded } from './embedded.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function tags(host: string): Promise<string[]> {
  const client = new RegistryClient({ insecure: true });
  try {
    return (await client.listTags(host, DEMO_IMAGE_REPOSITORY, AbortSignal.timeout(10_000))).sort();
  } finally {
    client.close();
  }
}

describe('the demo image registry', () => {
  it('says how to install docker-registry when it is missing, and starts nothing', async () => {
    const start = await startDemoRegistry({
      dir: tmp('demo-registry-missing-'),
      port: 0,
      bin: '/nonexistent/docker-registry',
    });
    expect(start).toEqual({ notice: DEMO_REGISTRY_MISSING });
  });

  it(
    'a tag pushed to the demo registry becomes a fluxbot commit on main and an applied Deployment; the tag survives a restart',
    { timeout: 180_000 },
    async () => {
      const dir = tmp('demo-images-');
      const e = await startEmbedded({
        workspace,
        stateDir: join(dir, 'state'),
        gitPort: 0,
        chartPort: 0,
        storagePort: await freePort(),
        registryPort: 0,
        persist: false,
        simulateReadyMs: 200,
        controllers: [
          'source-controller',
          'kustomize-controller',
          'image-reflector-controller',
          'image-automation-controller',
        ],
      });
      const registry = e.images!.registry!;
      const bare = e.demo!.bare;
      const git = (...args: string[]): Promise<string> => run('git', ['--git-dir', bare, ...args]);
      const deployment = async (): Promise<string | undefined> => {
        const d = await e.client
          .get<KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
            { apiVersion: 'apps/v1', kind: 'Deployment' },
            { namespace: 'default', name: 'demo' },
          )
          .catch(() => undefined);
        return d?.spec.template.spec.containers[0]?.image;
      };
      const requestReconcile = (apiVersion: string, kind: string): Promise<unknown> =>
        e.client.patch(
          { apiVersion, kind },
          { namespace: 'flux-system', name: 'demo' },
          { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } },
          { type: 'merge' },
        );
      try {
        expect(await tags(registry.host)).toEqual([...DEMO_IMAGE_TAGS].sort());
        const initial = (await git('rev-parse', 'main')).trim();
        expect(await git('show', 'main:apps/demo/base/deployment.yaml')).toContain(
          `image: ${registry.image}:${DEMO_IMAGE_LATEST_TAG} # {"$imagepolicy": "flux-system:demo"}\n`,
        );
        await until('the demo Deployment applied', async () =>
          (await deployment()) === `${registry.image}:${DEMO_IMAGE_LATEST_TAG}` ? true : undefined,
        );

        // the command the README gives, then the reconcile a registry webhook would request
        const out: string[] = [];
        const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } };
        const port = registry.host.split(':')[1]!;
        expect(await pushImageCommand(['6.8.0', '--registry-port', port], io)).toBe(0);
        expect(out).toEqual([`pushed ${registry.image}:6.8.0\n`]);
        await requestReconcile('image.toolkit.fluxcd.io/v1', 'ImageRepository');
        const log = await until(
          'a fluxbot commit on main',
          async () => {
            const l = await git('log', '-1', '--format=%an <%ae>%n%P%n%B', 'main');
            return l.startsWith('fluxbot ') ? l : undefined;
          },
          90_000,
        );
        expect(log).toBe(
          `${DEMO_AUTOMATION_AUTHOR.name} <${DEMO_AUTOMATION_AUTHOR.email}>\n${initial}\nUpdate demo image\n\n` +
            `- ${registry.image}:${DEMO_IMAGE_LATEST_TAG} -> ${registry.image}:6.8.0\n\n`,
        );
        expect(await git('show', 'main:apps/demo/base/deployment.yaml')).toContain(
          `image: ${registry.image}:6.8.0 # {"$imagepolicy": "flux-system:demo"}\n`,
        );
        const head = (await git('rev-parse', 'main')).trim();
        await until('the ImageUpdateAutomation Ready with the pushed commit', async () => {
          const a = await e.client.get<
            KubeObject & { status?: { lastPushCommit?: string; conditions?: { type: string; status: string }[] } }
          >(
            { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageUpdateAutomation' },
            { namespace: 'flux-system', name: 'demo' },
          );
          const ready = a.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
          return ready && a.status?.lastPushCommit === head ? true : undefined;
        });
        // the push as the Receiver would announce it; the Kustomization applies the new image
        await requestReconcile('source.toolkit.fluxcd.io/v1', 'GitRepository');
        await until('the new image applied', async () =>
          (await deployment()) === `${registry.image}:6.8.0` ? true : undefined,
        );
      } finally {
        await e.stop();
      }
      // the pushed tag survived the restart (it is not one the demo pushes)
      const again = await startDemoRegistry({ dir: join(dir, 'state', 'registry'), port: 0 });
      try {
        expect(await tags(again.registry!.host)).toEqual([...DEMO_IMAGE_TAGS, '6.8.0'].sort());
      } finally {
        await again.registry!.close();
      }
    },
  );
});
