/** Object types and option bags of the typed Kubernetes client. */
import type { Condition, ObjectMeta, OwnerReference } from '@flux-ts/api';

/** apiVersion + kind of an object (`apps/v1`, `Deployment`; `v1`, `ConfigMap`). */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** `metav1.ObjectMeta` as served (name required) and a `metadata.ownerReferences[]` item: @flux-ts/api's types. */
export type { ObjectMeta, OwnerReference };

/**
 * Any object the API server serves: apiVersion, kind and metadata (with a name). Free of an index signature, so
 * @flux-ts/api's typed objects (`GitRepository`, `Kustomization`…) are `KubeObject`s; read other fields through a
 * type argument (`client.get<KubeObject & { data?: Record<string, string> }>`).
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** The part of a Flux `status` the reconcile kit reads and writes (every Flux kind's status has it). */
export interface FluxStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  lastHandledReconcileAt?: string;
}

/**
 * A Flux object as the reconcile kit sees it: a {@link KubeObject} with kstatus conditions, observedGeneration and
 * lastHandledReconcileAt; any @flux-ts/api `FluxObject` is one.
 */
export interface StatusObject extends KubeObject {
  status?: FluxStatus;
}

/** Namespace and name of an object (namespace absent or '' for cluster-scoped kinds). */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** Reads one object by kind and key (NotFound as an ApiError): satisfied by `KubeClient` and the manager's `Cache`. */
export interface ObjectReader {
  get<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    opts?: { signal?: AbortSignal },
  ): Promise<T>;
}

/** The REST mapping of a kind, from discovery. */
export interface RestMapping {
  /** Plural resource name (`deployments`). */
  resource: string;
  namespaced: boolean;
  /** API group ('' for core). */
  group: string;
  version: string;
  /** Subresources the server lists for this resource (`status`, `scale`…). */
  subresources: string[];
}

/** Options shared by every call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Server-side field validation of writes (`fieldValidation` query parameter). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of `list`. */
export interface ListOptions extends CallOptions {
  /** Namespace to list in; all namespaces when absent (or for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** One page of a list. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Options of create/update/updateStatus. */
export interface WriteOptions extends CallOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
}

/** Patch content types by their short name. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** Options of `patch`. */
export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Take ownership of conflicting fields (server-side apply only). */
  force?: boolean;
  /** `status` or another subresource. */
  subresource?: string;
}

/** Options of `apply` (server-side apply). */
export interface ApplyOptions extends CallOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  subresource?: string;
}

/** Options of `delete`. */
export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Options of `watch`. */
export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  timeoutSeconds?: number;
  /** Ends the watch (the iteration then simply finishes). */
  signal: AbortSignal;
}

/** One watch event. ERROR events carry a `Status` as object. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** Minimal structured logger (pino's `Logger` satisfies it). */
export interface RuntimeLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Splits an apiVersion into group and version (`apps/v1` → ['apps','v1'], `v1` → ['','v1']). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyString(key: ObjectKey): string {
  return key.namespace ? `${key.namespace}/${key.name}` : key.name;
}

/** The key of an object. */
export function objectKeyOf(obj: { metadata: { name: string; namespace?: string } }): ObjectKey {
  return obj.metadata.namespace
    ? { namespace: obj.metadata.namespace, name: obj.metadata.name }
    : { name: obj.metadata.name };
}
