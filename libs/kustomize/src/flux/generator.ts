/** Flux's kustomization.yaml generation and spec merging (fluxcd/pkg kustomize generator), as pure functions. */
import type { Selector } from '../patches/index.ts';
import type { KObject } from '../resource.ts';

/** File names kustomize recognises as a kustomization. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** One file of the listing: a slash-separated path relative to the directory, and its parsed YAML documents. */
export interface ListedFile {
  path: string;
  /** Parsed documents (undefined for files that are not YAML or were not read). */
  docs?: readonly unknown[];
}

/** The directory listing {@link generateKustomizationFiles} works on. */
export interface DirectoryListing {
  /** Every file below the directory (recursively), kustomization files included. */
  files: readonly ListedFile[];
}

/** The kustomization Flux writes (a type alias, not an interface, so that it is a {@link KObject}). */
export type GeneratedKustomization = {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources?: string[];
  namespace?: string;
};

const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const dirOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Compares paths the way filepath.Walk visits them: segment by segment, bytewise. */
const walkOrder = (a: string, b: string): number => {
  const sa = a.split('/');
  const sb = b.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] as string;
    const y = sb[i] as string;
    if (x !== y) return Buffer.compare(Buffer.from(x), Buffer.from(y));
  }
  return sa.length - sb.length;
};

/**
 * The `kustomization.yaml` Flux generates for a directory without one, or null when the directory already has
 * a kustomization file. Collects `*.yaml`/`*.yml` files in walk order (each document must be a Kubernetes object)
 * and sub-directories holding a kustomization file (added as a directory, not descended into).
 */
export const generateKustomizationFiles = (listing: DirectoryListing): GeneratedKustomization | null => {
  const paths = listing.files.map((f) => f.path.replace(/^\.\//, ''));
  if (paths.some((p) => !p.includes('/') && (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(p))) return null;
  const kustomizationDirs = new Set(
    paths
      .filter((p) => p.includes('/') && (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(baseOf(p)))
      .map(dirOf),
  );
  // a kustomization dir inside another one is not visited
  const topDirs = [...kustomizationDirs].filter(
    (d) => ![...kustomizationDirs].some((o) => o !== d && d.startsWith(`${o}/`)),
  );
  const underKustomization = (p: string): boolean => topDirs.some((d) => p.startsWith(`${d}/`));
  const entries: string[] = [...topDirs];
  for (const file of listing.files) {
    const p = file.path.replace(/^\.\//, '');
    if (underKustomization(p) || !/\.ya?ml$/.test(p) || !/\.(yaml|yml)$/.test(baseOf(p))) continue;
    for (const doc of file.docs ?? []) {
      if (doc === null || doc === undefined) continue;
      if (!isObject(doc) || typeof doc['kind'] !== 'string' || doc['kind'] === '')
        throw new Error(`failed to decode Kubernetes YAML from ${p}: missing Resource metadata`);
    }
    entries.push(p);
  }
  entries.sort(walkOrder);
  const kus: GeneratedKustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
  if (entries.length > 0) kus.resources = entries.map((e) => `./${e}`);
  else kus.namespace = '_placeholder';
  return kus;
};

/** A Flux Kustomization image override. */
export interface FluxImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The Flux Kustomization spec fields merged into the kustomization. */
export interface FluxKustomizeSpec {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: readonly { patch: string; target?: Selector }[];
  images?: readonly FluxImage[];
  components?: readonly string[];
  ignoreMissingComponents?: boolean;
  /** Not merged into the kustomization: Flux sets it on every built object, see {@link applyCommonMetadata}. */
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Options of {@link mergeFluxSpec}. */
export interface MergeFluxSpecOptions {
  /** Whether a component path (relative to the kustomization dir) exists; needed for `ignoreMissingComponents`. */
  componentExists?: (path: string) => boolean;
}

const compact = (o: { [key: string]: string | undefined }): KObject => {
  const out: KObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return out;
};

const isLocal = (p: string): boolean => p !== '' && !p.startsWith('/') && !p.split('/').includes('..');

/**
 * Merges a Flux Kustomization's spec into a kustomization object (which is not mutated): `targetNamespace`
 * replaces `namespace`, `namePrefix`/`nameSuffix` replace theirs, `patches` and `components` are appended,
 * `images` replace an entry of the same name or are appended.
 */
export const mergeFluxSpec = (
  kustomization: KObject,
  spec: FluxKustomizeSpec,
  options: MergeFluxSpecOptions = {},
): KObject => {
  const kus: KObject = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...structuredClone(kustomization),
  };
  if (spec.targetNamespace) kus['namespace'] = spec.targetNamespace;
  if (spec.namePrefix) kus['namePrefix'] = spec.namePrefix;
  if (spec.nameSuffix) kus['nameSuffix'] = spec.nameSuffix;
  if (spec.patches && spec.patches.length > 0) {
    const patches = Array.isArray(kus['patches']) ? [...kus['patches']] : [];
    for (const p of spec.patches)
      patches.push(p.target ? { patch: p.patch, target: compact({ ...p.target }) } : { patch: p.patch });
    kus['patches'] = patches;
  }
  if (spec.components && spec.components.length > 0) {
    const components = Array.isArray(kus['components']) ? [...kus['components']] : [];
    for (const c of spec.components) {
      if (!isLocal(c)) throw new Error(`component path '${c}' must be local`);
      if (spec.ignoreMissingComponents && options.componentExists && !options.componentExists(c)) continue;
      components.push(c);
    }
    kus['components'] = components;
  }
  if (spec.images && spec.images.length > 0) {
    const images = Array.isArray(kus['images']) ? [...kus['images']] : [];
    for (const image of spec.images) {
      const entry = compact({ name: image.name, newName: image.newName, newTag: image.newTag, digest: image.digest });
      const idx = images.findIndex((i) => isObject(i) && i['name'] === image.name);
      if (idx >= 0) images[idx] = entry;
      else images.push(entry);
    }
    kus['images'] = images;
  }
  return kus;
};

/** Flux's `commonMetadata`: labels and annotations set on every object after the build (selectors untouched). */
export const applyCommonMetadata = (
  resources: readonly KObject[],
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
): KObject[] =>
  resources.map((r) => {
    const meta: KObject = isObject(r['metadata']) ? { ...r['metadata'] } : {};
    if (metadata.labels && Object.keys(metadata.labels).length > 0)
      meta['labels'] = { ...(isObject(meta['labels']) ? meta['labels'] : {}), ...metadata.labels };
    if (metadata.annotations && Object.keys(metadata.annotations).length > 0)
      meta['annotations'] = { ...(isObject(meta['annotations']) ? meta['annotations'] : {}), ...metadata.annotations };
    return { ...r, metadata: meta };
  });
