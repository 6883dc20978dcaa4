/**
 * Test helpers: pushes artifacts in Flux's format (`flux push artifact`: config
 * `application/vnd.cncf.flux.config.v1+json`, one `application/vnd.cncf.flux.content.v1.tar+gzip` layer, the
 * `org.opencontainers.image.*` annotations) through the distribution API, and reads OCIRepository objects back.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';
import { SourceGroupVersion } from '@flux-ts/api';
import type { OCIRepository } from '@flux-ts/api';
import { OCI_MANIFEST_MEDIA_TYPE, parseReference } from '@flux-ts/oci';
import type { RegistryClient } from '@flux-ts/oci';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { until } from '@flux-ts/testing';
import { FluxConfigMediaType, FluxContentMediaType } from './pull.ts';

/** An OCIRepository as read back from the API server. */
export type OCIRepo = OCIRepository & KubeObject;

const gvk = { apiVersion: SourceGroupVersion, kind: 'OCIRepository' };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A gzipped tarball of `files` (path → content), as `flux push artifact` builds its layer. */
export async function tarGz(files: Record<string, string>): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-ts-oci-layer-'));
  try {
    for (const [p, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), content);
    }
    const chunks: Buffer[] = [];
    for await (const c of create({ gzip: true, cwd: dir, portable: true }, Object.keys(files)))
      chunks.push(Buffer.from(c as Buffer));
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What {@link pushArtifact} pushes. */
export interface PushOptions {
  /** Layers (media type and bytes); default one Flux content layer of `files`. */
  layers?: { mediaType: string; data: Uint8Array }[];
  files?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Pushes a Flux artifact to `<host>/<repo>` under each tag; returns the manifest digest and the layer digests. */
export async function pushArtifact(
  client: RegistryClient,
  host: string,
  repo: string,
  tags: string[],
  opts: PushOptions,
): Promise<{ digest: string; layers: string[] }> {
  const signal = AbortSignal.timeout(20_000);
  const layers = opts.layers ?? [{ mediaType: FluxContentMediaType, data: await tarGz(opts.files ?? {}) }];
  const config = enc('{}');
  const configDigest = await client.pushBlob(host, repo, config, signal);
  const descs = [];
  for (const l of layers) {
    const digest = await client.pushBlob(host, repo, l.data, signal);
    descs.push({ mediaType: l.mediaType, digest, size: l.data.byteLength });
  }
  const manifest = enc(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: FluxConfigMediaType, digest: configDigest, size: config.byteLength },
      layers: descs,
      annotations: {
        'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
        'org.opencontainers.image.source': 'https://github.com/example/repo',
        'org.opencontainers.image.revision': 'main@sha1:0123456789abcdef0123456789abcdef01234567',
        ...opts.annotations,
      },
    }),
  );
  let digest = '';
  for (const t of tags)
    digest = await client.pushManifest(
      parseReference(`${host}/${repo}:${t}`),
      manifest,
      OCI_MANIFEST_MEDIA_TYPE,
      signal,
    );
  return { digest, layers: descs.map((d) => d.digest) };
}

/** Creates an OCIRepository in `default`. */
export async function createOCIRepository(
  client: KubeClient,
  name: string,
  spec: Record<string, unknown>,
): Promise<OCIRepo> {
  return client.create<OCIRepo>({
    ...gvk,
    metadata: { name, namespace: 'default' },
    spec: { interval: '10m', ...spec },
  } as unknown as OCIRepo);
}

/** Reads an OCIRepository from `default`. */
export function getOCIRepository(client: KubeClient, name: string): Promise<OCIRepo> {
  return client.get<OCIRepo>(gvk, { namespace: 'default', name });
}

/** Merges a patch (spec, metadata) into an OCIRepository. */
export async function patchOCIRepository(
  client: KubeClient,
  name: string,
  patch: Record<string, unknown>,
): Promise<void> {
  await client.patch(gvk, { namespace: 'default', name }, patch, { type: 'merge' });
}

/** A condition of an object, if present. */
export function cond(obj: OCIRepo, type: string): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Waits until `check` holds; the failure names the last status seen. */
export async function waitOCI(
  client: KubeClient,
  name: string,
  check: (obj: OCIRepo) => boolean,
  what: string,
): Promise<OCIRepo> {
  let last: OCIRepo | undefined;
  return until(
    () => `${name}: ${what} (last status ${JSON.stringify(last?.status)})`,
    async () => {
      last = await getOCIRepository(client, name);
      return check(last) ? last : undefined;
    },
  );
}

/** Ready=True for the current generation. */
export function isReady(obj: OCIRepo): boolean {
  return cond(obj, 'Ready')?.status === 'True' && obj.status?.observedGeneration === (obj.metadata.generation ?? 0);
}

/** Ready=False with a condition `type` of `reason`. */
export function failedWith(type: string, reason: string): (obj: OCIRepo) => boolean {
  return (obj) => cond(obj, type)?.reason === reason && cond(obj, 'Ready')?.status === 'False';
}
