import { describe, expect, it } from 'vitest';
import { formatFieldError, StructuralSchema, validate, type JSONSchemaProps } from './index.ts';

/** Wraps a property schema as `spec.x` of an object root, like a CRD. */
function specX(x: JSONSchemaProps, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', properties: { x }, ...extra } } };
}

function messages(schema: JSONSchemaProps, value: unknown): string[] {
  return validate(schema, value).map(formatFieldError);
}

const DURATION = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

describe('validate: keyword table', () => {
  const cases: { name: string; x: JSONSchemaProps; value: unknown; want: string[] }[] = [
    // type
    { name: 'string ok', x: { type: 'string' }, value: 'a', want: [] },
    {
      name: 'integer given string',
      x: { type: 'integer' },
      value: 'string',
      want: ['spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"'],
    },
    {
      name: 'string given integer',
      x: { type: 'string' },
      value: 5,
      want: ['spec.x: Invalid value: "integer": spec.x in body must be of type string: "integer"'],
    },
    {
      name: 'integer given fraction',
      x: { type: 'integer' },
      value: 1.5,
      want: ['spec.x: Invalid value: "number": spec.x in body must be of type integer: "number"'],
    },
    { name: 'integer given whole float', x: { type: 'integer' }, value: 3.0, want: [] },
    { name: 'number given integer', x: { type: 'number' }, value: 3, want: [] },
    {
      name: 'boolean given object',
      x: { type: 'boolean' },
      value: {},
      want: ['spec.x: Invalid value: "object": spec.x in body must be of type boolean: "object"'],
    },
    {
      name: 'object given array',
      x: { type: 'object' },
      value: [],
      want: ['spec.x: Invalid value: "array": spec.x in body must be of type object: "array"'],
    },
    // nullable
    {
      name: 'null without nullable',
      x: { type: 'string' },
      value: null,
      want: ['spec.x: Invalid value: "null": spec.x in body must be of type string: "null"'],
    },
    { name: 'null with nullable', x: { type: 'string', nullable: true }, value: null, want: [] },
    // int-or-string
    { name: 'int-or-string int', x: { 'x-kubernetes-int-or-string': true }, value: 8080, want: [] },
    { name: 'int-or-string string', x: { 'x-kubernetes-int-or-string': true }, value: '50%', want: [] },
    {
      name: 'int-or-string bool',
      x: { 'x-kubernetes-int-or-string': true },
      value: true,
      want: ['spec.x: Invalid value: "boolean": spec.x in body must be of type integer,string: "boolean"'],
    },
    // preserve-unknown without type: anything goes
    { name: 'untyped preserve', x: { 'x-kubernetes-preserve-unknown-fields': true }, value: [1, { a: 'b' }], want: [] },
    // enum
    {
      name: 'enum strings',
      x: { type: 'string', enum: ['generic', 'aws'] },
      value: 'foo',
      want: ['spec.x: Unsupported value: "foo": supported values: "generic", "aws"'],
    },
    {
      name: 'enum integers',
      x: { type: 'integer', enum: [1, 2] },
      value: 3,
      want: ['spec.x: Unsupported value: 3: supported values: "1", "2"'],
    },
    { name: 'enum match', x: { type: 'string', enum: ['a'] }, value: 'a', want: [] },
    // pattern
    { name: 'duration ok', x: { type: 'string', pattern: DURATION }, value: '1h30m', want: [] },
    { name: 'duration fractional', x: { type: 'string', pattern: DURATION }, value: '1.5s', want: [] },
    { name: 'duration ms', x: { type: 'string', pattern: DURATION }, value: '500ms', want: [] },
    {
      name: 'duration bad',
      x: { type: 'string', pattern: DURATION },
      value: 'abc',
      want: [`spec.x: Invalid value: "abc": spec.x in body should match '${DURATION}'`],
    },
    {
      name: 'duration missing unit',
      x: { type: 'string', pattern: DURATION },
      value: '10',
      want: [`spec.x: Invalid value: "10": spec.x in body should match '${DURATION}'`],
    },
    {
      name: 'duration with days is not allowed',
      x: { type: 'string', pattern: DURATION },
      value: '1d',
      want: [`spec.x: Invalid value: "1d": spec.x in body should match '${DURATION}'`],
    },
    { name: 'pattern is a search, not anchored', x: { type: 'string', pattern: 'b' }, value: 'abc', want: [] },
    { name: 'go \\s is ASCII only', x: { type: 'string', pattern: '^\\s$' }, value: '\t', want: [] },
    {
      name: 'go \\s does not match NBSP',
      x: { type: 'string', pattern: '^\\s$' },
      value: '\u00a0',
      // strconv.Quote escapes NBSP (not unicode.IsPrint)
      want: ['spec.x: Invalid value: "\\u00a0": spec.x in body should match \'^\\s$\''],
    },
    { name: 'go-only syntax (?i) and \\z', x: { type: 'string', pattern: '(?i)^abc\\z' }, value: 'ABC', want: [] },
    {
      name: 'invalid pattern reported, not thrown',
      x: { type: 'string', pattern: '(a' },
      value: 'a',
      want: [
        'spec.x: Invalid value: "a": spec.x in body should match \'(a, but pattern is invalid: error parsing regexp: missing closing ): `(a`\'',
      ],
    },
    // lengths (code points)
    { name: 'maxLength counts code points', x: { type: 'string', maxLength: 2 }, value: '😀😀', want: [] },
    {
      name: 'maxLength too long',
      x: { type: 'string', maxLength: 2 },
      value: 'abc',
      want: ['spec.x: Too long: may not be more than 2 bytes'],
    },
    {
      name: 'minLength',
      x: { type: 'string', minLength: 3 },
      value: 'é',
      want: ['spec.x: Invalid value: "é": spec.x in body should be at least 3 chars long'],
    },
    {
      name: 'maxLength stops further string checks',
      x: { type: 'string', maxLength: 1, pattern: '^z$' },
      value: 'abc',
      want: ['spec.x: Too long: may not be more than 1 byte'],
    },
    // numbers
    {
      name: 'maximum',
      x: { type: 'integer', maximum: 10 },
      value: 11,
      want: ['spec.x: Invalid value: 11: spec.x in body should be less than or equal to 10'],
    },
    {
      name: 'exclusiveMaximum',
      x: { type: 'integer', maximum: 10, exclusiveMaximum: true },
      value: 10,
      want: ['spec.x: Invalid value: 10: spec.x in body should be less than 10'],
    },
    {
      name: 'minimum',
      x: { type: 'integer', minimum: 1 },
      value: 0,
      want: ['spec.x: Invalid value: 0: spec.x in body should be greater than or equal to 1'],
    },
    {
      name: 'exclusiveMinimum number',
      x: { type: 'number', minimum: 0.5, exclusiveMinimum: true },
      value: 0.5,
      want: ['spec.x: Invalid value: 0.5: spec.x in body should be greater than 0.5'],
    },
    {
      name: 'multipleOf integer',
      x: { type: 'integer', multipleOf: 5 },
      value: 12,
      want: ['spec.x: Invalid value: 12: spec.x in body should be a multiple of 5'],
    },
    { name: 'multipleOf fraction ok', x: { type: 'number', multipleOf: 0.1 }, value: 0.3, want: [] },
    {
      name: 'multipleOf fraction bad',
      x: { type: 'number', multipleOf: 0.5 },
      value: 0.7,
      want: ['spec.x: Invalid value: 0.7: spec.x in body should be a multiple of 0.5'],
    },
    // arrays
    {
      name: 'minItems',
      x: { type: 'array', items: { type: 'string' }, minItems: 1 },
      value: [],
      want: ['spec.x: Invalid value: 0: spec.x in body should have at least 1 items'],
    },
    {
      name: 'maxItems',
      x: { type: 'array', items: { type: 'string' }, maxItems: 1 },
      value: ['a', 'b'],
      want: ['spec.x: Too many: 2: must have at most 1 item'],
    },
    {
      name: 'items are validated with an index path',
      x: { type: 'array', items: { type: 'string' } },
      value: ['a', 2],
      want: ['spec.x[1]: Invalid value: "integer": spec.x[1] in body must be of type string: "integer"'],
    },
    {
      name: 'uniqueItems',
      x: { type: 'array', items: { type: 'object' }, uniqueItems: true },
      value: [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      want: ['spec.x: Invalid value: "": spec.x in body shouldn\'t contain duplicates'],
    },
    // objects
    {
      name: 'minProperties',
      x: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 2 },
      value: { a: 'b' },
      want: ['spec.x: Invalid value: 1: spec.x in body should have at least 2 properties'],
    },
    {
      name: 'maxProperties',
      x: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 },
      value: { a: 'b', c: 'd' },
      want: ['spec.x: Too many: 2: must have at most 1 item'],
    },
    {
      name: 'additionalProperties values',
      x: { type: 'object', additionalProperties: { type: 'string' } },
      value: { a: 'b', c: 1 },
      want: ['spec.x.c: Invalid value: "integer": spec.x.c in body must be of type string: "integer"'],
    },
    {
      name: 'required nested',
      x: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      value: {},
      want: ['spec.x.name: Required value'],
    },
    // formats
    { name: 'date-time ok', x: { type: 'string', format: 'date-time' }, value: '2024-01-02T03:04:05Z', want: [] },
    {
      name: 'date-time bad',
      x: { type: 'string', format: 'date-time' },
      value: 'yesterday',
      want: ['spec.x: Invalid value: "yesterday": spec.x in body must be of type date-time: "yesterday"'],
    },
    {
      name: 'byte bad',
      x: { type: 'string', format: 'byte' },
      value: 'not base64!',
      want: ['spec.x: Invalid value: "not base64!": spec.x in body must be of type byte: "not base64!"'],
    },
    { name: 'uri ok', x: { type: 'string', format: 'uri' }, value: 'https://example.com/x', want: [] },
    { name: 'uuid ok', x: { type: 'string', format: 'uuid' }, value: '123E4567-E89B-12D3-A456-426614174000', want: [] },
    { name: 'int32 is stripped by the apiserver', x: { type: 'integer', format: 'int32' }, value: 2 ** 40, want: [] },
    { name: 'unknown formats are ignored', x: { type: 'string', format: 'hex-bytes' }, value: 'zz', want: [] },
    // value validations
    {
      name: 'anyOf none',
      x: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] },
      value: 'c',
      want: [
        '<nil>: Invalid value: "": "spec.x" must validate at least one schema (anyOf)',
        'spec.x: Invalid value: "c": spec.x in body should match \'^a\'',
      ],
    },
    { name: 'anyOf one', x: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] }, value: 'b', want: [] },
    {
      name: 'oneOf two valid',
      x: { type: 'string', oneOf: [{ pattern: 'a' }, { pattern: 'b' }] },
      value: 'ab',
      want: [
        '<nil>: Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found 2 valid alternatives',
      ],
    },
    {
      name: 'allOf',
      x: { type: 'string', allOf: [{ minLength: 2 }, { pattern: '^a' }] },
      value: 'b',
      want: [
        'spec.x: Invalid value: "b": spec.x in body should be at least 2 chars long',
        'spec.x: Invalid value: "b": spec.x in body should match \'^a\'',
        '<nil>: Invalid value: "": "spec.x" must validate all the schemas (allOf). None validated',
      ],
    },
    {
      name: 'not',
      x: { type: 'string', not: { enum: ['forbidden'] } },
      value: 'forbidden',
      want: ['<nil>: Invalid value: "": "spec.x" must not validate the schema (not)'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(messages(specX(c.x), { spec: { x: c.value } })).toEqual(c.want);
    });
  }
});

describe('validate: objects, lists and embedded resources', () => {
  it('reports required at the object path and nothing for present nulls', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['url', 'b'],
          properties: { url: { type: 'string' }, b: { type: 'string', nullable: true } },
        },
      },
    };
    expect(messages(s, { spec: { b: null } })).toEqual(['spec.url: Required value']);
  });

  it('reports the root type with the apiserver <nil> path and honours rootPath', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { a: { type: 'string' } } };
    expect(messages(s, 'x')).toEqual(['<nil>: Invalid value: "string":  in body must be of type object: "string"']);
    expect(validate(s, { a: 1 }, { rootPath: 'spec' }).map(formatFieldError)).toEqual([
      'spec.a: Invalid value: "integer": a in body must be of type string: "integer"',
    ]);
  });

  it('list-type set reports duplicates', () => {
    const x: JSONSchemaProps = { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } };
    expect(messages(specX(x), { spec: { x: ['a', 'b', 'a', 'a'] } })).toEqual(['spec.x[2]: Duplicate value: "a"']);
  });

  it('list-type map reports duplicate keys with the key map', () => {
    const x: JSONSchemaProps = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
    };
    const errs = validate(specX(x), { spec: { x: [{ name: 'a', v: 1 }, { name: 'b' }, { name: 'a', v: 2 }] } });
    expect(errs).toEqual([{ type: 'FieldValueDuplicate', field: 'spec.x[2]', badValue: { name: 'a' }, detail: '' }]);
    expect(errs.map(formatFieldError)).toEqual(['spec.x[2]: Duplicate value: map[string]interface {}{"name":"a"}']);
  });

  it('list-type map with two keys', () => {
    const x: JSONSchemaProps = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
    };
    const v = {
      spec: {
        x: [
          { port: 80, protocol: 'TCP' },
          { port: 80, protocol: 'UDP' },
          { protocol: 'TCP', port: 80 },
        ],
      },
    };
    expect(messages(specX(x), v)).toEqual([
      'spec.x[2]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
    ]);
  });

  it('embedded resources need apiVersion and kind', () => {
    const s = specX({
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(messages(s, { spec: { x: { kind: '' } } })).toEqual([
      'spec.x.apiVersion: Required value: must not be empty',
      'spec.x.kind: Invalid value: "": must not be empty',
    ]);
    expect(messages(s, { spec: { x: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } } } })).toEqual([]);
  });

  it('treats undefined properties as absent', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      required: ['a'],
      maxProperties: 1,
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    };
    expect(messages(s, { a: 'x', b: undefined })).toEqual([]);
    expect(messages(s, { a: undefined })).toEqual(['a: Required value']);
  });

  it('never throws on malformed schemas or values', () => {
    const bad = {
      type: 'object',
      properties: { a: null, b: 5 },
      required: 'nope',
      enum: 'x',
    } as unknown as JSONSchemaProps;
    expect(() => validate(bad, { a: 1, b: 2 })).not.toThrow();
    expect(() => validate(null as unknown as JSONSchemaProps, { a: 1 })).not.toThrow();
    expect(() => validate({ type: 'object' }, undefined)).not.toThrow();
  });

  it('a compiled StructuralSchema gives the same answers repeatedly', () => {
    const s = new StructuralSchema(specX({ type: 'string', pattern: DURATION }));
    for (let i = 0; i < 3; i++) {
      expect(s.validate({ spec: { x: 'nope' } }).map(formatFieldError)).toEqual([
        `spec.x: Invalid value: "nope": spec.x in body should match '${DURATION}'`,
      ]);
      expect(s.validate({ spec: { x: '5m' } })).toEqual([]);
    }
  });
});
