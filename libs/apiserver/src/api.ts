/**
 * The storage semantics of the API server, independent of HTTP: create/get/list/update/patch/delete with
 * resourceVersion, generation, managedFields, admission (defaults, CRD schemas, field validation),
 * finalizers, namespace termination, ownerReference garbage collection and CRD lifecycle.
 */
import { randomUUID } from 'node:crypto';
import { builtinDecodeError, builtinSchema } from './builtin-schemas.ts';
import { decodeConfigData } from './configdata.ts';
import { validateBuiltin } from './validation.ts';
import { fromStorage, storageVersionOf, toStorage } from './conversion.ts';
import {
  applyBuiltinDefaults,
  checkRestorable,
  initialStatus,
  pruneBuiltinUnknown,
  pruneMetadataUnknown,
  tracksGeneration,
} from './defaults.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  internalError,
  invalid,
  notFound,
  qualifiedResource,
  StatusError,
  unsupportedMediaType,
  type StatusCause,
} from './errors.ts';
import { bucketOf, type Registry } from './registry.ts';
import { apiVersionOf, splitApiVersion, type ResourceDef } from './resources.ts';
import { fieldSelector, fieldSelectorKeys, labelSelector } from './selectors.ts';
import type { Store } from './store.ts';
import { clone, deepEqual, getPath, isObj, meta, rfc3339, setPath, type Obj } from './util.ts';
import {
  applyJsonPatch,
  applyMergePatch,
  applyServerSide,
  applyStrategicMergePatch,
  ApplyConflictError,
  builtinTypeInfo,
  crdTypeInfo,
  objectMetaTypeInfo,
  PatchError,
  updateManagedFields,
  type TypeInfo,
} from './wiring/patch.ts';
import { applySchemaDefaults, checkCrdSchema, pruneSchema, validateSchema } from './wiring/schema.ts';

/** How unknown fields in a request are treated. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Per-request options of a write. */
export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: FieldValidation;
  /** Warnings to return in `Warning` headers (appended to). */
  warnings: string[];
}

/** Options of a list call. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/** The result of a list call. */
export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Body of a DELETE (meta/v1 DeleteOptions). */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Patch content types. */
export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Field selectors built-in kinds support beyond metadata.name/namespace (null: anything, as for events.k8s.io). */
const FIELD_LABELS: Record<string, string[] | null> = {
  '/Pod': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  '/Secret': ['type'],
  '/Event': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'events.k8s.io/Event': null,
  '/Namespace': ['status.phase'],
  '/Node': ['spec.unschedulable'],
  '/Service': ['spec.clusterIP', 'spec.type'],
  '/ReplicationController': ['status.replicas'],
  'apps/ReplicaSet': ['status.replicas'],
  'batch/Job': ['status.successful'],
  'certificates.k8s.io/CertificateSigningRequest': ['spec.signerName'],
};

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME_KINDS = new Set(['/Namespace', '/Service']);

const nameOf = (o: Obj): string => String(getPath(o, 'metadata.name') ?? '');
const nsOf = (o: Obj): string => String(getPath(o, 'metadata.namespace') ?? '');
const finalizersOf = (o: Obj): string[] => {
  const f = getPath(o, 'metadata.finalizers');
  return Array.isArray(f) ? f.map(String) : [];
};

/** Options of {@link ApiCore}. */
export interface ApiCoreOptions {
  now?: () => number;
}

/** The API semantics over a {@link Store} and a {@link Registry}. */
export class ApiCore {
  readonly store: Store;
  readonly registry: Registry;
  private readonly now: () => number;
  private ipCounter = 10;
  private readonly gcQueue: (() => void)[] = [];
  private gcScheduled = false;
  private readonly genChanged = new Map<string, number>();
  /** Field semantics, built once per built-in kind and per CRD schema (building one walks the whole table). */
  private readonly builtinTypeInfos = new Map<string, TypeInfo>();
  private readonly crdTypeInfos = new WeakMap<object, TypeInfo>();
  /** The latest failures of background garbage collection (for tests and debugging). */
  readonly gcErrors: Error[] = [];
  /** Called after a CRD's resources change (so HTTP caches can be dropped). */
  onRegistryChange: (() => void) | undefined;

  constructor(store: Store, registry: Registry, opts: ApiCoreOptions = {}) {
    this.store = store;
    this.registry = registry;
    this.now = opts.now ?? Date.now;
  }

  /** When the object's generation last changed (ms since epoch), if since start. */
  generationChangedAt(uid: string): number | undefined {
    return this.genChanged.get(uid);
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** A copy of an object as served at `def`'s version. */
  output(def: ResourceDef, o: Obj): Obj {
    const c = clone(o);
    fromStorage(def.group, def.version, def.kind, c);
    c['apiVersion'] = apiVersionOf(def.group, def.version);
    c['kind'] = def.kind;
    return c;
  }

  /** The stored object or a 404. */
  getRaw(def: ResourceDef, ns: string, name: string): Obj {
    const o = this.store.bucket(bucketOf(def)).get(def.namespaced ? ns : '', name);
    if (!o) throw notFound(def.group, def.resource, name);
    return o;
  }

  /** GET one object. */
  get(def: ResourceDef, ns: string, name: string): Obj {
    return this.output(def, this.getRaw(def, ns, name));
  }

  /** 400 unless every field of a `fieldSelector` is one the real server supports for this resource. */
  validateFieldSelector(def: ResourceDef, selector: string | undefined): void {
    const keys = fieldSelectorKeys(selector);
    if (keys.length === 0) return;
    if (def.crd) {
      const crd = this.registry.crdVersion(def.group, def.version, def.resource)?.crd;
      const version = (
        Array.isArray(getPath(crd, 'spec.versions')) ? (getPath(crd, 'spec.versions') as Obj[]) : []
      ).find((v) => v['name'] === def.version);
      const selectable = Array.isArray(version?.['selectableFields'])
        ? (version['selectableFields'] as Obj[]).map((f) => String(f['jsonPath'] ?? '').replace(/^\./, ''))
        : [];
      const allowed = ['metadata.name', 'metadata.namespace', ...selectable];
      for (const k of keys) {
        if (!allowed.includes(k)) throw badRequest(`field label not supported: ${k}`);
      }
      return;
    }
    const extra = FIELD_LABELS[`${def.group}/${def.kind}`];
    if (extra === null) return;
    for (const k of keys) {
      if (k !== 'metadata.name' && k !== 'metadata.namespace' && !(extra ?? []).includes(k))
        throw badRequest(`field label not supported: ${k}`);
    }
  }

  /** LIST objects (sorted by namespace/name, paginated). */
  list(def: ResourceDef, ns: string | undefined, opts: ListOptions = {}): ListResult {
    const bucket = this.store.bucket(bucketOf(def));
    const ls = labelSelector(opts.labelSelector);
    this.validateFieldSelector(def, opts.fieldSelector);
    const fs = fieldSelector(opts.fieldSelector);
    let start: { ns: string; name: string } | undefined;
    let rv = String(this.store.resourceVersion);
    if (opts.continue) {
      try {
        const tok = JSON.parse(Buffer.from(opts.continue, 'base64url').toString('utf8')) as {
          rv: string;
          ns: string;
          name: string;
        };
        start = { ns: tok.ns, name: tok.name };
        rv = tok.rv;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
    }
    const all = bucket.list(def.namespaced ? ns : undefined);
    const items: Obj[] = [];
    let next: string | undefined;
    let remaining = 0;
    for (const o of all) {
      if (start) {
        const ons = nsOf(o);
        const on = nameOf(o);
        if (ons < start.ns || (ons === start.ns && on <= start.name)) continue;
      }
      if (ls && !ls(o)) continue;
      if (fs && !fs(o)) continue;
      if (opts.limit !== undefined && opts.limit > 0 && items.length >= opts.limit) {
        if (next === undefined) {
          const last = items[items.length - 1] as Obj;
          next = Buffer.from(JSON.stringify({ rv, ns: nsOf(last), name: nameOf(last) })).toString('base64url');
        }
        remaining++;
        continue;
      }
      items.push(this.output(def, o));
    }
    return { items, resourceVersion: rv, ...(next ? { continue: next, remainingItemCount: remaining } : {}) };
  }

  // ---- writes ------------------------------------------------------------------------------------

  private typeInfo(def: ResourceDef): TypeInfo {
    if (def.crd) {
      const schema = this.registry.crdVersion(def.group, def.version, def.resource)?.schema;
      if (schema === undefined || schema === null || typeof schema !== 'object') return crdTypeInfo(schema);
      let info = this.crdTypeInfos.get(schema);
      if (!info) this.crdTypeInfos.set(schema, (info = crdTypeInfo(schema)));
      return info;
    }
    const key = `${def.group}/${def.kind}`;
    let info = this.builtinTypeInfos.get(key);
    if (!info) this.builtinTypeInfos.set(key, (info = builtinTypeInfo(def.group, def.kind) ?? objectMetaTypeInfo()));
    return info;
  }

  /** Fields a write through this endpoint does not own (status on the main resource, the rest on /status). */
  private ignored(def: ResourceDef, subresource: string | undefined, o: Obj): string[][] {
    if (!def.status) return [];
    if (subresource === 'status')
      return Object.keys(o)
        .filter((k) => k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind')
        .map((k) => [k]);
    if (subresource === undefined) return [['status']];
    return [];
  }

  private checkTypeMeta(def: ResourceDef, body: Obj): void {
    const want = apiVersionOf(def.group, def.version);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== want) {
      const got = splitApiVersion(String(body['apiVersion']));
      if (got.group !== def.group || !def.versions.includes(got.version)) {
        throw badRequest(
          `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${want})`,
        );
      }
    }
    if (body['kind'] !== undefined && body['kind'] !== def.kind) {
      throw badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (${def.kind})`);
    }
  }

  /** Admission shared by all writes: defaults, pruning, field validation and schema validation. */
  private admit(served: ResourceDef, o: Obj, opts: WriteOptions, checkUnknown: boolean, old?: Obj): void {
    // objects are admitted (pruned, defaulted, validated) at their storage version
    toStorage(served.group, served.version, served.kind, o);
    const storage = storageVersionOf(served.group, served.kind);
    const def = (storage && this.registry.byKind(served.group, storage, served.kind)) || served;
    o['apiVersion'] = apiVersionOf(def.group, def.version);
    o['kind'] = def.kind;
    let pruned: string[];
    const causes: StatusCause[] = [];
    if (def.crd) {
      const info = this.registry.crdVersion(def.group, def.version, def.resource);
      pruned = pruneMetadataUnknown(o);
      if (info?.schema) {
        pruned.push(...pruneSchema(info.schema, o, true));
        applySchemaDefaults(info.schema, o);
        const errs = validateSchema(stripMeta(info.schema), withoutMeta(o), '');
        for (const e of errs) causes.push({ reason: e.type, message: e.message, field: e.field });
      }
    } else {
      pruned = pruneBuiltinUnknown(def.group, def.kind, o);
      if (old && def.group === '' && def.kind === 'Service') keepAllocatedClusterIP(o, old);
      const schema = builtinSchema(def.group, def.version, def.kind);
      const dataError = decodeConfigData(def.group, def.kind, o);
      if (dataError)
        throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${dataError}`);
      if (schema) {
        const decodeError = builtinDecodeError(schema, o);
        if (decodeError)
          throw badRequest(
            `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${decodeError}`,
          );
        pruned.push(...pruneSchema(schema, o, true));
      }
      applyBuiltinDefaults(def.group, def.kind, o, () => this.allocateIp());
    }
    if (checkUnknown && pruned.length > 0) {
      if (opts.fieldValidation === 'Strict') {
        const list = pruned.map((p) => `unknown field "${p}"`).join(', ');
        throw badRequest(
          `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${list}`,
        );
      }
      if (opts.fieldValidation === 'Warn') for (const p of pruned) opts.warnings.push(`unknown field "${p}"`);
    }
    causes.push(...this.validateMeta(def, o));
    if (!def.crd) causes.push(...validateBuiltin(def.group, def.kind, o, old));
    if (def.group === 'apiextensions.k8s.io' && def.kind === 'CustomResourceDefinition') causes.push(...validateCrd(o));
    if (causes.length > 0) throw invalid(def.group, def.kind, nameOf(o), causes);
  }

  private validateMeta(def: ResourceDef, o: Obj): StatusCause[] {
    const name = nameOf(o);
    const causes: StatusCause[] = [];
    if (name === '') {
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      });
      return causes;
    }
    const label = LABEL_NAME_KINDS.has(`${def.group}/${def.kind}`);
    if (def.group === 'rbac.authorization.k8s.io') {
      if (name === '.' || name === '..' || name.includes('/') || name.includes('%'))
        causes.push({
          reason: 'FieldValueInvalid',
          message: `Invalid value: "${name}": may not contain '/' or '%'`,
          field: 'metadata.name',
        });
    } else if (
      label ? !DNS1123_LABEL.test(name) || name.length > 63 : !DNS1123_SUBDOMAIN.test(name) || name.length > 253
    ) {
      const msg = label
        ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
        : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
      causes.push({ reason: 'FieldValueInvalid', message: msg, field: 'metadata.name' });
    }
    const labels = getPath(o, 'metadata.labels');
    if (labels !== undefined && labels !== null) {
      if (!isObj(labels))
        causes.push({
          reason: 'FieldValueTypeInvalid',
          message: 'Invalid value: must be a map of strings',
          field: 'metadata.labels',
        });
      else {
        for (const v of Object.values(labels)) {
          if (typeof v !== 'string' || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) {
            causes.push({
              reason: 'FieldValueInvalid',
              message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
              field: 'metadata.labels',
            });
          }
        }
      }
    }
    return causes;
  }

  private allocateIp(): string {
    this.ipCounter++;
    return `10.96.${Math.floor(this.ipCounter / 250) % 250}.${(this.ipCounter % 250) + 1}`;
  }

  private checkNamespace(def: ResourceDef, ns: string, name: string): void {
    if (!def.namespaced) return;
    const n = this.store.bucket('/namespaces').get('', ns);
    if (!n) throw notFound('', 'namespaces', ns);
    if (getPath(n, 'metadata.deletionTimestamp')) {
      throw new StatusError(
        403,
        'Forbidden',
        `${qualifiedResource(def.group, def.resource)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          name,
          ...(def.group ? { group: def.group } : {}),
          kind: def.resource,
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${ns} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  /** POST: create an object. */
  create(def: ResourceDef, ns: string, body: unknown, opts: WriteOptions): Obj {
    if (!isObj(body)) throw badRequest("Object 'Kind' is missing in the request body");
    this.checkTypeMeta(def, body);
    const o = clone(body);
    const m = meta(o);
    if (def.namespaced) {
      if (m['namespace'] !== undefined && m['namespace'] !== '' && m['namespace'] !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      m['namespace'] = ns;
    } else delete m['namespace'];
    if (
      (m['name'] === undefined || m['name'] === '') &&
      typeof m['generateName'] === 'string' &&
      m['generateName'] !== ''
    ) {
      m['name'] = `${m['generateName']}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    }
    for (const k of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'selfLink',
    ])
      delete m[k];
    if (def.status && !(def.group === '' && def.kind === 'Namespace')) delete o['status'];
    this.admit(def, o, opts, true);
    const existing = this.store.bucket(bucketOf(def)).get(def.namespaced ? ns : '', nameOf(o));
    if (existing) throw alreadyExists(def.group, def.resource, nameOf(o));
    this.checkNamespace(def, ns, nameOf(o));
    const now = this.now();
    m['uid'] = randomUUID();
    m['creationTimestamp'] = rfc3339(now);
    if (def.crd || tracksGeneration(def.group, def.kind)) m['generation'] = 1;
    else delete m['generation'];
    if (def.group === '' && def.kind === 'Namespace') o['status'] = { phase: 'Active' };
    const initial = initialStatus(def.group, def.kind, o);
    if (initial) o['status'] = initial;
    m['managedFields'] = updateManagedFields({
      live: undefined,
      updated: o,
      manager: opts.fieldManager,
      operation: 'Update',
      typeInfo: this.typeInfo(def),
      apiVersion: apiVersionOf(def.group, def.version),
      now: new Date(now),
      ignoredFields: this.ignored(def, undefined, o),
    });
    return this.commitCreate(def, o, opts);
  }

  private commitCreate(def: ResourceDef, o: Obj, opts: WriteOptions): Obj {
    if (opts.dryRun) return this.output(def, o);
    this.store.put(bucketOf(def), o);
    this.afterCreate(def, o);
    return this.output(def, this.getRaw(def, nsOf(o), nameOf(o)));
  }

  private afterCreate(def: ResourceDef, o: Obj): void {
    if (def.group === '' && def.kind === 'Namespace') {
      this.internalCreate('/serviceaccounts', {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: nameOf(o) },
      });
    }
    if (def.group === 'apiextensions.k8s.io' && def.kind === 'CustomResourceDefinition') this.establishCrd(o);
  }

  /** Create an object on behalf of the server itself (bootstrap, controllers). */
  internalCreate(bucket: string, o: Obj): Obj {
    const m = meta(o);
    m['uid'] = randomUUID();
    m['creationTimestamp'] = rfc3339(this.now());
    return this.store.put(bucket, o);
  }

  /** PUT (main resource or `status` subresource). */
  update(def: ResourceDef, ns: string, name: string, body: unknown, opts: WriteOptions, subresource?: string): Obj {
    if (!isObj(body)) throw badRequest("Object 'Kind' is missing in the request body");
    this.checkTypeMeta(def, body);
    const bm = isObj(body['metadata']) ? body['metadata'] : {};
    if (bm['name'] !== undefined && bm['name'] !== name) {
      throw badRequest(`the name of the object (${String(bm['name'])}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && bm['namespace'] !== undefined && bm['namespace'] !== '' && bm['namespace'] !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const live = this.store.bucket(bucketOf(def)).get(def.namespaced ? ns : '', name);
    if (!live) throw notFound(def.group, def.resource, name);
    const rv = bm['resourceVersion'];
    // resourceVersion "0" (like none) is an unconditional update, as the registry's ParseResourceVersion reads it
    if (rv !== undefined && rv !== '' && rv !== '0' && rv !== getPath(live, 'metadata.resourceVersion')) {
      throw conflict(
        def.group,
        def.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.writeUpdate(def, live, clone(body), opts, subresource, true, undefined);
  }

  /**
   * The common tail of PUT, PATCH and apply: merge server-owned fields from `live`, admit, bump
   * generation, update managedFields (unless `managedFields` is given), handle finalizer-driven deletion.
   */
  private writeUpdate(
    def: ResourceDef,
    live: Obj,
    next: Obj,
    opts: WriteOptions,
    subresource: string | undefined,
    checkUnknown: boolean,
    managedFields: unknown[] | undefined,
  ): Obj {
    const lm = live['metadata'] as Obj;
    let o: Obj;
    if (subresource === 'status') {
      o = clone(live);
      o['status'] = next['status'];
      if (o['status'] === undefined) delete o['status'];
    } else {
      o = next;
      if (def.status) {
        if (live['status'] === undefined) delete o['status'];
        else o['status'] = clone(live['status']);
      }
    }
    const m = meta(o);
    m['name'] = lm['name'];
    if (def.namespaced) m['namespace'] = lm['namespace'];
    else delete m['namespace'];
    m['uid'] = lm['uid'];
    m['creationTimestamp'] = lm['creationTimestamp'];
    if (lm['deletionTimestamp'] !== undefined) {
      m['deletionTimestamp'] = lm['deletionTimestamp'];
      m['deletionGracePeriodSeconds'] = lm['deletionGracePeriodSeconds'];
    } else {
      delete m['deletionTimestamp'];
      delete m['deletionGracePeriodSeconds'];
    }
    delete m['selfLink'];
    m['resourceVersion'] = lm['resourceVersion'];
    this.admit(def, o, opts, checkUnknown, live);
    if (lm['deletionTimestamp'] !== undefined) {
      const added = finalizersOf(o).filter((f) => !finalizersOf(live).includes(f));
      if (added.length > 0) {
        throw invalid(def.group, def.kind, nameOf(o), [
          {
            reason: 'FieldValueForbidden',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
            field: 'metadata.finalizers',
          },
        ]);
      }
    }
    const specChanged = !deepEqual(specPart(def, o), specPart(def, live));
    if (def.crd || tracksGeneration(def.group, def.kind))
      m['generation'] = (typeof lm['generation'] === 'number' ? lm['generation'] : 1) + (specChanged ? 1 : 0);
    else delete m['generation'];
    const now = this.now();
    if (specChanged && !opts.dryRun) this.genChanged.set(String(m['uid']), now);
    m['managedFields'] =
      managedFields ??
      updateManagedFields({
        live,
        updated: o,
        manager: opts.fieldManager,
        operation: 'Update',
        typeInfo: this.typeInfo(def),
        apiVersion: apiVersionOf(def.group, def.version),
        now: new Date(now),
        ...(subresource ? { subresource } : {}),
        ignoredFields: this.ignored(def, subresource, o),
      });
    // A no-op write keeps the resourceVersion (no event).
    if (deepEqual(withoutVolatile(o), withoutVolatile(live))) return this.output(def, live);
    if (opts.dryRun) return this.output(def, o);
    if (m['deletionTimestamp'] !== undefined && finalizersOf(o).length === 0) {
      this.removeNow(def, o);
      return this.output(def, { ...o, metadata: { ...m } });
    }
    this.store.put(bucketOf(def), o);
    this.afterUpdate(def, o, live);
    return this.output(def, this.getRaw(def, nsOf(o), nameOf(o)));
  }

  private afterUpdate(def: ResourceDef, o: Obj, _live: Obj): void {
    if (def.group === 'apiextensions.k8s.io' && def.kind === 'CustomResourceDefinition') {
      if (!getPath(o, 'metadata.deletionTimestamp')) this.establishCrd(o);
    }
    if (getPath(o, 'metadata.deletionTimestamp')) this.enqueueGc(() => this.processDeleting(def, nsOf(o), nameOf(o)));
  }

  /** PATCH (json, merge, strategic, apply) of the main resource or a subresource. */
  patch(
    def: ResourceDef,
    ns: string,
    name: string,
    contentType: string,
    raw: unknown,
    opts: WriteOptions & { force: boolean },
    subresource?: string,
  ): { object: Obj; created: boolean } {
    const type = contentType.split(';')[0]?.trim() ?? '';
    const live = this.store.bucket(bucketOf(def)).get(def.namespaced ? ns : '', name);
    if (type === PATCH_TYPES.apply) return this.apply(def, ns, name, live, raw, opts, subresource);
    if (!live) throw notFound(def.group, def.resource, name);
    const current = this.output(def, live);
    let patched: Obj;
    try {
      if (type === PATCH_TYPES.json) patched = applyJsonPatch(current, raw);
      else if (type === PATCH_TYPES.merge) patched = applyMergePatch(current, raw);
      else if (type === PATCH_TYPES.strategic) {
        if (!def.strategicMerge) throw unsupportedMediaType(contentType);
        patched = applyStrategicMergePatch(current, raw, this.typeInfo(def));
        if (!def.crd) {
          const schema = builtinSchema(def.group, def.version, def.kind);
          checkRestorable(raw, patched, schema ? builtinDecodeError(schema, patched) : undefined);
        }
      } else throw unsupportedMediaType(contentType);
    } catch (err) {
      throw toStatusError(err, def);
    }
    if (!isObj(patched)) throw badRequest('the patched object is not an object');
    const pm = isObj(patched['metadata']) ? patched['metadata'] : {};
    if (pm['name'] !== undefined && pm['name'] !== name)
      throw badRequest(`the name of the object (${String(pm['name'])}) does not match the name on the URL (${name})`);
    const rv = pm['resourceVersion'];
    if (rv !== undefined && rv !== '' && rv !== getPath(live, 'metadata.resourceVersion')) {
      throw conflict(
        def.group,
        def.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return { object: this.writeUpdate(def, live, patched, opts, subresource, true, undefined), created: false };
  }

  private apply(
    def: ResourceDef,
    ns: string,
    name: string,
    live: Obj | undefined,
    raw: unknown,
    opts: WriteOptions & { force: boolean },
    subresource?: string,
  ): { object: Obj; created: boolean } {
    if (!isObj(raw)) throw badRequest('error decoding YAML: the apply patch must be an object');
    if (opts.fieldManager === '' || opts.fieldManager === undefined) {
      throw new StatusError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [
            {
              reason: 'FieldValueRequired',
              message: 'Required value: is required for apply patch',
              field: 'fieldManager',
            },
          ],
        },
      );
    }
    if (raw['apiVersion'] === undefined || raw['kind'] === undefined) {
      throw badRequest(`error decoding patch: Object 'Kind' is missing in '${JSON.stringify(raw)}'`);
    }
    this.checkTypeMeta(def, raw);
    const am = isObj(raw['metadata']) ? raw['metadata'] : {};
    if (am['name'] !== undefined && am['name'] !== name)
      throw badRequest(`the name of the object (${String(am['name'])}) does not match the name on the URL (${name})`);
    const applied = clone(raw);
    const checkM = meta(applied);
    checkM['name'] = name;
    if (def.namespaced) checkM['namespace'] = ns;
    // Unknown-field check on the applied configuration itself.
    const probe = clone(applied);
    const schema = def.crd
      ? this.registry.crdVersion(def.group, def.version, def.resource)?.schema
      : builtinSchema(def.group, def.version, def.kind);
    const pruned = def.crd ? pruneMetadataUnknown(probe) : pruneBuiltinUnknown(def.group, def.kind, probe);
    if (schema) pruned.push(...pruneSchema(schema, probe, true));
    if (pruned.length > 0) {
      if (opts.fieldValidation === 'Strict')
        throw badRequest(
          `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`,
        );
      if (opts.fieldValidation === 'Warn') for (const p of pruned) opts.warnings.push(`unknown field "${p}"`);
    }
    const rv = am['resourceVersion'];
    if (live && rv !== undefined && rv !== '' && rv !== getPath(live, 'metadata.resourceVersion')) {
      throw conflict(
        def.group,
        def.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    if (!live && subresource) throw notFound(def.group, def.resource, name);
    const now = this.now();
    let result: Obj;
    try {
      result = applyServerSide({
        live: live ? this.output(def, live) : undefined,
        applied: probe,
        manager: opts.fieldManager,
        force: opts.force,
        typeInfo: this.typeInfo(def),
        apiVersion: apiVersionOf(def.group, def.version),
        now: new Date(now),
        ...(subresource ? { subresource } : {}),
        ignoredFields: this.ignored(def, subresource, probe),
      }).object;
    } catch (err) {
      throw toStatusError(err, def);
    }
    const managed = getPath(result, 'metadata.managedFields');
    if (!live) {
      // Create through apply.
      const o = clone(result);
      const m = meta(o);
      for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) delete m[k];
      if (def.status && !(def.group === '' && def.kind === 'Namespace')) delete o['status'];
      this.admit(def, o, { ...opts, fieldValidation: 'Ignore' }, false);
      this.checkNamespace(def, ns, name);
      m['uid'] = randomUUID();
      m['creationTimestamp'] = rfc3339(now);
      if (def.crd || tracksGeneration(def.group, def.kind)) m['generation'] = 1;
      else delete m['generation'];
      if (def.group === '' && def.kind === 'Namespace') o['status'] = { phase: 'Active' };
      m['managedFields'] = Array.isArray(managed) ? managed : [];
      return { object: this.commitCreate(def, o, opts), created: true };
    }
    return {
      object: this.writeUpdate(
        def,
        live,
        result,
        { ...opts, fieldValidation: 'Ignore' },
        subresource,
        false,
        Array.isArray(managed) ? managed : [],
      ),
      created: false,
    };
  }

  // ---- scale subresource -------------------------------------------------------------------------

  /** GET .../scale as autoscaling/v1 Scale. */
  getScale(def: ResourceDef, ns: string, name: string): Obj {
    if (!def.scale) throw notFound(def.group, `${def.resource}/scale`, name);
    const o = this.getRaw(def, ns, name);
    return toScale(def, o);
  }

  /** PUT/PATCH .../scale: writes spec replicas of the object. */
  updateScale(def: ResourceDef, ns: string, name: string, scale: Obj, opts: WriteOptions): Obj {
    if (!def.scale) throw notFound(def.group, `${def.resource}/scale`, name);
    const live = this.getRaw(def, ns, name);
    const replicas = getPath(scale, 'spec.replicas');
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('autoscaling', 'Scale', name, [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
          field: 'spec.replicas',
        },
      ]);
    }
    const rv = getPath(scale, 'metadata.resourceVersion');
    if (rv !== undefined && rv !== '' && rv !== getPath(live, 'metadata.resourceVersion')) {
      throw conflict(
        def.group,
        def.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const next = this.output(def, live);
    setPath(next, def.scale.specReplicasPath.replace(/^\./, ''), replicas);
    const out = this.writeUpdate(def, live, next, opts, 'scale', false, undefined);
    return toScale(def, out);
  }

  // ---- delete ------------------------------------------------------------------------------------

  /** DELETE one object. Returns the object and whether it is gone now. */
  delete(
    def: ResourceDef,
    ns: string,
    name: string,
    dopts: DeleteOptions,
    opts: { dryRun: boolean },
  ): { object: Obj; deleted: boolean } {
    const live = this.getRaw(def, ns, name);
    const lm = live['metadata'] as Obj;
    if (dopts.preconditions?.uid && dopts.preconditions.uid !== lm['uid']) {
      throw conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: UID in precondition: ${dopts.preconditions.uid}, UID in object meta: ${String(lm['uid'])}`,
      );
    }
    if (dopts.preconditions?.resourceVersion && dopts.preconditions.resourceVersion !== lm['resourceVersion']) {
      throw conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${dopts.preconditions.resourceVersion}, ResourceVersion in object meta: ${String(lm['resourceVersion'])}`,
      );
    }
    if (def.group === '' && def.kind === 'Namespace' && PROTECTED_NAMESPACES.has(name)) {
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, {
        name,
        kind: 'namespaces',
      });
    }
    if (opts.dryRun) return { object: this.output(def, live), deleted: finalizersOf(live).length === 0 };
    const policy = dopts.propagationPolicy ?? (dopts.orphanDependents === true ? 'Orphan' : 'Background');
    const o = clone(live);
    const m = o['metadata'] as Obj;
    let finalizers = finalizersOf(o);
    const uid = String(m['uid']);
    const hasDependents = this.store.dependentsOf(uid).length > 0;
    if (def.group === '' && def.kind === 'Namespace') {
      if (m['deletionTimestamp'] === undefined) {
        m['deletionTimestamp'] = rfc3339(this.now());
        m['deletionGracePeriodSeconds'] = 0;
        o['status'] = { ...(isObj(o['status']) ? o['status'] : {}), phase: 'Terminating' };
        this.store.put('/namespaces', o);
      }
      this.enqueueGc(() => this.cleanupNamespace(name));
      return { object: this.output(def, this.getRaw(def, '', name)), deleted: false };
    }
    if (m['deletionTimestamp'] !== undefined) {
      return { object: this.output(def, live), deleted: false };
    }
    if (policy === 'Foreground' && hasDependents && !finalizers.includes('foregroundDeletion'))
      finalizers = [...finalizers, 'foregroundDeletion'];
    if (policy === 'Orphan' && hasDependents && !finalizers.includes('orphan')) finalizers = [...finalizers, 'orphan'];
    if (finalizers.length > 0) {
      m['finalizers'] = finalizers;
      m['deletionTimestamp'] = rfc3339(this.now());
      m['deletionGracePeriodSeconds'] = 0;
      if (typeof m['generation'] === 'number') m['generation'] = m['generation'] + 1;
      this.store.put(bucketOf(def), o);
      this.enqueueGc(() => this.processDeleting(def, nsOf(o), name));
      return { object: this.output(def, this.getRaw(def, nsOf(o), name)), deleted: false };
    }
    const gone = this.removeNow(def, o);
    return { object: this.output(def, gone ?? o), deleted: true };
  }

  /** DELETE a collection (per-object semantics as {@link delete}). */
  deleteCollection(
    def: ResourceDef,
    ns: string | undefined,
    lopts: ListOptions,
    dopts: DeleteOptions,
    opts: { dryRun: boolean },
  ): Obj[] {
    const { items } = this.list(def, ns, {
      ...(lopts.labelSelector ? { labelSelector: lopts.labelSelector } : {}),
      ...(lopts.fieldSelector ? { fieldSelector: lopts.fieldSelector } : {}),
    });
    const out: Obj[] = [];
    for (const it of items) {
      try {
        out.push(this.delete(def, nsOf(it), nameOf(it), dopts, opts).object);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    return out;
  }

  private removeNow(def: ResourceDef, o: Obj): Obj | undefined {
    const ns = def.namespaced ? nsOf(o) : '';
    const name = nameOf(o);
    if (def.group === 'apiextensions.k8s.io' && def.kind === 'CustomResourceDefinition') this.uninstallCrd(o);
    const gone = this.store.remove(bucketOf(def), ns, name);
    const uid = String(getPath(o, 'metadata.uid'));
    this.genChanged.delete(uid);
    this.enqueueGc(() => this.ownerGone(uid));
    for (const ref of ownerRefs(o)) this.enqueueGc(() => this.checkForegroundOwner(String(ref['uid'])));
    if (ns !== '') {
      const n = this.store.bucket('/namespaces').get('', ns);
      if (n && getPath(n, 'metadata.deletionTimestamp')) this.enqueueGc(() => this.cleanupNamespace(ns));
    }
    return gone;
  }

  // ---- garbage collection ------------------------------------------------------------------------

  private enqueueGc(fn: () => void): void {
    this.gcQueue.push(fn);
    if (this.gcScheduled) return;
    this.gcScheduled = true;
    setImmediate(() => this.drainGc());
  }

  /** Run queued garbage-collection work now (tests and the HTTP layer may call it). */
  drainGc(): void {
    this.gcScheduled = false;
    let guard = 0;
    while (this.gcQueue.length > 0 && guard++ < 100_000) {
      const fn = this.gcQueue.shift() as () => void;
      try {
        fn();
      } catch (err) {
        // GC runs detached from any request: keep going (a later change retries), remember the failure
        this.gcErrors.push(err instanceof Error ? err : new Error(String(err)));
        if (this.gcErrors.length > 100) this.gcErrors.shift();
      }
    }
  }

  private defForBucket(bucket: string): ResourceDef | undefined {
    const [group, resource] = bucket.split('/') as [string, string];
    return this.registry.all().find((d) => d.group === group && d.resource === resource);
  }

  private internalOpts(): WriteOptions {
    return { dryRun: false, fieldManager: 'kube-controller-manager', fieldValidation: 'Ignore', warnings: [] };
  }

  /** An owner is gone: delete dependents with no live owner left; drop dangling refs otherwise. */
  private ownerGone(uid: string): void {
    for (const ref of this.store.dependentsOf(uid)) {
      const def = this.defForBucket(ref.bucket);
      const dep = this.store.bucket(ref.bucket).get(ref.namespace, ref.name);
      if (!def || !dep) continue;
      const refs = ownerRefs(dep);
      const alive = refs.filter((r) => String(r['uid']) !== uid && this.store.locate(String(r['uid'])) !== undefined);
      if (alive.length === 0) {
        if (!getPath(dep, 'metadata.deletionTimestamp'))
          this.delete(def, ref.namespace, ref.name, { propagationPolicy: 'Background' }, { dryRun: false });
      } else {
        const next = clone(dep);
        (next['metadata'] as Obj)['ownerReferences'] = refs.filter((r) => String(r['uid']) !== uid);
        this.writeUpdate(def, dep, next, this.internalOpts(), undefined, false, undefined);
      }
    }
  }

  /** An object with deletionTimestamp: run foreground/orphan finalizers it carries. */
  private processDeleting(def: ResourceDef, ns: string, name: string): void {
    const o = this.store.bucket(bucketOf(def)).get(def.namespaced ? ns : '', name);
    if (!o || !getPath(o, 'metadata.deletionTimestamp')) return;
    const uid = String(getPath(o, 'metadata.uid'));
    const fins = finalizersOf(o);
    if (fins.includes('orphan')) {
      for (const ref of this.store.dependentsOf(uid)) {
        const ddef = this.defForBucket(ref.bucket);
        const dep = this.store.bucket(ref.bucket).get(ref.namespace, ref.name);
        if (!ddef || !dep) continue;
        const next = clone(dep);
        (next['metadata'] as Obj)['ownerReferences'] = ownerRefs(dep).filter((r) => String(r['uid']) !== uid);
        this.writeUpdate(ddef, dep, next, this.internalOpts(), undefined, false, undefined);
      }
      this.removeFinalizer(def, ns, name, 'orphan');
      return;
    }
    if (fins.includes('foregroundDeletion')) {
      const deps = this.store.dependentsOf(uid);
      for (const ref of deps) {
        const ddef = this.defForBucket(ref.bucket);
        const dep = this.store.bucket(ref.bucket).get(ref.namespace, ref.name);
        if (!ddef || !dep || getPath(dep, 'metadata.deletionTimestamp')) continue;
        this.delete(ddef, ref.namespace, ref.name, { propagationPolicy: 'Foreground' }, { dryRun: false });
      }
      this.checkForegroundOwner(uid);
    }
  }

  private checkForegroundOwner(uid: string): void {
    const loc = this.store.locate(uid);
    if (!loc) return;
    const def = this.defForBucket(loc.bucket);
    const o = this.store.bucket(loc.bucket).get(loc.namespace, loc.name);
    if (!def || !o || !getPath(o, 'metadata.deletionTimestamp') || !finalizersOf(o).includes('foregroundDeletion'))
      return;
    if (this.store.dependentsOf(uid).length > 0) return;
    this.removeFinalizer(def, loc.namespace, loc.name, 'foregroundDeletion');
  }

  private removeFinalizer(def: ResourceDef, ns: string, name: string, finalizer: string): void {
    const o = this.store.bucket(bucketOf(def)).get(def.namespaced ? ns : '', name);
    if (!o) return;
    const next = clone(o);
    (next['metadata'] as Obj)['finalizers'] = finalizersOf(o).filter((f) => f !== finalizer);
    this.writeUpdate(def, o, next, this.internalOpts(), undefined, false, undefined);
  }

  /** Namespace termination: delete contents, then drop the `kubernetes` finalizer. */
  private cleanupNamespace(ns: string): void {
    const n = this.store.bucket('/namespaces').get('', ns);
    if (!n || !getPath(n, 'metadata.deletionTimestamp')) return;
    let remaining = 0;
    for (const def of this.uniqueNamespacedDefs()) {
      const bucket = this.store.bucket(bucketOf(def));
      for (const o of bucket.list(ns)) {
        if (!getPath(o, 'metadata.deletionTimestamp')) {
          try {
            this.delete(def, ns, nameOf(o), { propagationPolicy: 'Background' }, { dryRun: false });
          } catch (err) {
            if (!(err instanceof StatusError)) throw err;
          }
        }
      }
      remaining += bucket.countIn(ns);
    }
    if (remaining > 0) return;
    const fresh = this.store.bucket('/namespaces').get('', ns);
    if (!fresh) return;
    const specFin = getPath(fresh, 'spec.finalizers');
    const next = clone(fresh);
    if (Array.isArray(specFin) && specFin.includes('kubernetes'))
      setPath(
        next,
        'spec.finalizers',
        specFin.filter((f) => f !== 'kubernetes'),
      );
    if (
      finalizersOf(next).length === 0 &&
      (!Array.isArray(getPath(next, 'spec.finalizers')) || (getPath(next, 'spec.finalizers') as unknown[]).length === 0)
    ) {
      this.store.remove('/namespaces', '', ns);
      this.enqueueGc(() => this.ownerGone(String(getPath(fresh, 'metadata.uid'))));
      return;
    }
    if (!deepEqual(next, fresh)) this.store.put('/namespaces', next);
  }

  private uniqueNamespacedDefs(): ResourceDef[] {
    const seen = new Set<string>();
    const out: ResourceDef[] = [];
    for (const d of this.registry.all()) {
      if (!d.namespaced || d.virtual) continue;
      const b = bucketOf(d);
      if (seen.has(b)) continue;
      seen.add(b);
      out.push(d);
    }
    return out;
  }

  // ---- CRDs --------------------------------------------------------------------------------------

  private establishCrd(crd: Obj): void {
    this.registry.installCrd(crd);
    this.onRegistryChange?.();
    const names = clone((getPath(crd, 'spec.names') ?? {}) as Obj);
    names['singular'] ??= String(names['kind'] ?? '').toLowerCase();
    names['listKind'] ??= `${String(names['kind'])}List`;
    const versions = Array.isArray(getPath(crd, 'spec.versions')) ? (getPath(crd, 'spec.versions') as Obj[]) : [];
    const storage = versions.find((v) => v['storage'] === true)?.['name'];
    const prevStored = getPath(crd, 'status.storedVersions');
    const stored = new Set<string>(Array.isArray(prevStored) ? prevStored.map(String) : []);
    if (typeof storage === 'string') stored.add(storage);
    const ts = rfc3339(this.now());
    const prevConds = Array.isArray(getPath(crd, 'status.conditions'))
      ? (getPath(crd, 'status.conditions') as Obj[])
      : [];
    const cond = (type: string, reason: string, message: string): Obj => {
      const prev = prevConds.find((c) => c['type'] === type);
      return {
        type,
        status: 'True',
        lastTransitionTime: prev && prev['status'] === 'True' ? prev['lastTransitionTime'] : ts,
        reason,
        message,
      };
    };
    const status: Obj = {
      conditions: [
        cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      acceptedNames: names,
      storedVersions: [...stored],
    };
    if (deepEqual(status, crd['status'])) return;
    const next = clone(crd);
    next['status'] = status;
    this.store.put('apiextensions.k8s.io/customresourcedefinitions', next);
  }

  private uninstallCrd(crd: Obj): void {
    const group = String(getPath(crd, 'spec.group'));
    const plural = String(getPath(crd, 'spec.names.plural'));
    const bucket = this.store.bucket(`${group}/${plural}`);
    for (const o of bucket.list()) this.store.remove(`${group}/${plural}`, nsOf(o), nameOf(o));
    this.registry.removeCrd(nameOf(crd));
    this.registry.pruneGroups();
    this.onRegistryChange?.();
  }
}

/** Like the Service REST strategy, an update without clusterIP keeps the allocated one. */
const keepAllocatedClusterIP = (o: Obj, old: Obj): void => {
  const spec = o['spec'];
  const oldSpec = old['spec'];
  if (!isObj(spec) || !isObj(oldSpec)) return;
  if ((spec['clusterIP'] === undefined || spec['clusterIP'] === '') && oldSpec['clusterIP'] !== undefined) {
    spec['clusterIP'] = oldSpec['clusterIP'];
    if (spec['clusterIPs'] === undefined && oldSpec['clusterIPs'] !== undefined)
      spec['clusterIPs'] = clone(oldSpec['clusterIPs']);
  }
};

const ownerRefs = (o: Obj): Obj[] => {
  const r = getPath(o, 'metadata.ownerReferences');
  return Array.isArray(r) ? r.filter(isObj) : [];
};

const specPart = (def: ResourceDef, o: Obj): Obj => {
  const c: Obj = { ...o };
  delete c['metadata'];
  delete c['apiVersion'];
  delete c['kind'];
  if (def.status) delete c['status'];
  return c;
};

/** The object for no-op detection: without resourceVersion and managedFields timestamps (like Kubernetes). */
const withoutVolatile = (o: Obj): Obj => {
  const c: Obj = { ...o, metadata: { ...(o['metadata'] as Obj) } };
  const m = c['metadata'] as Obj;
  if (Array.isArray(m['managedFields'])) {
    m['managedFields'] = m['managedFields'].map((e) => {
      if (!isObj(e)) return e;
      const x: Obj = { ...e };
      delete x['time'];
      return x;
    });
  }
  delete m['resourceVersion'];
  delete c['apiVersion'];
  return c;
};

const withoutMeta = (o: Obj): Obj => {
  const c: Obj = { ...o };
  delete c['metadata'];
  delete c['apiVersion'];
  delete c['kind'];
  return c;
};

const stripped = new WeakMap<Obj, Obj>();
/** The CRD schema without apiVersion/kind/metadata (validated by the server itself); cached per schema object. */
const stripMeta = (schema: Obj): Obj => {
  const hit = stripped.get(schema);
  if (hit) return hit;
  const c: Obj = { ...schema };
  stripped.set(schema, c);
  if (isObj(c['properties'])) {
    const p: Obj = { ...(c['properties'] as Obj) };
    delete p['metadata'];
    delete p['apiVersion'];
    delete p['kind'];
    c['properties'] = p;
  }
  if (Array.isArray(c['required']))
    c['required'] = c['required'].filter((r) => r !== 'metadata' && r !== 'apiVersion' && r !== 'kind');
  return c;
};

const toScale = (def: ResourceDef, o: Obj): Obj => {
  const spec = def.scale as NonNullable<ResourceDef['scale']>;
  const m = o['metadata'] as Obj;
  const selector = spec.labelSelectorPath ? getPath(o, spec.labelSelectorPath.replace(/^\./, '')) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m['name'],
      namespace: m['namespace'],
      uid: m['uid'],
      resourceVersion: m['resourceVersion'],
      creationTimestamp: m['creationTimestamp'],
    },
    spec: { replicas: getPath(o, spec.specReplicasPath.replace(/^\./, '')) ?? 0 },
    status: {
      replicas: getPath(o, spec.statusReplicasPath.replace(/^\./, '')) ?? 0,
      ...(typeof selector === 'string' ? { selector } : selectorString(getPath(o, 'spec.selector'))),
    },
  };
};

const selectorString = (sel: unknown): Obj => {
  if (!isObj(sel)) return {};
  // ReplicationController: spec.selector is the label map itself
  const labels = isObj(sel['matchLabels'])
    ? sel['matchLabels']
    : Object.values(sel).every((v) => typeof v === 'string')
      ? sel
      : undefined;
  if (!labels || Object.keys(labels).length === 0) return {};
  return {
    selector: Object.entries(labels)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(','),
  };
};

/** Map patch/apply errors from the patch modules to Status errors. */
export const toStatusError = (err: unknown, def: ResourceDef): StatusError => {
  if (err instanceof StatusError) return err;
  const e = err as {
    name?: string;
    status?: number;
    message?: string;
    conflicts?: { manager: string; field: string; message?: string }[];
  };
  if (err instanceof ApplyConflictError || e.name === 'ApplyConflictError') {
    const conflicts = e.conflicts ?? [];
    return new StatusError(
      409,
      'Conflict',
      e.message ?? 'Apply failed',
      {
        group: def.group === '' ? undefined : def.group,
        kind: def.resource,
        causes: conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: c.message ?? `conflict with "${c.manager}"`,
          field: c.field,
        })),
      },
      { cause: err },
    );
  }
  if (err instanceof PatchError || e.name === 'PatchError') {
    const pe = err as PatchError;
    const status = pe.status ?? 400;
    return new StatusError(
      status,
      pe.reason ?? (status === 422 ? 'Invalid' : 'BadRequest'),
      pe.message,
      pe.causes ? { causes: pe.causes } : undefined,
      { cause: err },
    );
  }
  return internalError(e.message ?? String(err), err);
};

/** Validation of a CustomResourceDefinition object (the subset that matters for serving). */
export const validateCrd = (crd: Obj): StatusCause[] => {
  const causes: StatusCause[] = [];
  const group = getPath(crd, 'spec.group');
  const plural = getPath(crd, 'spec.names.plural');
  const kind = getPath(crd, 'spec.names.kind');
  if (typeof group !== 'string' || group === '')
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.group' });
  if (typeof plural !== 'string' || plural === '')
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.plural' });
  if (typeof kind !== 'string' || kind === '')
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.kind' });
  const scope = getPath(crd, 'spec.scope');
  if (scope !== 'Namespaced' && scope !== 'Cluster')
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(scope ?? '')}: supported values: "Cluster", "Namespaced"`,
      field: 'spec.scope',
    });
  if (typeof group === 'string' && typeof plural === 'string' && nameOf(crd) !== `${plural}.${group}`) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${nameOf(crd)}": must be spec.names.plural+"."+spec.group`,
      field: 'metadata.name',
    });
  }
  const versions = getPath(crd, 'spec.versions');
  if (!Array.isArray(versions) || versions.length === 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: []apiextensions.CustomResourceDefinitionVersion(nil): must have exactly one version marked as storage version',
      field: 'spec.versions',
    });
  } else {
    const storage = versions.filter((v) => isObj(v) && v['storage'] === true).length;
    if (storage !== 1)
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(versions.map((v) => (isObj(v) ? v['name'] : v)))}: must have exactly one version marked as storage version`,
        field: 'spec.versions',
      });
    versions.forEach((v, i) => {
      const schema = isObj(v) ? getPath(v, 'schema.openAPIV3Schema') : undefined;
      if (!isObj(schema)) {
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value: schemas are required',
          field: `spec.versions[${i}].schema.openAPIV3Schema`,
        });
        return;
      }
      for (const e of checkCrdSchema(schema, `spec.versions[${i}].schema.openAPIV3Schema`))
        causes.push({ reason: e.type, message: e.message, field: e.field });
    });
  }
  return causes;
};
