import { describe, expect, it } from 'vitest';
import { listTypeAt, mapTypeAt, schemaAt, type JSONSchemaProps } from './index.ts';

const s: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        containers: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              ports: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'integer' } },
            },
          },
        },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      },
    },
  },
};

describe('schemaAt', () => {
  it('finds nested properties and list types', () => {
    expect(schemaAt(s, ['spec', 'containers'])?.['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(listTypeAt(s, ['spec', 'containers'])).toBe('map');
    expect(mapTypeAt(s, ['spec', 'selector'])).toBe('atomic');
  });

  it('enters array items implicitly or by index segment, and map values by any key', () => {
    expect(listTypeAt(s, ['spec', 'containers', 'ports'])).toBe('atomic');
    expect(listTypeAt(s, ['spec', 'containers', '0', 'ports'])).toBe('atomic');
    expect(schemaAt(s, ['spec', 'containers', '[]', 'name'])?.type).toBe('string');
    expect(schemaAt(s, ['spec', 'selector', 'app'])?.type).toBe('string');
  });

  it('returns undefined for unknown paths', () => {
    expect(schemaAt(s, ['spec', 'nope'])).toBeUndefined();
    expect(schemaAt(s, ['spec', 'containers', 'name', 'deeper'])).toBeUndefined();
    expect(schemaAt(s, [])).toBe(s);
  });
});
