/**
 * The post-renderers of a HelmRelease (helm-controller `internal/postrender`): each `spec.postRenderers[].kustomize`
 * (patches, strategic merge or JSON 6902 with targets, and images) as a kustomize build of the rendered manifests
 * through libs/kustomize, then `spec.commonMetadata` (labels and annotations on every object), then the origin labels
 * `helm.toolkit.fluxcd.io/{name,namespace}`; combined in that order into one Helm post-renderer. Also the digests
 * of `spec.postRenderers` and `spec.commonMetadata` kept in the status (`postrender.Digest`: sha256 of Go's
 * encoding/json of the value plus a newline).
 */
import { createHash } from 'node:crypto';
import { HelmOwnerLabels } from '@flux-ts/api';
import type { HelmRelease } from '@flux-ts/api';
import type { PostRenderer, PostRenderStrategy } from '@flux-ts/helm';
import { applyCommonMetadata, build, toYaml } from '@flux-ts/kustomize';
import type { KObject, KustomizeFs } from '@flux-ts/kustomize';

type Spec = HelmRelease['spec'];
/** `spec.postRenderers[]`. */
export type PostRendererSpec = NonNullable<Spec['postRenderers']>[number];
type KustomizeSpec = NonNullable<PostRendererSpec['kustomize']>;
/** `spec.commonMetadata`. */
export type CommonMetadata = NonNullable<Spec['commonMetadata']>;

const ROOT = '/helm-postrender';
const INPUT = 'helm-output.yaml';

/** A read-only in-memory file system of a few files under {@link ROOT} (kustomize's `filesys.MakeFsInMemory`). */
function memoryFs(files: Record<string, string>): KustomizeFs {
  const notFound = (p: string): Error =>
    Object.assign(new Error(`ENOENT: no such file or directory, stat '${p}'`), { code: 'ENOENT' });
  const fileAt = (p: string): string | undefined =>
    p.startsWith(`${ROOT}/`) ? files[p.slice(ROOT.length + 1)] : undefined;
  return {
    readFileSync(p) {
      const f = fileAt(p);
      if (f === undefined) throw notFound(p);
      return Buffer.from(f, 'utf8');
    },
    statSync(p) {
      if (p === ROOT || p === `${ROOT}/`) return { isDirectory: () => true, isFile: () => false };
      if (fileAt(p) === undefined) throw notFound(p);
      return { isDirectory: () => false, isFile: () => true };
    },
  };
}

/** Builds a kustomization over the manifests (the only resource) in memory. */
async function kustomizeBuild(manifests: string, kustomization: Record<string, unknown>): Promise<KObject[]> {
  const kus = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...kustomization,
    resources: [INPUT],
  };
  return build(ROOT, {
    fs: memoryFs({ 'kustomization.yaml': JSON.stringify(kus), [INPUT]: manifests }),
    loadRestrictions: 'none',
    remote: false,
  });
}

const isEmpty = (manifests: string): boolean => manifests.replace(/^\s*---\s*$/gm, '').trim() === '';

/** helm-controller's `Kustomize` post-renderer: patches and images over the rendered manifests. */
export async function kustomizePostRender(manifests: string, spec: KustomizeSpec): Promise<string> {
  if (isEmpty(manifests)) return manifests;
  const kustomization: Record<string, unknown> = {};
  const images = (spec.images ?? []).map((i) => ({
    name: i.name,
    ...(i.newName ? { newName: i.newName } : {}),
    ...(i.newTag ? { newTag: i.newTag } : {}),
    ...(i.digest ? { digest: i.digest } : {}),
  }));
  if (images.length > 0) kustomization['images'] = images;
  const patches = (spec.patches ?? []).map((p) => ({ patch: p.patch, ...(p.target ? { target: p.target } : {}) }));
  if (patches.length > 0) kustomization['patches'] = patches;
  return toYaml(await kustomizeBuild(manifests, kustomization));
}

/** Sets labels and annotations on `metadata` of every object (kustomize's label/annotation transformers, no sort). */
export async function metadataPostRender(
  manifests: string,
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
): Promise<string> {
  if (isEmpty(manifests)) return manifests;
  const objects = await kustomizeBuild(manifests, { sortOptions: { order: 'fifo' } });
  return toYaml(applyCommonMetadata(objects, metadata));
}

/** The origin labels of a HelmRelease (`<group>/name`, `<group>/namespace`). */
export function originLabels(hr: Pick<HelmRelease, 'metadata'>): Record<string, string> {
  return { [HelmOwnerLabels.Name]: hr.metadata.name, [HelmOwnerLabels.Namespace]: hr.metadata.namespace ?? '' };
}

/** One step of the combined post-renderer. */
type Step = (manifests: string) => Promise<string>;

/**
 * `BuildPostRenderers`: the kustomize post-renderers in order, then commonMetadata (when set, with labels or
 * annotations), then the origin labels, as one Helm post-renderer.
 */
export function buildPostRenderer(hr: HelmRelease): PostRenderer {
  const steps: Step[] = [];
  for (const r of hr.spec.postRenderers ?? []) {
    const k = r.kustomize;
    if (k) steps.push((m) => kustomizePostRender(m, k));
  }
  const common = hr.spec.commonMetadata;
  if (common && (common.labels !== undefined || common.annotations !== undefined)) {
    const meta = {
      ...(common.labels ? { labels: common.labels } : {}),
      ...(common.annotations ? { annotations: common.annotations } : {}),
    };
    steps.push((m) => metadataPostRender(m, meta));
  }
  const origin = originLabels(hr);
  steps.push((m) => metadataPostRender(m, { labels: origin }));
  return {
    async run(manifests) {
      let out = manifests;
      for (const step of steps) out = await step(out);
      return out;
    },
  };
}

/**
 * `spec.postRenderStrategy`, defaulting to `combined` (helm-controller on Helm 4), or to `nohooks` with the
 * `UseHelm3Defaults` feature gate (`toHelmPostRenderStrategy`).
 */
export function postRenderStrategyOf(hr: HelmRelease, useHelm3Defaults = false): PostRenderStrategy {
  return hr.spec.postRenderStrategy ?? (useHelm3Defaults ? 'nohooks' : 'combined');
}

/** Go's encoding/json escapes: HTML-safe `<`, `>`, `&`, U+2028/9, and `\u0008`/`\u000c` for \b and \f. */
function goJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/\\(\\|b|f)/g, (m, c: string) => (c === 'b' ? '\\u0008' : c === 'f' ? '\\u000c' : m))
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sha256 = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/** A kustomize.Selector in struct order, empty fields omitted. */
function selectorJson(s: NonNullable<KustomizeSpec['patches']>[number]['target']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['group', 'version', 'kind', 'namespace', 'name', 'annotationSelector', 'labelSelector'] as const) {
    const v = s?.[k];
    if (v) out[k] = v;
  }
  return out;
}

/** `postrender.Digest(digest.Canonical, spec.postRenderers)`: `sha256:<hex>` of the v2 structs' JSON. */
export function postRenderersDigest(postRenderers: readonly PostRendererSpec[]): string {
  const value = postRenderers.map((r) => {
    const k = r.kustomize;
    if (!k) return {};
    const kus: Record<string, unknown> = {};
    if (k.patches && k.patches.length > 0)
      kus['patches'] = k.patches.map((p) => ({
        ...(p.patch ? { patch: p.patch } : {}),
        ...(p.target ? { target: selectorJson(p.target) } : {}),
      }));
    if (k.images && k.images.length > 0)
      kus['images'] = k.images.map((i) => ({
        name: i.name,
        ...(i.newName ? { newName: i.newName } : {}),
        ...(i.newTag ? { newTag: i.newTag } : {}),
        ...(i.digest ? { digest: i.digest } : {}),
      }));
    return { kustomize: kus };
  });
  return sha256(`${goJson(value)}\n`);
}

const sortedMap = (m: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The digest of `spec.commonMetadata` as {@link postRenderersDigest} computes it (annotations, then labels). */
export function commonMetadataDigest(common: CommonMetadata): string {
  const value: Record<string, unknown> = {};
  if (common.annotations && Object.keys(common.annotations).length > 0)
    value['annotations'] = sortedMap(common.annotations);
  if (common.labels && Object.keys(common.labels).length > 0) value['labels'] = sortedMap(common.labels);
  return sha256(`${goJson(value)}\n`);
}

/**
 * Why the release is out of sync with `spec.postRenderers` or `spec.commonMetadata`, or undefined: their digests
 * differ from the observed ones while the generation has not been reconciled yet (the observation is updated only at
 * the end of a successful reconcile; helm-controller `DetermineReleaseState`).
 */
export function renderDigestChange(hr: HelmRelease): string | undefined {
  if (hr.status?.observedGeneration === hr.metadata.generation) return undefined;
  const pr = hr.spec.postRenderers ? postRenderersDigest(hr.spec.postRenderers) : '';
  if (pr !== (hr.status?.observedPostRenderersDigest ?? '')) return 'postrenderers digest has changed';
  const cm = hr.spec.commonMetadata ? commonMetadataDigest(hr.spec.commonMetadata) : '';
  if (cm !== (hr.status?.observedCommonMetadataDigest ?? '')) return 'common metadata digest has changed';
  return undefined;
}

/** On a successful reconcile: `status.observedPostRenderersDigest` and `observedCommonMetadataDigest` of the spec. */
export function setObservedRenderDigests(hr: HelmRelease): void {
  const status = (hr.status ??= {});
  delete status.observedPostRenderersDigest;
  delete status.observedCommonMetadataDigest;
  if (hr.spec.postRenderers) status.observedPostRenderersDigest = postRenderersDigest(hr.spec.postRenderers);
  if (hr.spec.commonMetadata) status.observedCommonMetadataDigest = commonMetadataDigest(hr.spec.commonMetadata);
}
