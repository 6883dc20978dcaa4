import { describe, expect, it } from 'vitest';
import { checkStructural, formatFieldError, type JSONSchemaProps } from './index.ts';

const msgs = (s: JSONSchemaProps): string[] => checkStructural(s).map(formatFieldError);

describe('checkStructural', () => {
  it('accepts a typical structural CRD schema', () => {
    expect(
      msgs({
        type: 'object',
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object' },
          spec: {
            type: 'object',
            required: ['interval'],
            'x-kubernetes-validations': [{ rule: 'has(self.interval)' }],
            properties: {
              interval: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' },
              port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
              values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              list: {
                type: 'array',
                'x-kubernetes-list-type': 'map',
                'x-kubernetes-list-map-keys': ['name'],
                items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
              },
              timeout: { type: 'string', default: '60s' },
            },
          },
        },
      }),
    ).toEqual([]);
  });

  it('requires types and forbids generics under value validations (sorted like Go)', () => {
    expect(
      msgs({
        type: 'object',
        properties: {
          a: { properties: { b: { type: 'string' } } },
          c: {
            type: 'string',
            anyOf: [{ type: 'string', default: 'x', description: 'd' }],
            allOf: [{ nullable: true }],
          },
          d: { type: 'array' },
        },
      }),
    ).toEqual([
      'openAPIV3Schema.properties[a].type: Required value: must not be empty for specified object fields',
      'openAPIV3Schema.properties[c].allOf[0].nullable: Forbidden: must be false to be structural',
      'openAPIV3Schema.properties[c].anyOf[0].default: Forbidden: must be undefined to be structural',
      'openAPIV3Schema.properties[c].anyOf[0].description: Forbidden: must be empty to be structural',
      'openAPIV3Schema.properties[c].anyOf[0].type: Forbidden: must be empty to be structural',
      'openAPIV3Schema.properties[d].items: Required value: must be specified',
    ]);
  });

  it('reports bad patterns, bad CEL, list-type misuse and invalid defaults', () => {
    expect(
      msgs({
        type: 'object',
        properties: {
          p: { type: 'string', pattern: '(a' },
          r: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self ==' }] },
          m: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } },
          n: { type: 'integer', default: 'x' },
          u: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
      }),
    ).toEqual([
      'openAPIV3Schema.properties[m].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
      'openAPIV3Schema.properties[n].default: Invalid value: "string":  in body must be of type integer: "string"',
      'openAPIV3Schema.properties[p].pattern: Invalid value: "(a": must be a valid regular expression, but isn\'t: error parsing regexp: missing closing ): `(a`',
      expect.stringMatching(
        /^openAPIV3Schema\.properties\[r\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self ==": compilation failed: <input>:1:\d+: /,
      ),
      'openAPIV3Schema.properties[u].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    ]);
  });

  it('checks embedded resources and the root', () => {
    expect(
      msgs({
        type: 'string',
        additionalProperties: { type: 'string' },
      } as JSONSchemaProps),
    ).toEqual([
      'openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root',
      'openAPIV3Schema.type: Invalid value: "string": must be object at the root',
    ]);
    expect(
      msgs({ type: 'object', properties: { e: { type: 'object', 'x-kubernetes-embedded-resource': true } } }),
    ).toEqual([
      'openAPIV3Schema.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
    ]);
  });
});
