// The demo image registry of `npm start` (issue 18): Debian's docker-registry with the demo tags, kept across a
// restart, scanned by the real image-reflector-controller process through the demo ImageRepository and ImagePolicy;
// and the one line a user gets when docker-registry is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OCI_MANIFEST_MEDIA_TYPE, RegistryClient, parseReference } from '@flux-ts/oci';
import type { KubeObject } from '@flux-ts/runtime';
import { until } from '@flux-ts/testing';
import {
  DEMO_IMAGE_REPOSITORY,
  DEMO_IMAGE_TAGS,
  DEMO_REGISTRY_MISSING,
  demoImageObjects,
  startDemoRegistry,
} from './demo-images.ts';
import { createMissing, startEmbedded } from './embedded.ts';

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

/** Pushes a tiny image under `tag`, as a user's CI would to the demo registry. */
async function pushTag(host: string, tag: string): Promise<void> {
  const client = new RegistryClient({ insecure: true });
  const signal = AbortSignal.timeout(10_000);
  try {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    const config = enc('{"architecture":"amd64","os":"linux"}');
    const layer = enc(`user image ${tag}`);
    const configDigest = await client.pushBlob(host, DEMO_IMAGE_REPOSITORY, config, signal);
    const layerDigest = await client.pushBlob(host, DEMO_IMAGE_REPOSITORY, layer, signal);
    const manifest = enc(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST_MEDIA_TYPE,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
      }),
    );
    await client.pushManifest(
      parseReference(`${host}/${DEMO_IMAGE_REPOSITORY}:${tag}`),
      manifest,
      OCI_MANIFEST_MEDIA_TYPE,
      signal,
    );
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
    'serves the demo tags, keeps a pushed tag across a restart, and the reflector elects the newest',
    { timeout: 90_000 },
    async () => {
      const dir = tmp('demo-registry-');
      const first = await startDemoRegistry({ dir: join(dir, 'registry'), port: 0 });
      const registry = first.registry!;
      try {
        expect(await tags(registry.host)).toEqual([...DEMO_IMAGE_TAGS].sort());
        await pushTag(registry.host, '6.8.0');
      } finally {
        await registry.close();
      }
      const again = await startDemoRegistry({ dir: join(dir, 'registry'), port: 0 });
      const restarted = again.registry!;
      const e = await startEmbedded({
        workspace,
        stateDir: join(dir, 'state'),
        gitPort: 0,
        demo: false,
        persist: false,
        controllers: ['image-reflector-controller'],
      });
      try {
        // the user's tag survived the restart (it is not one the demo pushes)
        expect(await tags(restarted.host)).toEqual([...DEMO_IMAGE_TAGS, '6.8.0'].sort());
        await createMissing(e.client, [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
          ...demoImageObjects(restarted.image),
        ]);
        const policy = await until(
          'the demo ImagePolicy elects a tag',
          async () => {
            const p = await e.client.get<KubeObject & { status?: { latestRef?: { name: string; tag: string } } }>(
              { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy' },
              { namespace: 'flux-system', name: 'demo' },
            );
            return p.status?.latestRef;
          },
          60_000,
        );
        expect(policy).toEqual({ name: restarted.image, tag: '6.8.0' });
      } finally {
        await e.stop();
        await restarted.close();
      }
    },
  );
});
