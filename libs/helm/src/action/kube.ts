// The cluster side of Helm's actions (helm 3.18.0 pkg/kube's Interface, trimmed to what the actions use), injected
// so libs/helm does not depend on a Kubernetes client: building objects from a release manifest (kube.Build: YAML
// documents, `List` kinds flattened, the release namespace set on namespaced kinds), Helm's ownership metadata
// (setMetadataVisitor) and the adoption check (existingResourceConflict / checkOwnership).
import { parse as parseYaml } from 'yaml';
import { splitManifestList } from '../releaseutil/manifest.ts';

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** The identity of an object: group/version, kind, namespace ('' for cluster-scoped) and name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** metav1.DeletionPropagation. */
export type DeletionPropagation = 'Background' | 'Foreground' | 'Orphan';

/** Options of {@link HelmKubeClient.list}. */
export interface ListOptions {
  namespace?: string;
  /** Equality label selector. */
  labels?: Record<string, string>;
}

/**
 * The Kubernetes operations Helm's actions need. Errors from the API are thrown as they come (an
 * {@link isAlreadyExists} error for a create of an existing object); every call takes the action's signal.
 */
export interface HelmKubeClient {
  /** The field manager of the client's writes (helm's `kube.ManagedFieldsManager`), when it sets one. */
  readonly fieldManager?: string;
  /** The REST mapping's scope: true for namespaced kinds; throws for a kind the cluster does not serve. */
  isNamespaced(apiVersion: string, kind: string, signal?: AbortSignal): Promise<boolean>;
  /** The live object, undefined when it does not exist. */
  get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined>;
  create(obj: KubeObject, signal?: AbortSignal): Promise<KubeObject>;
  /** PUT of the whole object (Helm's `--force` and CreateReplace); the client sets resourceVersion when missing. */
  replace(obj: KubeObject, signal?: AbortSignal): Promise<KubeObject>;
  /** PATCH with a JSON merge patch (RFC 7386). */
  patch(ref: ObjectRef, patch: Record<string, unknown>, signal?: AbortSignal): Promise<KubeObject>;
  /**
   * Server-side apply of the whole object (PATCH `application/apply-patch+yaml`) under the client's field manager
   * (helm's `kube.ManagedFieldsManager`), `force` resolving conflicts in its favour; creates the object when absent.
   */
  apply(obj: KubeObject, opts: { force: boolean }, signal?: AbortSignal): Promise<KubeObject>;
  /** DELETE with a propagation policy; false when the object did not exist. */
  delete(ref: ObjectRef, propagation: DeletionPropagation, signal?: AbortSignal): Promise<boolean>;
  list(apiVersion: string, kind: string, opts: ListOptions, signal?: AbortSignal): Promise<KubeObject[]>;
}

/** Options of a {@link Waiter} call. */
export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Helm's kube.Waiter: `wait` until the objects are ready (kstatus Current), `waitWithJobs` also until Jobs complete,
 * `waitForDelete` until they are gone, `watchUntilReady` for hooks (Jobs until complete, Pods until succeeded, any
 * other kind at once). Each rejects with the reason when the timeout passes or an object fails.
 */
export interface Waiter {
  wait(objects: readonly KubeObject[], opts: WaitOptions): Promise<void>;
  waitWithJobs(objects: readonly KubeObject[], opts: WaitOptions): Promise<void>;
  waitForDelete(objects: readonly KubeObject[], opts: WaitOptions): Promise<void>;
  watchUntilReady(objects: readonly KubeObject[], opts: WaitOptions): Promise<void>;
}

/** True when the error is the API's 409 AlreadyExists. */
export function isAlreadyExists(e: unknown): boolean {
  const x = e as { code?: unknown; reason?: unknown; message?: unknown } | null;
  if (x?.reason === 'AlreadyExists') return true;
  return x?.code === 409 && typeof x.message === 'string' && x.message.includes('already exists');
}

/** The reference of an object. */
export function refOf(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name };
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Helm's objectKey / isMatchingInfo: group, kind, namespace and name (the version does not count). */
export function objectKey(o: KubeObject | ObjectRef): string {
  const r = 'metadata' in o ? refOf(o) : o;
  return `${groupOf(r.apiVersion)}/${r.kind}/${r.namespace}/${r.name}`;
}

/** Helm's resourceString: `Kind "name" in namespace "ns"`. */
export function resourceString(o: KubeObject): string {
  return `${o.kind} ${JSON.stringify(o.metadata.name)} in namespace ${JSON.stringify(o.metadata.namespace ?? '')}`;
}

function flatten(v: unknown, out: KubeObject[]): void {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) return;
  const o = v as KubeObject;
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o['items'])) {
    for (const i of o['items'] as unknown[]) flatten(i, out);
    return;
  }
  if (typeof o.metadata !== 'object' || o.metadata === null) o.metadata = { name: '' };
  out.push(o);
}

/**
 * kube.Build: the objects of a manifest (documents split as releaseutil does), with the namespace set on namespaced
 * kinds that have none. Throws `error validating data` style errors for documents without apiVersion or kind.
 */
export async function buildObjects(
  client: HelmKubeClient,
  manifest: string,
  namespace: string,
  signal?: AbortSignal,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const doc of splitManifestList(manifest)) flatten(parseYaml(doc, { version: '1.1' }), out);
  for (const o of out) {
    if (!o.apiVersion) throw new Error(`error validating data: apiVersion not set (object ${o.metadata.name})`);
    if (!o.kind) throw new Error(`error validating data: kind not set (object ${o.metadata.name})`);
    let namespaced: boolean;
    try {
      namespaced = await client.isNamespaced(o.apiVersion, o.kind, signal);
    } catch (e) {
      throw new Error(
        `resource mapping not found for name: ${JSON.stringify(o.metadata.name)} namespace: ${JSON.stringify(
          o.metadata.namespace ?? '',
        )} from "": no matches for kind ${JSON.stringify(o.kind)} in version ${JSON.stringify(o.apiVersion)}`,
        { cause: e },
      );
    }
    if (namespaced) {
      if (!o.metadata.namespace) o.metadata.namespace = namespace;
    } else delete o.metadata.namespace;
  }
  return out;
}

/** The label and annotations by which Helm marks what a release owns. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Helm's value of {@link MANAGED_BY_LABEL}. */
export const MANAGED_BY_HELM = 'Helm';
/** The release name annotation on owned objects. */
export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
/** The release namespace annotation on owned objects. */
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';
/** kube.ResourcePolicyAnno and its `keep` value. */
export const RESOURCE_POLICY_ANNOTATION = 'helm.sh/resource-policy';

/** setMetadataVisitor(force): the managed-by label and the release annotations, set on each object. */
export function setOwnership(objects: readonly KubeObject[], releaseName: string, releaseNamespace: string): void {
  for (const o of objects) {
    o.metadata.labels = { ...(o.metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_HELM };
    o.metadata.annotations = {
      ...(o.metadata.annotations ?? {}),
      [RELEASE_NAME_ANNOTATION]: releaseName,
      [RELEASE_NAMESPACE_ANNOTATION]: releaseNamespace,
    };
  }
}

function requireValue(meta: Record<string, string> | undefined, k: string, v: string): string | undefined {
  const actual = meta?.[k];
  if (actual === undefined) return `missing key ${JSON.stringify(k)}: must be set to ${JSON.stringify(v)}`;
  if (actual !== v)
    return `key ${JSON.stringify(k)} must equal ${JSON.stringify(v)}: current value is ${JSON.stringify(actual)}`;
  return undefined;
}

/** checkOwnership: undefined when the live object belongs to the release, else Helm's message. */
export function ownershipError(live: KubeObject, releaseName: string, releaseNamespace: string): string | undefined {
  const errs: string[] = [];
  const l = requireValue(live.metadata.labels, MANAGED_BY_LABEL, MANAGED_BY_HELM);
  if (l !== undefined) errs.push(`label validation error: ${l}`);
  const n = requireValue(live.metadata.annotations, RELEASE_NAME_ANNOTATION, releaseName);
  if (n !== undefined) errs.push(`annotation validation error: ${n}`);
  const s = requireValue(live.metadata.annotations, RELEASE_NAMESPACE_ANNOTATION, releaseNamespace);
  if (s !== undefined) errs.push(`annotation validation error: ${s}`);
  return errs.length === 0 ? undefined : ['invalid ownership metadata', ...errs].join('; ');
}

/**
 * existingResourceConflict: the objects that already exist and belong to the release (to be adopted); throws
 * `<Kind "x" in namespace "ns"> exists and cannot be imported into the current release: …` for one that does not.
 */
export async function existingResourceConflict(
  client: HelmKubeClient,
  objects: readonly KubeObject[],
  releaseName: string,
  releaseNamespace: string,
  signal?: AbortSignal,
): Promise<KubeObject[]> {
  const adopt: KubeObject[] = [];
  for (const o of objects) {
    let live: KubeObject | undefined;
    try {
      live = await client.get(refOf(o), signal);
    } catch (e) {
      throw new Error(`could not get information about the resource ${resourceString(o)}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (live === undefined) continue;
    const err = ownershipError(live, releaseName, releaseNamespace);
    if (err !== undefined)
      throw new Error(`${resourceString(o)} exists and cannot be imported into the current release: ${err}`);
    adopt.push(o);
  }
  return adopt;
}
