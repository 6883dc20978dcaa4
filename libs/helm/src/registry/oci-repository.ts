// Helm charts in OCI registries (Flux's OCIChartRepository, Helm's registry client Tags/Pull/Push) on @flux-ts/oci.
import { parseReference, RegistryError, OCI_MANIFEST_MEDIA_TYPE } from '@flux-ts/oci';
import type { OciDescriptor, OciManifest, Reference, RegistryClient } from '@flux-ts/oci';
import {
  compareVersions,
  newConstraint,
  newVersion,
  strictNewVersion,
  versionString,
  checkConstraint,
} from '@flux-ts/semver';
import type { Version } from '@flux-ts/semver';
import { loadArchive } from '../chart/loader.ts';
import { metadataJson } from '../chart/metadata.ts';
import type { Metadata } from '../chart/metadata.ts';

/** The media type of a Helm chart's config blob (Chart.yaml metadata as JSON). */
export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
/** The media type of a Helm chart's content layer (the .tgz). */
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
/** The media type of a Helm chart's provenance layer. */
export const HELM_PROVENANCE_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';
/** The chart layer media type of charts pushed by Helm before 3.7 (still pulled, as Helm does). */
export const HELM_LEGACY_CHART_LAYER_MEDIA_TYPE = 'application/tar+gzip';

/** The `oci://` scheme prefix. */
export const OCI_SCHEME = 'oci://';

/** A chart version found in an OCI repository (the fields of repo.ChartVersion Flux fills for OCI). */
export interface OciChartVersion {
  name: string;
  version: string;
  /** `oci://host/path/name:version` (with `+`; the tag in the registry has `_`). */
  urls: string[];
  digest?: string;
}

/** Helm's tag convention: `+` is not allowed in OCI tags and is stored as `_`. */
export function versionToTag(version: string): string {
  return version.replaceAll('+', '_');
}

/** fluxcd/pkg/version.ParseVersion: StrictNewVersion, allowing a leading `v`. */
function fluxParseVersion(s: string): Version | undefined {
  try {
    strictNewVersion(s.startsWith('v') ? s.slice(1) : s);
    return newVersion(s);
  } catch {
    return undefined;
  }
}

/**
 * Helm's registry Client.Tags filter: the tags that are strict semver after `_` → `+`, newest first, in their
 * normalised form (Version.String).
 */
export function helmChartTags(tags: readonly string[]): string[] {
  const versions: Version[] = [];
  for (const t of tags) {
    try {
      versions.push(strictNewVersion(t.replaceAll('_', '+')));
    } catch {
      // not a chart version tag
    }
  }
  versions.sort((a, b) => compareVersions(b, a));
  return versions.map(versionString);
}

/**
 * Flux's getLastMatchingVersionOrConstraint: an exact string match first; else the highest version satisfying the
 * constraint (`*`, stable only, when empty); throws Masterminds' constraint error or
 * `could not locate a version matching provided version string <ver>`.
 */
export function lastMatchingVersionOrConstraint(tags: readonly string[], ver: string): string {
  if (ver !== '' && tags.includes(ver)) return ver;
  const constraint = newConstraint(ver === '' || ver === '*' ? '*' : ver);
  const matching: Version[] = [];
  for (const t of tags) {
    const v = fluxParseVersion(t);
    if (v && checkConstraint(constraint, v)) matching.push(v);
  }
  const best = matching.sort((a, b) => compareVersions(b, a))[0];
  if (!best) throw new Error(`could not locate a version matching provided version string ${ver}`);
  return best.original;
}

function stripScheme(url: string): string {
  return url.startsWith(OCI_SCHEME) ? url.slice(OCI_SCHEME.length) : url;
}

/** Splits `host/path[:tag]` (after `oci://`) into a reference, turning a tag's `+` into `_` as Helm does. */
function chartReference(url: string): Reference {
  let s = stripScheme(url);
  const colon = s.lastIndexOf(':');
  if (colon >= 0 && !s.slice(colon).includes('/')) s = s.slice(0, colon) + ':' + versionToTag(s.slice(colon + 1));
  return parseReference(s);
}

/** A HelmRepository of type oci (Flux's OCIChartRepository): url `oci://host/path`. */
export class OciChartRepository {
  readonly url: string;
  readonly client: RegistryClient;

  constructor(opts: { url: string; client: RegistryClient }) {
    if (!opts.url.startsWith(OCI_SCHEME))
      throw new Error(`invalid OCI registry URL '${opts.url}': must start with oci://`);
    this.url = opts.url.replace(/\/+$/, '');
    this.client = opts.client;
  }

  /**
   * The chart version for `name` and a version or constraint, as Flux resolves it: a valid version is used as is
   * (no tag listing); otherwise the chart tags (Helm's filter: strict semver after `_` → `+`) are matched exactly,
   * then against the constraint, highest first. Errors carry Flux's messages (`could not get tags for "<name>": …`,
   * `could not locate a version matching provided version string <c>`).
   */
  async getChartVersion(name: string, constraint: string, signal: AbortSignal): Promise<OciChartVersion> {
    const chartUrl = `${this.url}/${name}`;
    if (fluxParseVersion(constraint)) return { name, version: constraint, urls: [`${chartUrl}:${constraint}`] };
    let tags: string[];
    try {
      const ref = parseReference(stripScheme(chartUrl));
      const raw = await this.client.listTags(ref.registry, ref.repository, signal);
      tags = helmChartTags(raw);
    } catch (err) {
      if (signal.aborted) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`could not get tags for "${name}": could not fetch tags for "${chartUrl}": ${msg}`, {
        cause: err,
      });
    }
    if (tags.length === 0)
      throw new Error(
        `could not get tags for "${name}": unable to locate any tags in provided repository: ${chartUrl}`,
      );
    const version = lastMatchingVersionOrConstraint(tags, constraint);
    return { name, version, urls: [`${chartUrl}:${version}`] };
  }

  /**
   * Pulls a chart as Helm's registry client does: the manifest must be an image manifest with the Helm config
   * media type and a chart layer; the layer (at most `maxSize` bytes, digest checked) is the .tgz returned.
   */
  async downloadChart(
    cv: { name: string; version: string; urls: string[] },
    opts: { signal: AbortSignal; maxSize: number },
  ): Promise<Uint8Array> {
    const first = cv.urls[0];
    if (first === undefined) throw new Error(`chart '${cv.name}' has no downloadable URLs`);
    try {
      return await pullChart(this.client, first, opts);
    } catch (err) {
      if (opts.signal.aborted) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`failed to get '${first}': ${msg}`, { cause: err });
    }
  }
}

/** Helm's registry Client.Pull (chart only): returns the chart layer's bytes. */
async function pullChart(
  client: RegistryClient,
  url: string,
  opts: { signal: AbortSignal; maxSize: number },
): Promise<Uint8Array> {
  const ref = chartReference(url);
  const { manifest } = await client.getManifest(ref, opts.signal);
  const layers = manifest.layers ?? [];
  const descriptors = (manifest.config ? 1 : 0) + layers.length;
  if (manifest.mediaType !== undefined && manifest.mediaType !== OCI_MANIFEST_MEDIA_TYPE)
    throw new Error(`unexpected manifest media type ${manifest.mediaType}: a Helm chart is an OCI image manifest`);
  if (descriptors < 2)
    throw new Error(`manifest does not contain minimum number of descriptors (2), descriptors found: ${descriptors}`);
  if (manifest.config?.mediaType !== HELM_CONFIG_MEDIA_TYPE)
    throw new Error(`could not load config with mediatype ${HELM_CONFIG_MEDIA_TYPE}`);
  const chart: OciDescriptor | undefined =
    layers.find((l) => l.mediaType === HELM_CHART_LAYER_MEDIA_TYPE) ??
    layers.find((l) => l.mediaType === HELM_LEGACY_CHART_LAYER_MEDIA_TYPE);
  if (!chart) throw new Error(`manifest does not contain a layer with mediatype ${HELM_CHART_LAYER_MEDIA_TYPE}`);
  if (chart.size > opts.maxSize)
    throw new RegistryError(`chart layer size ${chart.size} exceeds the limit of ${opts.maxSize} bytes`, {
      code: 'SIZE_EXCEEDED',
    });
  return client.fetchBlob(ref.registry, ref.repository, chart.digest, opts);
}

/** Helm's generateOCIAnnotations: chart attributes, then the chart's own annotations (title/version stay). */
export function chartOciAnnotations(meta: Metadata, created: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (k: string, v: string | undefined): void => {
    if (v !== undefined && v.trim() !== '') out[k] = v;
  };
  add('org.opencontainers.image.description', meta.description);
  add('org.opencontainers.image.title', meta.name);
  add('org.opencontainers.image.version', meta.version);
  add('org.opencontainers.image.url', meta.home);
  add('org.opencontainers.image.created', created);
  if (meta.sources && meta.sources.length > 0) add('org.opencontainers.image.source', meta.sources[0]);
  if (meta.maintainers && meta.maintainers.length > 0) {
    const parts = meta.maintainers.map((m) => {
      let s = m?.name ?? '';
      if (m?.email) s += ` (${m.email})`;
      return s;
    });
    add('org.opencontainers.image.authors', parts.join(', '));
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (k === 'org.opencontainers.image.title' || k === 'org.opencontainers.image.version') continue;
    out[k] = v;
  }
  return out;
}

/**
 * `helm push <tgz> oci://host/path`: the config blob is the chart metadata as JSON, the layer the .tgz, the manifest
 * an OCI image manifest with Helm's annotations, tagged with the chart version (`+` → `_`) at `<path>/<chart name>`.
 * Returns `oci://host/path/name:version` and the manifest digest. `created` defaults to now (RFC 3339, seconds).
 */
export async function pushChart(
  client: RegistryClient,
  url: string,
  tgz: Uint8Array,
  signal: AbortSignal,
  opts: { created?: string } = {},
): Promise<{ ref: string; digest: string }> {
  if (!url.startsWith(OCI_SCHEME)) throw new Error(`invalid OCI registry URL '${url}': must start with oci://`);
  const meta = loadArchive(Buffer.from(tgz.buffer, tgz.byteOffset, tgz.byteLength)).metadata;
  const base = stripScheme(url).replace(/\/+$/, '');
  const ref = parseReference(`${base}/${meta.name}:${versionToTag(meta.version)}`);
  const config = new TextEncoder().encode(JSON.stringify(metadataJson(meta)));
  const configDigest = await client.pushBlob(ref.registry, ref.repository, config, signal);
  const layerDigest = await client.pushBlob(ref.registry, ref.repository, tgz, signal);
  const created = opts.created ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // As Helm (oras PackManifest) writes it: no mediaType field, annotation keys sorted (Go map order).
  const annotations = chartOciAnnotations(meta, created);
  const manifest: OciManifest = {
    schemaVersion: 2,
    config: { mediaType: HELM_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: HELM_CHART_LAYER_MEDIA_TYPE, digest: layerDigest, size: tgz.byteLength }],
    annotations: Object.fromEntries(
      Object.keys(annotations)
        .sort()
        .map((k) => [k, annotations[k] ?? '']),
    ),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const digest = await client.pushManifest(ref, bytes, OCI_MANIFEST_MEDIA_TYPE, signal);
  return { ref: `${OCI_SCHEME}${base}/${meta.name}:${meta.version}`, digest };
}
