/**
 * The sources of an ArtifactGenerator (source-watcher `observeSources`, `fetchSources` and api/v1beta1
 * `observed_source.go`): each `spec.sources[]` read from the cache in its namespace (the generator's by default),
 * its artifact observed (URL, digest, revision, origin revision), the set hashed into `status.observedSourcesDigest`,
 * and the artifacts fetched (digest checked, confined extract) into `<workspace>/<alias>`.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ArtifactGeneratorConstants, SourceGroup, SourceGroupVersion } from '@flux-ts/api';
import type { Artifact, ArtifactGenerator, ArtifactGeneratorSource } from '@flux-ts/api';
import { fetchArtifact } from '@flux-ts/artifact';
import { isNotFound } from '@flux-ts/runtime';
import type { KubeObject, ObjectReader } from '@flux-ts/runtime';

/** The observed state of one source (upstream `ObservedSource`). */
export interface ObservedSource {
  digest: string;
  revision: string;
  /** `org.opencontainers.image.revision` of the artifact metadata, when present. */
  originRevision?: string | undefined;
  url: string;
}

const plurals: Readonly<Record<ArtifactGeneratorSource['kind'], string>> = {
  Bucket: 'buckets',
  GitRepository: 'gitrepositories',
  OCIRepository: 'ocirepositories',
  HelmChart: 'helmcharts',
  ExternalArtifact: 'externalartifacts',
};

/** The namespace of a source reference: its own, or the generator's. */
export function sourceNamespace(obj: Pick<ArtifactGenerator, 'metadata'>, src: ArtifactGeneratorSource): string {
  return src.namespace || obj.metadata.namespace || '';
}

/**
 * upstream `observeSources`: alias → observed artifact.
 * @throws Error with upstream's message: the API's NotFound (`<plural>.<group> "<name>" not found`), or
 * `source '<Kind>/<ns>/<name>' is not ready` when it has no artifact yet
 */
export async function observeSources(
  obj: ArtifactGenerator,
  reader: ObjectReader,
  signal?: AbortSignal,
): Promise<Map<string, ObservedSource>> {
  const out = new Map<string, ObservedSource>();
  for (const src of obj.spec.sources) {
    const namespace = sourceNamespace(obj, src);
    let source: KubeObject & { status?: { artifact?: Artifact } };
    try {
      source = await reader.get(
        { apiVersion: SourceGroupVersion, kind: src.kind },
        { namespace, name: src.name },
        { signal },
      );
    } catch (err) {
      if (isNotFound(err))
        throw new Error(`${plurals[src.kind]}.${SourceGroup} "${src.name}" not found`, { cause: err });
      throw new Error(`unable to get source '${namespace}/${src.name}': ${(err as Error).message}`, { cause: err });
    }
    const artifact = source.status?.artifact;
    if (!artifact?.url || !artifact.digest)
      throw new Error(`source '${src.kind}/${namespace}/${src.name}' is not ready`);
    const originRevision = artifact.metadata?.[ArtifactGeneratorConstants.OriginRevisionAnnotation];
    out.set(src.alias, {
      digest: artifact.digest,
      revision: artifact.revision,
      url: artifact.url,
      ...(originRevision ? { originRevision } : {}),
    });
  }
  return out;
}

/** upstream `HashObservedSources`: `sha256:` of the sorted `alias=[digest=…,revision=…,url=…]` joined by `|`. */
export function hashObservedSources(sources: ReadonlyMap<string, ObservedSource>): string {
  const parts = [...sources].map(([alias, s]) => `${alias}=[digest=${s.digest},revision=${s.revision},url=${s.url}]`);
  parts.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `sha256:${createHash('sha256').update(parts.join('|')).digest('hex')}`;
}

/** How {@link fetchSources} downloads. */
export interface FetchSourcesOptions {
  /** `--http-retry`. */
  retries?: number | undefined;
  /** First wait between retries in ms (default 5 s, as Flux). */
  retryWaitMinMs?: number | undefined;
  /** `SOURCE_CONTROLLER_LOCALHOST`. */
  hostOverride?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** upstream `fetchSources`: each artifact fetched (digest checked, confined extract) into `<workspace>/<alias>`. */
export async function fetchSources(
  sources: ReadonlyMap<string, ObservedSource>,
  workspace: string,
  opts: FetchSourcesOptions = {},
): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const [alias, src] of sources) {
    const dir = join(workspace, alias);
    await fetchArtifact({
      url: src.url,
      digest: src.digest,
      dir,
      // upstream fetches source artifacts without a size limit (tar.UnlimitedUntarSize)
      maxSize: Number.MAX_SAFE_INTEGER,
      retries: opts.retries,
      retryWaitMinMs: opts.retryWaitMinMs,
      hostOverride: opts.hostOverride,
      signal: opts.signal,
      tmpDir: workspace,
    });
    dirs.set(alias, dir);
  }
  return dirs;
}
