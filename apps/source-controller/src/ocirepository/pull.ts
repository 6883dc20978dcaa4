/**
 * The registry side of the OCIRepository reconciler (upstream `getArtifactRef`, `getRevision`, `selectLayer`,
 * `keychain`, `filterTags`): the repository parsed from `spec.url`, the reference to pull (digest > semver > tag >
 * `latest`), the revision in Flux's format, the credential lookup from pull secrets, the layer choice and the
 * extraction of a layer into the working directory.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseConstraint, parseTagVersion } from '@flux-ts/git';
import { DEFAULT_TAG, dockerConfigCredentials, parseRepository } from '@flux-ts/oci';
import type { OciDescriptor, OciManifest, Reference, RegistryClient, RegistryCredentials } from '@flux-ts/oci';
import { compareVersions } from '@flux-ts/semver';
import { extract } from 'tar';
import type { OCIRepository } from '@flux-ts/api';

/** `oci://`, the prefix every `spec.url` has (upstream `OCIRepositoryPrefix`). */
export const OCIRepositoryPrefix = 'oci://';

/** Flux's artifact layer media type (fluxcd/pkg/oci `ContentMediaType`). */
export const FluxContentMediaType = 'application/vnd.cncf.flux.content.v1.tar+gzip';
/** Flux's artifact config media type (fluxcd/pkg/oci `CanonicalConfigMediaType`). */
export const FluxConfigMediaType = 'application/vnd.cncf.flux.config.v1+json';
/** `org.opencontainers.image.source` (fluxcd/pkg/oci `SourceAnnotation`). */
export const SourceAnnotation = 'org.opencontainers.image.source';
/** `org.opencontainers.image.revision` (fluxcd/pkg/oci `RevisionAnnotation`). */
export const RevisionAnnotation = 'org.opencontainers.image.revision';

/** `spec.url` is not a usable repository (upstream `invalidOCIURLError`: the object stalls). */
export class InvalidOCIURLError extends Error {
  override readonly name = 'InvalidOCIURLError';
}

/** Upstream `parseRepository`: `oci://<host>/<path>` without a tag. */
export function parseOCIRepositoryURL(url: string): { registry: string; repository: string } {
  if (!url.startsWith(OCIRepositoryPrefix))
    throw new InvalidOCIURLError("URL must be in format 'oci://<domain>/<org>/<repo>'");
  const name = url.slice(OCIRepositoryPrefix.length);
  let repo: { registry: string; repository: string };
  try {
    repo = parseRepository(name);
  } catch (err) {
    throw new InvalidOCIURLError((err as Error).message, { cause: err });
  }
  const imageName = name.startsWith(repo.registry) ? name.slice(repo.registry.length) : name;
  const parts = imageName.split(':');
  if (parts.length > 1) throw new InvalidOCIURLError(`URL must not contain a tag; remove ':${parts[1]}'`);
  return repo;
}

/** Upstream `filterTags`: the tags matching `semverFilter` (all without one); throws on an invalid regex. */
export function filterTags(tags: readonly string[], filter: string | undefined): string[] {
  if (!filter) return [...tags];
  // Go's regexp (RE2) and JavaScript's agree on the patterns tag filters use; the `u` flag refuses what RE2 refuses most often.
  const re = new RegExp(filter, 'u');
  return tags.filter((t) => re.test(t));
}

/** Upstream `getTagBySemver` without the listing: the highest version tag satisfying `range`. */
export function pickSemverTag(tags: readonly string[], range: string): string {
  const constraint = parseConstraint(range);
  let best: { tag: string; v: NonNullable<ReturnType<typeof parseTagVersion>> } | undefined;
  for (const tag of tags) {
    const v = parseTagVersion(tag);
    if (!v || !constraint.test(v)) continue;
    if (!best || compareVersions(v, best.v) > 0) best = { tag, v };
  }
  if (!best) throw new Error(`no match found for semver: ${range}`);
  return best.tag;
}

/**
 * Upstream `getArtifactRef`: digest > semver (listing the tags) > tag > `latest`. Throws
 * {@link InvalidOCIURLError} for a bad URL, anything else for a failed listing or semver selection.
 */
export async function resolveReference(
  obj: Pick<OCIRepository, 'spec'>,
  listTags: (registry: string, repository: string) => Promise<string[]>,
): Promise<Reference> {
  const repo = parseOCIRepositoryURL(obj.spec.url);
  const ref = obj.spec.ref;
  if (ref?.digest) return { ...repo, digest: ref.digest };
  if (ref?.semver) {
    const tags = filterTags(await listTags(repo.registry, repo.repository), ref.semverFilter);
    return { ...repo, tag: pickSemverTag(tags, ref.semver) };
  }
  return { ...repo, tag: ref?.tag || DEFAULT_TAG };
}

/** The reference as go-containerregistry prints it (`host/repo:tag`, `host/repo@digest`). */
export function referenceString(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? DEFAULT_TAG}`}`;
}

/**
 * Upstream `getRevision`: a digest reference's revision is the digest; a tag's is `<tag>@<digest>`, the digest
 * from a HEAD of the manifest (one request), falling back to a GET when the HEAD fails.
 */
export async function resolveRevision(
  client: RegistryClient,
  ref: Reference,
  signal: AbortSignal,
): Promise<{ revision: string; digest: string }> {
  if (ref.digest) return { revision: ref.digest, digest: ref.digest };
  let digest: string;
  try {
    digest = (await client.headManifest(ref, signal)).digest;
  } catch {
    digest = (await client.getManifest(ref, signal)).digest;
  }
  return { revision: `${ref.tag ?? DEFAULT_TAG}@${digest}`, digest };
}

/** Upstream `digestFromRevision`: what follows the last `@`. */
export function digestFromRevision(revision: string): string {
  const parts = revision.split('@');
  return parts[parts.length - 1] ?? revision;
}

/** Upstream `selectLayer`: the first layer of `mediaType` (any media type when empty). */
export function selectLayer(manifest: OciManifest, mediaType: string | undefined): OciDescriptor {
  const layers = manifest.layers ?? [];
  if (layers.length < 1) throw new Error('no layers found in artifact');
  if (!mediaType) return layers[0] as OciDescriptor;
  const found = layers.find((l) => l.mediaType === mediaType);
  if (!found) throw new Error(`failed to find layer with media type '${mediaType}' in artifact`);
  return found;
}

/**
 * A credential lookup over `.dockerconfigjson` (or legacy `.dockercfg`) pull secrets, in order (k8schain's
 * `NewFromPullSecrets`): the first secret with an entry for the registry wins.
 */
export function pullSecretCredentials(
  secrets: readonly Record<string, Uint8Array>[],
): (registry: string) => Promise<RegistryCredentials | undefined> {
  return (registry) => {
    for (const data of secrets) {
      const json = data['.dockerconfigjson'];
      const legacy = data['.dockercfg'];
      const doc = json ?? (legacy ? Buffer.from(`{"auths":${Buffer.from(legacy).toString('utf8')}}`) : undefined);
      if (!doc) continue;
      const creds = dockerConfigCredentials(doc, registry);
      if (creds) return Promise.resolve(creds);
    }
    return Promise.resolve(undefined);
  };
}

/**
 * Upstream `tar.Untar(blob, dir, WithMaxUntarSize(-1), WithSkipSymlinks())`: extracts a (gzipped) tarball into
 * `dir`, keeping only files and directories and refusing (node-tar strict mode) absolute or `..` paths.
 */
export async function untarLayer(data: Uint8Array, dir: string, signal: AbortSignal): Promise<void> {
  await pipeline(
    Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
    extract({
      cwd: dir,
      strict: true,
      preserveOwner: false,
      preservePaths: false,
      noMtime: true,
      // Flux extracts OCI layers without a size cap (WithMaxUntarSize(-1)): the blob size is already bounded.
      maxDecompressionRatio: Number.POSITIVE_INFINITY,
      filter: (_path, entry) =>
        'type' in entry && ['File', 'OldFile', 'ContiguousFile', 'Directory'].includes(entry.type),
    }),
    { signal },
  );
}
