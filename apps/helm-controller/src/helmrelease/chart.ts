/**
 * The chart of a HelmRelease (helm-controller `reconcileChartTemplate`, `getSource` and `loader.SecureLoadChartFromURL`):
 * a `spec.chart` template becomes the HelmChart `<hrNamespace>-<hrName>` in the source's namespace (created, updated
 * when its spec or labels differ, deleted when the release moves to another HelmChart or is deleted); `spec.chartRef`
 * names a HelmChart directly. The HelmChart must be Ready at its generation with an artifact, else the release waits
 * (HelmChartNotReady). The artifact, a chart .tgz, is downloaded and its digest verified before `loadArchive`.
 *
 * Written by hand: @flux-ts/artifact's `fetchArtifact` extracts tarballs into a directory, while a chart artifact is
 * loaded from its .tgz bytes as Helm's `loader.LoadArchive` does (a plain GET with the digest check is all it needs).
 */
import { HelmOwnerLabels, HelmReleaseReasons, SourceGroupVersion } from '@flux-ts/api';
import type { Artifact, HelmRelease } from '@flux-ts/api';
import { createDigester, parseDigest, redactUrl } from '@flux-ts/artifact';
import { loadArchive } from '@flux-ts/helm';
import type { Chart } from '@flux-ts/helm';
import { GenericError, StallingError, WaitingError, conditions, errMessage, isNotFound } from '@flux-ts/runtime';
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
 * `status.helmChart` when it is another, and records `status.helmChart`.
 */
export async function reconcileChartTemplate(client: KubeClient, hr: HelmRelease, signal: AbortSignal): Promise<void> {
  const want = helmChartFromTemplate(hr);
  const ns = want.metadata.namespace ?? '';
  const id = `${ns}/${want.metadata.name}`;
  const previous = hr.status?.helmChart;
  if (previous && previous !== id) await deleteHelmChart(client, previous, signal);
  let live: HelmChartObject | undefined;
  try {
    live = await client.get<HelmChartObject>(HelmChartGVK, { namespace: ns, name: want.metadata.name }, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (live === undefined) {
    await client.create(want, { signal });
  } else {
    const labels = { ...(live.metadata.labels ?? {}), ...want.metadata.labels };
    const annotations = { ...(live.metadata.annotations ?? {}), ...(want.metadata.annotations ?? {}) };
    const changed =
      !sameJson(live.spec, want.spec) ||
      !sameJson(labels, live.metadata.labels ?? {}) ||
      !sameJson(annotations, live.metadata.annotations ?? {});
    if (changed)
      await client.update(
        { ...live, metadata: { ...live.metadata, labels, annotations }, spec: want.spec },
        { signal },
      );
  }
  hr.status ??= {};
  hr.status.helmChart = id;
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

/**
 * The HelmChart of the release, Ready at its generation with an artifact: an unready one is a {@link WaitingError}
 * (HelmChartNotReady) requeued after `requeueAfter`, a missing one an ArtifactFailed error retried with backoff.
 */
export async function getReadyHelmChart(
  reader: ObjectReader,
  hr: HelmRelease,
  requeueAfter: number,
  signal: AbortSignal,
): Promise<HelmChartObject & { status: { artifact: Artifact } }> {
  if (hr.spec.chartRef && hr.spec.chartRef.kind !== 'HelmChart')
    throw new StallingError(
      `chartRef kind '${hr.spec.chartRef.kind}' is not supported by this build, only HelmChart`,
      HelmReleaseReasons.ArtifactFailed,
    );
  const { namespace, name } = helmChartRef(hr);
  let hc: HelmChartObject;
  try {
    hc = await reader.get<HelmChartObject>(HelmChartGVK, { namespace, name }, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    // retried with backoff, as Flux returns the error (the cache may not have seen a HelmChart just created)
    throw new GenericError(
      `could not get HelmChart object: helmcharts.source.toolkit.fluxcd.io "${name}" not found`,
      HelmReleaseReasons.ArtifactFailed,
      { cause: err },
    );
  }
  const ready =
    (hc.metadata.generation ?? 0) === (hc.status?.observedGeneration ?? -1) && conditions.isReady(hc as never);
  const artifact = hc.status?.artifact;
  if (!ready || artifact === undefined)
    throw new WaitingError(
      `HelmChart '${namespace}/${name}' is not ready`,
      HelmReleaseReasons.HelmChartNotReady,
      requeueAfter,
    );
  return hc as HelmChartObject & { status: { artifact: Artifact } };
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
  signal: AbortSignal;
}

/**
 * Downloads the chart .tgz of an artifact, verifies its digest and loads it. Failures are ArtifactFailed
 * (`Could not load chart: …`), the URL without credentials.
 */
export async function fetchChart(artifact: Artifact, opts: FetchChartOptions): Promise<Chart> {
  try {
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
    return loadArchive(data);
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
