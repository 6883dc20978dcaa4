import type { RegistryClient } from './client.ts';
import { OCI_MANIFEST_MEDIA_TYPE } from './manifest.ts';
import { parseReference } from './reference.ts';

/** The config of {@link pushImage}'s images. */
const IMAGE_CONFIG = '{"architecture":"amd64","os":"linux"}';

/**
 * Pushes a tiny single-layer OCI image (a `linux/amd64` config, one `application/vnd.oci.image.layer.v1.tar` layer
 * of `layer`'s bytes) to `<registry>/<repository>` under each of `tags`, as a CI build would; returns the manifest
 * digest ('' without tags). Different `layer` bytes give a different digest. Used by the demo registry's
 * `push-image` command and by the tests and benchmarks that play a registry's user.
 */
export async function pushImage(
  client: RegistryClient,
  registry: string,
  repository: string,
  tags: readonly string[],
  layer: string | Uint8Array,
  signal: AbortSignal,
): Promise<string> {
  const enc = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : s);
  const config = enc(IMAGE_CONFIG);
  const layerBytes = enc(layer);
  const configDigest = await client.pushBlob(registry, repository, config, signal);
  const layerDigest = await client.pushBlob(registry, repository, layerBytes, signal);
  const manifest = enc(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layerBytes.length }],
    }),
  );
  let digest = '';
  for (const tag of tags)
    digest = await client.pushManifest(
      parseReference(`${registry}/${repository}:${tag}`),
      manifest,
      OCI_MANIFEST_MEDIA_TYPE,
      signal,
    );
  return digest;
}
