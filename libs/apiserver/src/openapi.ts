/**
 * OpenAPI v3 (root index + one document per group/version) and a minimal v2 document.
 * Every resource's PATCH operation advertises the `fieldValidation` query parameter and the
 * `x-kubernetes-group-version-kind` extension, so kubectl (1.27+) leaves field validation to the server
 * (it sends `fieldValidation=Strict`) instead of validating client-side. Strategic merge patch is not
 * listed as a PATCH content type, so kubectl computes apply patches from its compiled-in types.
 */
import { createHash } from 'node:crypto';
import { builtinSchema } from './builtin-schemas.ts';
import type { Registry } from './registry.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { isObj, type Obj } from './util.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** The `components.schemas` key of a kind. */
export const schemaName = (d: { group: string; version: string; kind: string }): string => {
  if (d.group === '') return `io.k8s.api.core.${d.version}.${d.kind}`;
  const parts = d.group.split('.');
  if (d.group.endsWith('.k8s.io')) return `io.k8s.api.${parts[0]}.${d.version}.${d.kind}`;
  if (!d.group.includes('.')) return `io.k8s.api.${d.group}.${d.version}.${d.kind}`;
  return `${parts.reverse().join('.')}.${d.version}.${d.kind}`;
};

const gvkExt = (d: ResourceDef): Obj => ({ group: d.group, version: d.version, kind: d.kind });

const param = (name: string, inWhere: 'query' | 'path', description: string, required = false): Obj => ({
  name,
  in: inWhere,
  description,
  ...(required ? { required: true } : {}),
  schema: { type: 'string', uniqueItems: true },
});

const writeParams = (): Obj[] => [
  param('dryRun', 'query', 'When present, indicates that modifications should not be persisted.'),
  param(
    'fieldManager',
    'query',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  param(
    'fieldValidation',
    'query',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
];

const jsonContent = (ref: string): Obj => ({
  'application/json': { schema: { $ref: `#/components/schemas/${ref}` } },
  'application/yaml': { schema: { $ref: `#/components/schemas/${ref}` } },
});

/** The schema of one kind (CRD schema, or a loose object for built-ins). */
const kindSchema = (reg: Registry, d: ResourceDef): Obj => {
  const info = d.crd ? reg.crdVersion(d.group, d.version, d.resource) : undefined;
  const known = info?.schema ?? (d.crd ? undefined : builtinSchema(d.group, d.version, d.kind));
  const base: Obj = known
    ? structuredClone(known)
    : {
        type: 'object',
        properties: {
          spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
        'x-kubernetes-preserve-unknown-fields': true,
      };
  const props = isObj(base['properties']) ? (base['properties'] as Obj) : {};
  props['apiVersion'] = {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object.',
  };
  props['kind'] = {
    type: 'string',
    description: 'Kind is a string value representing the REST resource this object represents.',
  };
  props['metadata'] = { allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }], default: {} };
  base['properties'] = props;
  base['type'] = 'object';
  base['x-kubernetes-group-version-kind'] = [gvkExt(d)];
  return base;
};

/** The OpenAPI v3 document of one group/version. */
export const openApiV3GroupVersion = (reg: Registry, group: string, version: string): Obj | undefined => {
  const defs = reg.resourcesIn(group, version);
  if (defs.length === 0) return undefined;
  const prefix = group === '' ? '/api/v1' : `/apis/${group}/${version}`;
  const paths: Obj = {};
  const schemas: Obj = {
    [OBJECT_META]: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      description: 'ObjectMeta is metadata that all persisted resources must have.',
    },
    [LIST_META]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': {
      type: 'object',
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    },
    'io.k8s.apimachinery.pkg.apis.meta.v1.Status': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
      'x-kubernetes-preserve-unknown-fields': true,
    },
  };
  for (const d of defs) {
    const ref = schemaName(d);
    schemas[ref] = kindSchema(reg, d);
    const listRef = schemaName({ group: d.group, version: d.version, kind: d.listKind });
    schemas[listRef] = {
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        items: { type: 'array', items: { $ref: `#/components/schemas/${ref}` } },
        metadata: { $ref: `#/components/schemas/${LIST_META}` },
      },
      'x-kubernetes-group-version-kind': [{ group: d.group, version: d.version, kind: d.listKind }],
    };
    if (d.virtual) {
      paths[`${prefix}/${d.namespaced ? 'namespaces/{namespace}/' : ''}${d.resource}`] = {
        post: {
          operationId: `create${d.kind}`,
          parameters: writeParams(),
          requestBody: { content: jsonContent(ref), required: true },
          responses: { '201': { content: jsonContent(ref) } },
          'x-kubernetes-action': 'post',
          'x-kubernetes-group-version-kind': gvkExt(d),
        },
      };
      continue;
    }
    const collection = `${prefix}/${d.namespaced ? 'namespaces/{namespace}/' : ''}${d.resource}`;
    const nsParam = d.namespaced
      ? [param('namespace', 'path', 'object name and auth scope, such as for teams and projects', true)]
      : [];
    paths[collection] = {
      get: {
        operationId: `list${d.kind}`,
        responses: { '200': { content: jsonContent(listRef) } },
        'x-kubernetes-action': 'list',
        'x-kubernetes-group-version-kind': gvkExt(d),
      },
      post: {
        operationId: `create${d.kind}`,
        parameters: writeParams(),
        requestBody: { content: jsonContent(ref), required: true },
        responses: { '201': { content: jsonContent(ref) } },
        'x-kubernetes-action': 'post',
        'x-kubernetes-group-version-kind': gvkExt(d),
      },
      parameters: nsParam,
    };
    const item = (suffix: string): Obj => ({
      get: {
        operationId: `read${d.kind}${suffix}`,
        responses: { '200': { content: jsonContent(ref) } },
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvkExt(d),
      },
      put: {
        operationId: `replace${d.kind}${suffix}`,
        parameters: writeParams(),
        requestBody: { content: jsonContent(ref), required: true },
        responses: { '200': { content: jsonContent(ref) } },
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvkExt(d),
      },
      patch: {
        operationId: `patch${d.kind}${suffix}`,
        parameters: [...writeParams(), param('force', 'query', 'Force is going to "force" Apply requests.')],
        requestBody: {
          content: {
            'application/apply-patch+yaml': {
              schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' },
            },
            'application/json-patch+json': {
              schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' },
            },
            'application/merge-patch+json': {
              schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' },
            },
          },
          required: true,
        },
        responses: { '200': { content: jsonContent(ref) } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvkExt(d),
      },
      parameters: [param('name', 'path', 'name of the object', true), ...nsParam],
    });
    const itemPath = `${collection}/{name}`;
    paths[itemPath] = {
      ...item(''),
      delete: {
        operationId: `delete${d.kind}`,
        responses: { '200': { content: jsonContent('io.k8s.apimachinery.pkg.apis.meta.v1.Status') } },
        'x-kubernetes-action': 'delete',
        'x-kubernetes-group-version-kind': gvkExt(d),
      },
    };
    if (d.status) paths[`${itemPath}/status`] = item('Status');
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths, components: { schemas } };
};

/** The OpenAPI v3 root index; `hashOf(gv)` gives the cache-busting hash of each document. */
export const openApiV3Root = (reg: Registry, hashOf: (group: string, version: string) => string): Obj => {
  const paths: Obj = {};
  for (const g of reg.groups()) {
    for (const v of g.versions) {
      const key = g.group === '' ? 'api/v1' : `apis/${g.group}/${v}`;
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(g.group, v)}` };
    }
  }
  return { paths };
};

/** A hex SHA-512 of a JSON document (the `hash` query of serverRelativeURL). */
export const docHash = (doc: unknown): string =>
  createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();

/** A minimal OpenAPI v2 document (JSON) listing our kinds as loose objects. */
export const openApiV2 = (reg: Registry): Obj => {
  const definitions: Obj = {};
  for (const d of reg.all()) {
    definitions[schemaName(d)] = { type: 'object', 'x-kubernetes-group-version-kind': [gvkExt(d)] };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths: {}, definitions };
};

/**
 * The same minimal v2 document in gnostic protobuf form (what client-go asks for): only `swagger: "2.0"`.
 * Hand-encoded (field 1, wire type 2 → tag 0x0a): five bytes do not justify a protobuf dependency.
 */
export const openApiV2Protobuf = (): Buffer => Buffer.from([0x0a, 0x03, 0x32, 0x2e, 0x30]);

/** `apiVersion` of a def (re-exported for callers building docs). */
export const gvOf = (d: ResourceDef): string => apiVersionOf(d.group, d.version);
