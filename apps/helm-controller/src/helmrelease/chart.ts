/**
 * The chart of a HelmRelease (helm-controller `reconcileChartTemplate`, `getSource` and `loader.SecureLoadChartFromURL`):
 * a `spec.chart` template becomes the HelmChart `<hrNamespace>-<hrName>` in the source's namespace (created, updated
 * when its spec or labels differ, deleted when the release moves to another HelmChart or is deleted); `spec.chartRef`
 * names a HelmChart, an OCIRepository or (feature gate ExternalArtifact) an ExternalArtifact directly. Every source
 * is read from the informer cache and must be ready as helm-controller's `isReady` says, else the release waits
 * (SourceNotReady). The artifact, a chart .tgz, is downloaded (unless its digest was downloaded before) and its digest
 * verified before `loadArchive`; an OCIRepository's chart version gets its OCI digest (`mutateChartWithSourceRevision`).
 *
 * Written by hand: @flux-ts/artifact's `fetchArtifact` extracts tarballs into a directory, while a chart artifact is
 * loaded from its .tgz bytes as Helm's `loader.LoadArchive` does (a plain GET with the digest check is all it needs).
 */
import { AccessDeniedReason, HelmOwnerLabels, HelmReleaseReasons, SourceGroupVersion } from '@flux-ts/api';
import type { Artifact, HelmRelease } from '@flux-ts/api';
import { createDigester, parseDigest, redactUrl } from '@flux-ts/artifact';
import { loadArchive, parseVersion } from '@flux-ts/helm';
import type { Chart } from '@flux-ts/helm';
import { GenericError, StallingError, WaitingError, errMessage, isAlreadyExists, isNotFound } from '@flux-ts/runtime';
import type { KubeClient, KubeObject, ObjectReader } from '@flux-ts/runtime';

/** The HelmChart kind at the version the cache serves. */
export const HelmChartGVK = { apiVersion: SourceGroupVersion, kind: 'HelmChart' } as const;

/** A HelmChart as helm-controller reads and writes it. */
export interface HelmChartObject extends KubeObject {
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    artifact?: Artifact;
  };
}

/** `<namespace>/<name>` of the HelmChart a HelmRelease uses: the template's, or `spec.chartRef`'s. */
export function helmChartRef(hr: HelmRelease): { namespace: string; name: string } {
  const ns = hr.metadata.namespace ?? '';
  if (hr.spec.chart)
    return { namespace: hr.spec.chart.spec.sourceRef.namespace || ns, name: `${ns}-${hr.metadata.name}` };
  const ref = hr.spec.chartRef;
  return { namespace: ref?.namespace || ns, name: ref?.name ?? '' };
}

/** The HelmChart of a `spec.chart` template (helm-controller `buildHelmChartFromTemplate`). */
export function helmChartFromTemplate(hr: HelmRelease): HelmChartObject {
  const tpl = hr.spec.chart;
  if (!tpl) throw new Error('internal error: the HelmRelease has no chart template');
  const s = tpl.spec;
  const { namespace, name } = helmChartRef(hr);
  const spec: Record<string, unknown> = {
    chart: s.chart,
    version: s.version || '*',
    sourceRef: { kind: s.sourceRef.kind, name: s.sourceRef.name },
    interval: s.interval ?? hr.spec.interval,
    reconcileStrategy: s.reconcileStrategy || 'ChartVersion',
  };
  if (s.valuesFiles && s.valuesFiles.length > 0) spec['valuesFiles'] = s.valuesFiles;
  if (s.ignoreMissingValuesFiles) spec['ignoreMissingValuesFiles'] = true;
  if (s.verify) spec['verify'] = s.verify;
  return {
    ...HelmChartGVK,
    metadata: {
      name,
      namespace,
      labels: {
        ...(tpl.metadata?.labels ?? {}),
        [HelmOwnerLabels.Name]: hr.metadata.name,
        [HelmOwnerLabels.Namespace]: hr.metadata.namespace ?? '',
      },
      ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
    },
    spec,
  };
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  );
}

/**
 * Creates or updates the HelmChart of the template (a write only when it differs), deletes the one named by
 * `status.helmChart` when it is another, and records `status.helmChart`. The live HelmChart is read from `reader`
 * (the informer cache, as helm-controller's client reads it): a create the cache has not seen yet is AlreadyExists,
 * left to the reconcile its watch event brings; an update over a stale copy is a Conflict, retried. Returns true when
 * it wrote the HelmChart's spec: that generation has no artifact yet, whatever the cache still shows.
 */
export async function reconcileChartTemplate(
  client: KubeClient,
  hr: HelmRelease,
  signal: AbortSignal,
  reader: ObjectReader = client,
): Promise<boolean> {
  const want = helmChartFromTemplate(hr);
  const ns = want.metadata.namespace ?? '';
  const id = `${ns}/${want.metadata.name}`;
  const previous = hr.status?.helmChart;
  if (previous && previous !== id) await deleteHelmChart(client, previous, signal);
  let live: HelmChartObject | undefined;
  try {
    live = await reader.get<HelmChartObject>(HelmChartGVK, { namespace: ns, name: want.metadata.name }, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  let wroteSpec = false;
  if (live === undefined) {
    try {
      await client.create(want, { signal });
      wroteSpec = true;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  } else {
    const labels = { ...(live.metadata.labels ?? {}), ...want.metadata.labels };
    const annotations = { ...(live.metadata.annotations ?? {}), ...(want.metadata.annotations ?? {}) };
    const specChanged = !sameJson(live.spec, want.spec);
    const changed =
      specChanged ||
      !sameJson(labels, live.metadata.labels ?? {}) ||
      !sameJson(annotations, live.metadata.annotations ?? {});
    if (changed)
      await client.update(
        { ...live, metadata: { ...live.metadata, labels, annotations }, spec: want.spec },
        { signal },
      );
    wroteSpec = specChanged;
  }
  hr.status ??= {};
  hr.status.helmChart = id;
  return wroteSpec;
}

/** Deletes the HelmChart `<namespace>/<name>` (absent: nothing to do). */
export async function deleteHelmChart(client: KubeClient, nsName: string, signal: AbortSignal): Promise<void> {
  const [namespace = '', name = ''] = nsName.split('/');
  try {
    await client.delete(HelmChartGVK, { namespace, name }, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The OCIRepository kind `spec.chartRef` may name (read at source.toolkit.fluxcd.io/v1 whatever its apiVersion). */
export const OCIRepositoryGVK = { apiVersion: SourceGroupVersion, kind: 'OCIRepository' } as const;
/** The ExternalArtifact kind `spec.chartRef` may name (feature gate `ExternalArtifact`). */
export const ExternalArtifactGVK = { apiVersion: SourceGroupVersion, kind: 'ExternalArtifact' } as const;

/** The source of a release's chart, ready, with its artifact. */
export interface ChartSource {
  kind: 'HelmChart' | 'OCIRepository' | 'ExternalArtifact';
  namespace: string;
  name: string;
  artifact: Artifact;
}

/** An OCIRepository or ExternalArtifact as helm-controller reads it. */
type ArtifactSourceObject = HelmChartObject;

const plurals: Record<string, string> = {
  HelmChart: 'helmcharts',
  OCIRepository: 'ocirepositories',
  ExternalArtifact: 'externalartifacts',
};
const gvkOf = {
  HelmChart: HelmChartGVK,
  OCIRepository: OCIRepositoryGVK,
  ExternalArtifact: ExternalArtifactGVK,
} as const;

/**
 * helm-controller `isReady`: the source is reconciled at its generation, not stalled, and has an artifact; the
 * message says which is not the case (Ready=False's message when the generation is not reconciled yet). An
 * ExternalArtifact has no `status.observedGeneration` (its producer reports through Ready and the artifact): a
 * Ready=False one is not ready.
 */
export function sourceNotReadyMessage(kind: string, obj: ArtifactSourceObject): string | undefined {
  const id = `${kind} '${obj.metadata.namespace ?? ''}/${obj.metadata.name}' is not ready`;
  const cond = (type: string): { status: string; message: string } | undefined =>
    obj.status?.conditions?.find((c) => c.type === type);
  const ready = cond('Ready');
  const observed = obj.status?.observedGeneration;
  if (kind === 'ExternalArtifact' && observed === undefined) {
    if (ready?.status === 'False') return `${id}: ${ready.message}`;
  } else if ((obj.metadata.generation ?? 0) !== (observed ?? -1)) {
    return `${id}: ${ready?.status === 'False' ? ready.message : 'latest generation of object has not been reconciled'}`;
  }
  const stalled = cond('Stalled');
  if (stalled?.status === 'True') return `${id}: ${stalled.message}`;
  if (obj.status?.artifact === undefined) return `${id}: does not have an artifact`;
  return undefined;
}

/**
 * The source of the chart (helm-controller `getSource` and `isSourceReady`): the HelmChart of the template or of
 * `spec.chartRef`, or the OCIRepository or ExternalArtifact `spec.chartRef` names, read from `reader` (the informer
 * cache). An ExternalArtifact without the `ExternalArtifact` feature gate is AccessDenied (stalled); a missing source
 * is ArtifactFailed, retried with backoff; one not ready ({@link sourceNotReadyMessage}) waits `requeueAfter`
 * (SourceNotReady) unless its watch event comes first. `opts.written` (the template's HelmChart was just created or
 * changed) skips the read: that generation has no artifact yet, whatever the cache shows.
 */
export async function getReadySource(
  reader: ObjectReader,
  hr: HelmRelease,
  requeueAfter: number,
  signal: AbortSignal,
  opts: { allowExternalArtifact?: boolean; written?: boolean } = {},
): Promise<ChartSource> {
  const ref = hr.spec.chartRef;
  const kind = ref?.kind ?? 'HelmChart';
  const { namespace, name } = helmChartRef(hr);
  if (kind === 'ExternalArtifact' && !opts.allowExternalArtifact)
    throw new StallingError(
      `can't access '${kind}/${namespace}/${name}', ExternalArtifact feature gate is disabled`,
      AccessDeniedReason,
    );
  if (opts.written && hr.spec.chart)
    throw new WaitingError(
      `${kind} '${namespace}/${name}' is not ready: latest generation of object has not been reconciled`,
      HelmReleaseReasons.SourceNotReady,
      requeueAfter,
    );
  let obj: ArtifactSourceObject;
  try {
    obj = await reader.get<ArtifactSourceObject>(gvkOf[kind], { namespace, name }, { signal });
  } catch (err) {
    const why = isNotFound(err)
      ? `${plurals[kind] ?? kind}.source.toolkit.fluxcd.io "${name}" not found`
      : errMessage(err);
    throw new GenericError(`could not get Source object: ${why}`, HelmReleaseReasons.ArtifactFailed, { cause: err });
  }
  const notReady = sourceNotReadyMessage(kind, obj);
  const artifact = obj.status?.artifact;
  if (notReady !== undefined || artifact === undefined)
    throw new WaitingError(
      notReady ?? `${kind} '${namespace}/${name}' is not ready`,
      HelmReleaseReasons.SourceNotReady,
      requeueAfter,
    );
  return { kind, namespace, name, artifact };
}

/** The 12 hex digits after `<algorithm>:` (helm-controller `extractDigestSubString`). */
function digestPrefix(revision: string): string {
  const pair = revision.split(':');
  const sha = pair[1] ?? '';
  if (pair.length !== 2 || sha.length < 12) throw new Error(`invalid artifact revision ${revision}`);
  return sha.slice(0, 12);
}

/**
 * helm-controller `mutateChartWithSourceRevision`: for an OCIRepository, the chart version gets the first 12 hex
 * digits of the artifact's OCI digest as build metadata (`1.0.0+0123456789ab`), so that a chart re-pushed under the
 * same tag is upgraded; the revision is `<tag>@<digest>` (the tag must be the chart version, `_` standing for `+`)
 * or a bare digest. Returns the OCI digest ('' for other sources, which clears `lastAttemptedRevisionDigest`);
 * `disableDigestTracking` (feature gate DisableChartDigestTracking) keeps the version. Failures are
 * ChartMutateError.
 */
export function mutateChartWithSourceRevision(
  chart: Chart,
  source: Pick<ChartSource, 'kind' | 'artifact'>,
  disableDigestTracking = false,
): string {
  if (source.kind !== 'OCIRepository') return '';
  try {
    const ver = parseVersion(chart.metadata.version);
    if (ver === undefined) throw new Error('Invalid Semantic Version');
    const revision = source.artifact.revision;
    let ociDigest: string;
    if (revision.includes('@')) {
      const parts = revision.split('@');
      const tag = (parts[0] ?? '').replaceAll('_', '+');
      const tagVer = parseVersion(tag);
      if (tagVer === undefined) throw new Error(`failed parsing artifact revision ${tag}`);
      const same =
        tagVer.major === ver.major &&
        tagVer.minor === ver.minor &&
        tagVer.patch === ver.patch &&
        tagVer.pre === ver.pre;
      if (parts.length !== 2 || !same)
        throw new Error(`artifact revision ${parts[0] ?? ''} does not match chart version ${chart.metadata.version}`);
      ociDigest = parts[1] ?? '';
    } else {
      ociDigest = revision;
    }
    const sha = digestPrefix(ociDigest);
    if (!disableDigestTracking)
      chart.metadata.version = `${ver.major}.${ver.minor}.${ver.patch}${ver.pre ? `-${ver.pre}` : ''}+${sha}`;
    return ociDigest;
  } catch (err) {
    throw new GenericError(errMessage(err), HelmReleaseReasons.ChartMutateError, { cause: err });
  }
}

/** Options of {@link fetchChart}. */
export interface FetchChartOptions {
  /** `SOURCE_CONTROLLER_LOCALHOST`: replaces `host[:port]` of the artifact URL. */
  hostOverride?: string | undefined;
  /** Retries after the first attempt on network errors and 5xx (`--http-retry`). */
  retries?: number;
  /** First retry wait in ms (doubles). */
  retryWaitMs?: number;
  /** Cap on the chart archive size (default 100 MiB). */
  maxSize?: number;
  /** Verified archives by digest: an artifact whose digest was downloaded before is not downloaded again. */
  cache?: ChartArchiveCache | undefined;
  signal: AbortSignal;
}

/**
 * Chart archives by artifact digest, verified, least recently used dropped first past `maxBytes` (default 64 MiB):
 * a reconcile whose chart artifact did not change (the no-op path, a values-only upgrade, HelmReleases of one chart)
 * loads it without a download. Hand-written: a Map in insertion order is the whole LRU this needs.
 */
export class ChartArchiveCache {
  readonly #entries = new Map<string, Buffer>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  /** The archive of `digest`, marked recently used. */
  get(digest: string): Buffer | undefined {
    const data = this.#entries.get(digest);
    if (data !== undefined) {
      this.#entries.delete(digest);
      this.#entries.set(digest, data);
    }
    return data;
  }

  /** Keeps the verified archive of `digest` (one larger than the whole cache is not kept). */
  set(digest: string, data: Buffer): void {
    if (data.length > this.#maxBytes) return;
    const old = this.#entries.get(digest);
    if (old !== undefined) {
      this.#entries.delete(digest);
      this.#bytes -= old.length;
    }
    this.#entries.set(digest, data);
    this.#bytes += data.length;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.length;
    }
  }

  /** How many archives are kept. */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Downloads the chart .tgz of an artifact, verifies its digest and loads it. Failures are ArtifactFailed
 * (`Could not load chart: …`), the URL without credentials.
 */
export async function fetchChart(artifact: Artifact, opts: FetchChartOptions): Promise<Chart> {
  try {
    const cached = artifact.digest ? opts.cache?.get(artifact.digest) : undefined;
    if (cached !== undefined) return loadArchive(cached);
    const url = new URL(artifact.url);
    if (opts.hostOverride) url.host = opts.hostOverride;
    const data = await download(url, opts);
    if (artifact.digest) {
      const want = parseDigest(artifact.digest);
      const d = createDigester(want.algorithm);
      d.update(data);
      const got = d.digest();
      if (got !== `${want.algorithm}:${want.hex}`)
        throw new Error(`failed to verify artifact: computed digest doesn't match '${artifact.digest}'`);
    }
    const chart = loadArchive(data);
    if (artifact.digest) opts.cache?.set(artifact.digest, data);
    return chart;
  } catch (err) {
    throw new GenericError(`Could not load chart: ${errMessage(err)}`, HelmReleaseReasons.ArtifactFailed, {
      cause: err,
    });
  }
}

async function download(url: URL, opts: FetchChartOptions): Promise<Buffer> {
  const retries = opts.retries ?? 9;
  let wait = opts.retryWaitMs ?? 1000;
  const max = opts.maxSize ?? 100 * 1024 * 1024;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { signal: opts.signal });
    } catch (err) {
      if (attempt >= retries || opts.signal.aborted)
        throw new Error(`failed to download artifact from ${redactUrl(url.toString())}: ${errMessage(err)}`, {
          cause: err,
        });
      await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
      continue;
    }
    if (res.ok) {
      const buf = Buffer.from(await res.arrayBuffer());
      if (buf.length > max) throw new Error(`artifact is ${buf.length} bytes, over the ${max} bytes limit`);
      return buf;
    }
    await res.body?.cancel();
    if (res.status === 404 || res.status < 500 || attempt >= retries)
      throw new Error(`failed to download artifact from ${redactUrl(url.toString())}: status code ${res.status}`);
    await new Promise((r) => setTimeout(r, wait));
    wait *= 2;
  }
}
