import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, encodeEnvelope } from './protobuf.ts';
import { decodeMessage, encodeMessage, messageFor } from './protobuf/codec.ts';
import type { Obj } from './util.ts';

/** A CRD using every JSON shape apiextensions.k8s.io/v1 has a custom form for. */
const RICH_CRD: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: 'widgets.example.com',
    uid: 'u-1',
    resourceVersion: '7',
    creationTimestamp: '2026-01-02T03:04:05Z',
  },
  spec: {
    group: 'example.com',
    names: {
      plural: 'widgets',
      singular: 'widget',
      shortNames: ['wd'],
      kind: 'Widget',
      listKind: 'WidgetList',
      categories: ['all'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'A widget',
            required: ['spec'],
            properties: {
              spec: {
                type: 'object',
                'x-kubernetes-validations': [
                  { rule: 'self.min <= self.max', message: 'min must not exceed max' },
                  {
                    rule: 'self.size != oldSelf.size',
                    messageExpression: "'size ' + self.size",
                    reason: 'FieldValueForbidden',
                    fieldPath: '.size',
                    optionalOldSelf: false,
                  },
                ],
                properties: {
                  min: { type: 'integer', format: 'int32', minimum: 0, maximum: 10.5, default: 0 },
                  max: { type: 'integer', minimum: -3, exclusiveMinimum: true, default: 7 },
                  ratio: { type: 'number', multipleOf: 0.25, default: 1.5 },
                  size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                  mode: { type: 'string', enum: ['a', 'b', null], default: 'a', pattern: '^[ab]$', maxLength: 0 },
                  on: { type: 'boolean', default: false, nullable: true },
                  tags: {
                    type: 'array',
                    items: { type: 'string', minLength: 1 },
                    'x-kubernetes-list-type': 'set',
                    minItems: 0,
                    default: ['x', 'y'],
                  },
                  ports: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: { type: 'object', properties: { name: { type: 'string' } } },
                  },
                  tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false },
                  labels: {
                    type: 'object',
                    additionalProperties: { type: 'string' },
                    'x-kubernetes-map-type': 'atomic',
                    default: { a: 'b', n: { deep: [1, null] } },
                  },
                  free: { type: 'object', additionalProperties: true },
                  pruned: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
                  closed: { type: 'object', additionalProperties: false, maxProperties: 3 },
                  raw: { 'x-kubernetes-preserve-unknown-fields': true, example: { any: 'thing' } },
                  embedded: {
                    type: 'object',
                    'x-kubernetes-embedded-resource': true,
                    'x-kubernetes-preserve-unknown-fields': true,
                  },
                  nothing: { type: 'string', default: '' },
                  ref: { $ref: '#/definitions/x', $schema: 'http://json-schema.org/draft-04/schema#' },
                  deps: {
                    type: 'object',
                    dependencies: { a: ['b', 'c'], d: { required: ['e'] } },
                    patternProperties: { '^x-': { type: 'string' } },
                    not: { type: 'null' },
                    externalDocs: { description: 'docs', url: 'https://example.com' },
                  },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.replicas',
            statusReplicasPath: '.status.replicas',
            labelSelectorPath: '.status.selector',
          },
        },
        additionalPrinterColumns: [
          { name: 'Min', type: 'integer', jsonPath: '.spec.min' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 1, description: 'age' },
        ],
        selectableFields: [{ jsonPath: '.spec.mode' }],
      },
      { name: 'v1beta1', served: false, storage: false, deprecated: true, deprecationWarning: 'use v1' },
    ],
    conversion: {
      strategy: 'Webhook',
      webhook: {
        clientConfig: {
          service: { namespace: 'system', name: 'conv', path: '/convert', port: 8443 },
          caBundle: Buffer.from('ca-pem').toString('base64'),
        },
        conversionReviewVersions: ['v1', 'v1beta1'],
      },
    },
  },
  status: {
    conditions: [
      {
        type: 'Established',
        status: 'True',
        lastTransitionTime: '2026-01-02T03:04:06Z',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
      },
    ],
    acceptedNames: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    storedVersions: ['v1'],
  },
};

/** The fields of one message: number → raw values (bytes of length-delimited fields, numbers of varints). */
const fields = (b: Uint8Array): Map<number, (Uint8Array | number)[]> => {
  const r = new BinaryReader(b);
  const out = new Map<number, (Uint8Array | number)[]>();
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    const v = wt === WireType.LengthDelimited ? r.bytes() : wt === WireType.Varint ? Number(r.int64()) : r.double();
    out.set(no, [...(out.get(no) ?? []), v]);
  }
  return out;
};

const one = (m: Map<number, (Uint8Array | number)[]>, no: number): Uint8Array => {
  const v = m.get(no)?.[0];
  if (!(v instanceof Uint8Array)) throw new Error(`field ${no} is not length-delimited`);
  return v;
};

describe('apiextensions.k8s.io/v1 protobuf', () => {
  it('has messages for CustomResourceDefinition and its list', () => {
    expect(messageFor('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).toBe(
      'apiextensions.v1.CustomResourceDefinition',
    );
    expect(messageFor('apiextensions.k8s.io/v1', 'CustomResourceDefinitionList')).toBe(
      'apiextensions.v1.CustomResourceDefinitionList',
    );
  });

  it('round-trips a rich CRD through the envelope unchanged', () => {
    const bytes = encodeEnvelope(RICH_CRD);
    expect(bytes).toBeDefined();
    expect(decodeKubernetesProtobuf(Buffer.from(bytes ?? []))).toEqual(RICH_CRD);
  });

  it('round-trips a CRD list', () => {
    const list = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinitionList',
      metadata: { resourceVersion: '9' },
      items: [RICH_CRD],
    };
    expect(decodeKubernetesProtobuf(Buffer.from(encodeEnvelope(list) ?? []))).toEqual({
      ...list,
      items: [{ metadata: RICH_CRD['metadata'], spec: RICH_CRD['spec'], status: RICH_CRD['status'] }],
    });
  });

  it("writes apiextensions-apiserver's field numbers and the Or* wrapper messages", () => {
    const schema: Obj = {
      $ref: '#/r',
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-int-or-string': true,
      default: { a: 1 },
      enum: ['x', 2],
      maxLength: 0,
      items: [{ type: 'string' }],
      additionalProperties: false,
      properties: { p: { type: 'string' } },
      dependencies: { d: ['e'] },
    };
    const m = fields(encodeMessage(schema, 'apiextensions.v1.JSONSchemaProps'));
    expect(Buffer.from(one(m, 3)).toString()).toBe('#/r');
    expect(m.get(38)).toEqual([1]);
    expect(m.get(40)).toEqual([1]);
    expect(m.get(13)).toEqual([0]);
    // JSON {raw = 1}
    expect(Buffer.from(one(fields(one(m, 8)), 1)).toString()).toBe('{"a":1}');
    expect(m.get(20)?.map((b) => Buffer.from(one(fields(b as Uint8Array), 1)).toString())).toEqual(['"x"', '2']);
    // JSONSchemaPropsOrArray {schema = 1, jSONSchemas = 2}
    const items = fields(one(m, 24));
    expect(items.has(1)).toBe(false);
    expect(Buffer.from(one(fields(one(items, 2)), 5)).toString()).toBe('string');
    // JSONSchemaPropsOrBool {allows = 1, schema = 2}
    expect(fields(one(m, 30)).get(1)).toEqual([0]);
    // map<string, JSONSchemaProps> properties = 29: entry {key = 1, value = 2}
    const entry = fields(one(m, 29));
    expect(Buffer.from(one(entry, 1)).toString()).toBe('p');
    // JSONSchemaPropsOrStringArray {schema = 1, property = 2}
    expect(Buffer.from(one(fields(one(fields(one(m, 32)), 2)), 2)).toString()).toBe('e');
  });

  it('reads JSONSchemaPropsOrBool as Go marshals it: the schema if set, else allows', () => {
    const w = new BinaryWriter();
    w.tag(30, WireType.LengthDelimited).fork().tag(1, WireType.Varint).bool(true).join();
    w.tag(33, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .bool(true)
      .tag(2, WireType.LengthDelimited)
      .fork()
      .tag(5, WireType.LengthDelimited)
      .string('integer')
      .join()
      .join();
    expect(decodeMessage(w.finish(), 'apiextensions.v1.JSONSchemaProps')).toEqual({
      additionalProperties: true,
      additionalItems: { type: 'integer' },
    });
  });
});
