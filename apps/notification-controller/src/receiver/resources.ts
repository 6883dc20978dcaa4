/**
 * What a validated webhook does (upstream `requestReconciliation`, `notifyDynamicResources`, `annotate`): every
 * `spec.resources[]` entry, by name or `*` with `matchLabels` (read through the informer cache), that passes the CEL
 * filters gets `reconcile.fluxcd.io/requestedAt=<now>` by a merge patch.
 */
import { ReconcileRequestAnnotation } from '@flux-ts/api';
import type { ReceiverSpec } from '@flux-ts/api';
import { errMessage } from '@flux-ts/runtime';
import type { GroupVersionKind, KubeObject, Logger, ObjectKey, PatchOptions } from '@flux-ts/runtime';

/** One `spec.resources[]` entry. */
export type ReceiverResource = ReceiverSpec['resources'][number] & { filter?: string };

/** Reads the objects to annotate (the informer cache). */
export interface ResourceReader {
  get<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    opts?: { signal?: AbortSignal },
  ): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    opts?: { namespace?: string; labelSelector?: string; signal?: AbortSignal },
  ): Promise<T[]>;
}

/** Patches them (the Kubernetes client). */
export interface ResourcePatcher {
  patch(gvk: GroupVersionKind, key: ObjectKey, patch: unknown, opts: PatchOptions): Promise<unknown>;
}

/** Decides whether a matched object is annotated (the CEL filters); throws when an expression fails. */
export type ResourcePredicate = (res: KubeObject, resource: ReceiverResource) => boolean;

/** The API versions of the kinds a resource may name without `apiVersion` (upstream `defaultFluxAPIVersions`). */
export const DefaultFluxAPIVersions: Readonly<Record<string, string>> = Object.freeze({
  Bucket: 'source.toolkit.fluxcd.io/v1',
  HelmChart: 'source.toolkit.fluxcd.io/v1',
  HelmRepository: 'source.toolkit.fluxcd.io/v1',
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  OCIRepository: 'source.toolkit.fluxcd.io/v1',
  ImageRepository: 'image.toolkit.fluxcd.io/v1',
  ArtifactGenerator: 'source.extensions.fluxcd.io/v1beta1',
});

/** What {@link requestReconciliation} needs. */
export interface RequestReconciliationDeps {
  reader: ResourceReader;
  patcher: ResourcePatcher;
  log: Logger;
  /** `--no-cross-namespace-refs`. */
  noCrossNamespaceRefs: boolean;
  /** The value of the annotation. */
  now: () => Date;
  signal?: AbortSignal | undefined;
}

/** Go's `time.Time.String()` of a UTC instant (what `metav1.Now().String()` writes, minus the monotonic reading). */
export function goTimeString(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${p(ms, 3).replace(/0+$/, '')}`;
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} +0000 UTC`
  );
}

function selectorOf(matchLabels: Readonly<Record<string, string>>): string {
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function goMap(m: Readonly<Record<string, string>>): string {
  return `map[${Object.entries(m)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}`)
    .join(' ')}]`;
}

/** The object as the filters see it: `metav1.PartialObjectMetadata` (apiVersion, kind, metadata). */
function partialMetadata(obj: KubeObject, gvk: GroupVersionKind): KubeObject {
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, metadata: obj.metadata };
}

async function notifyResource(
  deps: RequestReconciliationDeps,
  obj: KubeObject,
  gvk: GroupVersionKind,
  resource: ReceiverResource,
  predicate: ResourcePredicate,
): Promise<void> {
  const res = partialMetadata(obj, gvk);
  const name = obj.metadata.name;
  const namespace = obj.metadata.namespace ?? '';
  const label = `'${gvk.kind}/${name}.${namespace}'`;
  if (!predicate(res, resource)) {
    deps.log.debug(`resource ${label} NOT annotated because CEL expression returned false`);
    return;
  }
  try {
    await deps.patcher.patch(
      gvk,
      { namespace, name },
      { metadata: { annotations: { [ReconcileRequestAnnotation]: goTimeString(deps.now()) } } },
      { type: 'merge', ...(deps.signal ? { signal: deps.signal } : {}) },
    );
  } catch (err) {
    throw new Error(
      `failed to annotate resource: ${label}: unable to annotate ${gvk.kind} "${namespace}/${name}" error: ${errMessage(err)}`,
      { cause: err },
    );
  }
  deps.log.info(`resource ${label} annotated`);
}

/** Requests the reconciliation of every object `resource` names (upstream `requestReconciliation`). */
export async function requestReconciliation(
  deps: RequestReconciliationDeps,
  resource: ReceiverResource,
  defaultNamespace: string,
  predicate: ResourcePredicate,
): Promise<void> {
  let namespace = defaultNamespace;
  if (resource.namespace) {
    if (deps.noCrossNamespaceRefs && resource.namespace !== defaultNamespace)
      throw new Error('cross-namespace references are not allowed');
    namespace = resource.namespace;
  }
  let apiVersion = resource.apiVersion ?? '';
  if (apiVersion === '') {
    const def = Object.hasOwn(DefaultFluxAPIVersions, resource.kind)
      ? DefaultFluxAPIVersions[resource.kind]
      : undefined;
    if (def === undefined) throw new Error(`apiVersion must be specified for kind ${JSON.stringify(resource.kind)}`);
    apiVersion = def;
  }
  const gvk = { apiVersion, kind: resource.kind };
  const opts = deps.signal ? { signal: deps.signal } : {};
  if (resource.name === '*') {
    const matchLabels = resource.matchLabels;
    if (matchLabels === undefined) throw new Error("matchLabels field not set when using wildcard '*' as name");
    deps.log.debug(
      { matchLabels },
      `annotate resources by matchLabel for kind ${JSON.stringify(resource.kind)} in ${JSON.stringify(namespace)}`,
    );
    let items: KubeObject[];
    try {
      items = await deps.reader.list(gvk, { namespace, labelSelector: selectorOf(matchLabels), ...opts });
    } catch (err) {
      throw new Error(
        `failed listing resources in namespace ${JSON.stringify(namespace)} by matching labels ${JSON.stringify(goMap(matchLabels))}: ${errMessage(err)}`,
        { cause: err },
      );
    }
    if (items.length === 0) {
      deps.log.error(
        {
          err: `no ${JSON.stringify(resource.kind)} resources found with matching labels ${JSON.stringify(goMap(matchLabels))}' in ${JSON.stringify(namespace)} namespace`,
        },
        'error annotating resources',
      );
      return;
    }
    for (const item of items) await notifyResource(deps, item, gvk, resource, predicate);
    return;
  }
  let obj: KubeObject;
  try {
    obj = await deps.reader.get(gvk, { namespace, name: resource.name }, opts);
  } catch (err) {
    throw new Error(
      `unable to read ${resource.kind} ${JSON.stringify(`${namespace}/${resource.name}`)} error: ${errMessage(err)}`,
      { cause: err },
    );
  }
  await notifyResource(deps, obj, gvk, resource, predicate);
}
