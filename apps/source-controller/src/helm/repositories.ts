/**
 * Chart repositories for builds (source-controller `buildFromHelmRepository` and
 * `namespacedChartRepositoryCallback`): an HTTP(S) repository reads its index from the HelmRepository's stored
 * artifact (through the index cache) instead of downloading it again; an OCI repository goes through the registry
 * with the HelmRepository's credentials (`username`/`password`, a `.dockerconfigjson` Secret, or `provider: aws`).
 */
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { HelmRepository } from '@flux-ts/api';
import type { Storage } from '@flux-ts/artifact';
import { HttpChartRepository, MAX_INDEX_SIZE, OciChartRepository, loadIndex, versionToTag } from '@flux-ts/helm';
import type { ChartVersion, DependencyRepository, IndexFile } from '@flux-ts/helm';
import {
  RegistryClient,
  dockerConfigCredentials,
  ecrCredentials,
  parseReference,
  verifyCosignSignatures,
} from '@flux-ts/oci';
import type { RegistryCredentials } from '@flux-ts/oci';
import type { HelmClientOptions } from './client-opts.ts';
import type { IndexCache } from './index-cache.ts';
import { isOCI } from './normalize-url.ts';

/** The chart or version is not in the repository (upstream `ErrReference`: InvalidChartReference, stalling). */
export class ChartReferenceError extends Error {
  override name = 'ChartReferenceError';
}

/** What building a repository client needs besides the client options. */
export interface RepositoryContext {
  storage: Storage;
  cache?: IndexCache | undefined;
  userAgent?: string | undefined;
  /** The object counted in the cache metrics. */
  owner: { name: string; namespace: string };
}

/** A chart repository a build pulls from; `secrets` are stripped from messages. */
export interface ChartSource extends DependencyRepository {
  readonly secrets: readonly string[];
  /** An OCI registry: lookup failures other than references are `Unknown` build errors, as upstream. */
  readonly oci: boolean;
  /**
   * Verifies the chart's signature and pins `cv.urls[0]` to the verified manifest digest (upstream
   * `OCIChartRepository.VerifyChart`); absent for HTTP repositories, which cannot verify.
   */
  verifyChart?(cv: ChartVersion, signal: AbortSignal): Promise<void>;
}

/** Loads the parsed index of a HelmRepository's stored artifact, through the cache. */
export async function storedIndex(repo: HelmRepository, ctx: RepositoryContext): Promise<IndexFile | undefined> {
  const artifact = repo.status?.artifact;
  if (!artifact) return undefined;
  const hit = ctx.cache?.get(artifact.path, ctx.owner);
  if (hit) return hit;
  const index = loadIndex(await readFile(ctx.storage.localPath(artifact)), repo.spec.url);
  ctx.cache?.set(artifact.path, index);
  return index;
}

/** The HTTP(S) chart repository of a HelmRepository. */
export function httpChartSource(
  repo: HelmRepository | undefined,
  opts: HelmClientOptions,
  ctx: RepositoryContext,
): ChartSource {
  const client = new HttpChartRepository({
    url: opts.url,
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    passCredentials: opts.passCredentials,
    ...(opts.tls ? { tls: opts.tls } : {}),
    timeoutMs: opts.timeoutMs,
    ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
  });
  let index: IndexFile | undefined;
  return {
    secrets: opts.secrets,
    oci: false,
    getChartVersion: async (name: string, constraint: string, signal: AbortSignal): Promise<ChartVersion> => {
      if (!index && repo?.status?.artifact) index = await storedIndex(repo, ctx);
      index ??= loadIndex(await client.downloadIndex({ signal, maxSize: MAX_INDEX_SIZE }), opts.url);
      try {
        return index.resolve(name, constraint);
      } catch (err) {
        throw new ChartReferenceError((err as Error).message, { cause: err });
      }
    },
    downloadChart: (cv, o) => client.downloadChart(cv, o),
  };
}

/** Registry credentials of an OCI HelmRepository for its host. */
export async function ociCredentials(
  repo: Pick<HelmRepository, 'spec'>,
  opts: HelmClientOptions,
  signal: AbortSignal,
): Promise<RegistryCredentials | undefined> {
  const host = new URL(opts.url.replace(/^oci:/, 'http:')).host;
  const provider = repo.spec.provider ?? 'generic';
  if (provider === 'aws') return ecrCredentials({ registry: host, signal });
  if (provider !== 'generic') {
    throw new Error(`provider '${provider}' is not supported by this build: use 'generic' or 'aws'`);
  }
  if (opts.dockerConfigJson) return dockerConfigCredentials(opts.dockerConfigJson, host);
  if (opts.username !== undefined && opts.password !== undefined)
    return { username: opts.username, password: opts.password };
  return undefined;
}

/** The OCI chart repository of a HelmRepository (`type: oci`, or an `oci://` dependency URL). */
export async function ociChartSource(
  repo: Pick<HelmRepository, 'spec'>,
  opts: HelmClientOptions,
  signal: AbortSignal,
  userAgent?: string,
  verify?: { keys: readonly KeyObject[] },
): Promise<ChartSource> {
  if (!isOCI(opts.url)) throw new Error(`invalid OCI registry URL: ${opts.url}`);
  const credentials = await ociCredentials(repo, opts, signal);
  const secrets = [...opts.secrets, ...(credentials?.password ? [credentials.password] : [])];
  const client = new RegistryClient({
    ...(credentials ? { credentials } : {}),
    ...(opts.tls ? { tls: opts.tls } : {}),
    insecure: opts.insecure,
    // Helm's registry client (ORAS) speaks plain HTTP only with insecure, whatever the host.
    localHttpFallback: false,
    timeoutMs: opts.timeoutMs,
    ...(userAgent ? { userAgent } : {}),
  });
  const oci = new OciChartRepository({ url: opts.url, client });
  return {
    secrets,
    oci: true,
    getChartVersion: async (name, constraint, s) => ({ ...(await oci.getChartVersion(name, constraint, s)) }),
    downloadChart: (cv, o) => oci.downloadChart(cv, o),
    ...(verify ? { verifyChart: (cv, s) => verifyOciChart(client, oci.url, cv, verify.keys, s) } : {}),
  };
}

/**
 * Upstream `OCIChartRepository.VerifyChart` with cosign public-key verifiers: resolves the chart tag to its
 * manifest digest, accepts it when a signature of that digest verifies with one of the keys, and pins
 * `cv.urls[0]` to `<chart>:<tag>@<digest>` so the download gets the verified manifest. Errors read as cosign's
 * (`no signatures found`, `no matching signatures:` and each rejection), after `failed to verify <url>: `.
 */
export async function verifyOciChart(
  client: RegistryClient,
  repoUrl: string,
  cv: ChartVersion,
  keys: readonly KeyObject[],
  signal: AbortSignal,
): Promise<void> {
  const url = cv.urls[0];
  if (url === undefined) throw new Error(`chart '${cv.name}' has no downloadable URLs`);
  const base = `${repoUrl}/${cv.name}`;
  const tag = versionToTag(cv.version);
  let digest: string;
  let rejected: string[];
  try {
    const ref = parseReference(`${base.slice('oci://'.length)}:${tag}`);
    digest = (await client.headManifest(ref, signal)).digest;
    const result = await verifyCosignSignatures(client, { ...ref, digest }, keys, { signal });
    if (result.verified.length > 0) {
      cv.urls = [`${base}:${tag}@${digest}`, ...cv.urls.slice(1)];
      return;
    }
    rejected = result.rejected;
  } catch (err) {
    if (signal.aborted) throw err;
    throw new Error(`failed to verify ${url}: ${(err as Error).message}`, { cause: err });
  }
  const reasons = rejected.map((r) => r.replace(/^sha(?:256|512):[0-9a-f]+: /u, ''));
  const cause =
    reasons.length === 1 && reasons[0] === 'no signatures found'
      ? 'no signatures found'
      : `no matching signatures:\n${reasons.join('\n ')}`;
  throw new Error(`failed to verify ${url}: ${cause}`);
}
