import { describe, expect, it } from 'vitest';
import { applyDefaults, prune, type JSONSchemaProps } from './index.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        interval: { type: 'string' },
        timeout: { type: 'string', default: '60s' },
        suspend: { type: 'boolean', default: false },
        ref: {
          type: 'object',
          default: { branch: 'master' },
          properties: { branch: { type: 'string' }, depth: { type: 'integer', default: 1 } },
        },
        nullableWithDefault: { type: 'string', nullable: true, default: 'x' },
        noDefault: { type: 'string' },
        list: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        scalars: { type: 'array', items: { type: 'string', default: 'd' } },
        labels: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { v: { type: 'string', default: 'dv' } } },
        },
        opt: { type: 'object', properties: { inner: { type: 'string', default: 'i' } } },
      },
    },
  },
};

describe('applyDefaults', () => {
  it('fills absent properties of present objects, nested defaults included', () => {
    const got = applyDefaults(schema, { spec: { interval: '1m' } });
    expect(got).toEqual({
      spec: {
        interval: '1m',
        timeout: '60s',
        suspend: false,
        ref: { branch: 'master', depth: 1 },
        nullableWithDefault: 'x',
      },
    });
  });

  it('does not create absent objects that have no default (opt)', () => {
    const got = applyDefaults(schema, { spec: {} }) as { spec: Record<string, unknown> };
    expect(got.spec['opt']).toBeUndefined();
    expect(applyDefaults(schema, { spec: { opt: {} } })).toMatchObject({ spec: { opt: { inner: 'i' } } });
  });

  it('does not overwrite present values and does not mutate the input', () => {
    const input = { spec: { timeout: '5s', ref: { branch: 'main' } } };
    const got = applyDefaults(schema, input);
    expect(got).toMatchObject({ spec: { timeout: '5s', ref: { branch: 'main', depth: 1 } } });
    expect(input).toEqual({ spec: { timeout: '5s', ref: { branch: 'main' } } });
  });

  it('defaults array items and additionalProperties values', () => {
    const got = applyDefaults(schema, {
      spec: { list: [{ name: 'a' }, { name: 'b', port: 8080 }], labels: { k: {} } },
    });
    expect(got).toMatchObject({
      spec: {
        list: [
          { name: 'a', port: 80 },
          { name: 'b', port: 8080 },
        ],
        labels: { k: { v: 'dv' } },
      },
    });
  });

  it('replaces non-nullable nulls that have a default and drops those that have none', () => {
    const got = applyDefaults(schema, {
      spec: { timeout: null, noDefault: null, nullableWithDefault: null, scalars: [null, 'x'] },
    });
    expect(got).toEqual({
      spec: {
        timeout: '60s',
        suspend: false,
        ref: { branch: 'master', depth: 1 },
        nullableWithDefault: null,
        scalars: ['d', 'x'],
      },
    });
  });

  it('leaves non-objects alone', () => {
    expect(applyDefaults(schema, 'x')).toBe('x');
    expect(applyDefaults(schema, null)).toBe(null);
  });
});

const pruneSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        keep: { type: 'string' },
        values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        mixed: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { typed: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } },
        },
        raw: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        maps: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    },
  },
};

describe('prune', () => {
  it('drops unknown fields and reports dotted paths', () => {
    const r = prune(pruneSchema, {
      spec: { keep: 'a', drop: 1, items: [{ name: 'x', extra: true }, { name: 'y' }] },
      status: {},
    });
    expect(r.value).toEqual({ spec: { keep: 'a', items: [{ name: 'x' }, { name: 'y' }] } });
    expect(r.pruned).toEqual(['spec.drop', 'spec.items[0].extra', 'status']);
  });

  it('keeps apiVersion/kind/metadata at a resource root only when asked', () => {
    const obj = { apiVersion: 'v1', kind: 'X', metadata: { name: 'n', whatever: 1 }, spec: {} };
    expect(prune(pruneSchema, obj, { isResourceRoot: true })).toEqual({ value: obj, pruned: [] });
    expect(prune(pruneSchema, obj).pruned).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('respects preserve-unknown-fields, still pruning specified properties below it', () => {
    const r = prune(pruneSchema, {
      spec: { values: { any: { deep: [1, { x: 2 }] } }, mixed: { free: { a: 1 }, typed: { a: 'ok', b: 'gone' } } },
    });
    expect(r.value).toEqual({
      spec: { values: { any: { deep: [1, { x: 2 }] } }, mixed: { free: { a: 1 }, typed: { a: 'ok' } } },
    });
    expect(r.pruned).toEqual(['spec.mixed.typed.b']);
  });

  it('keeps embedded resource metadata but prunes the rest by the schema', () => {
    const r = prune(pruneSchema, {
      spec: {
        template: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { labels: { a: 'b' } },
          spec: { replicas: 2, paused: true },
          x: 1,
        },
        raw: { apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v' } },
      },
    });
    expect(r.value).toEqual({
      spec: {
        template: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { labels: { a: 'b' } },
          spec: { replicas: 2 },
        },
        raw: { apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v' } },
      },
    });
    expect(r.pruned).toEqual(['spec.template.spec.paused', 'spec.template.x']);
  });

  it('prunes inside additionalProperties maps', () => {
    const r = prune(pruneSchema, { spec: { labels: { a: 'b' }, maps: { k1: { a: 'x', b: 'y' } } } });
    expect(r.value).toEqual({ spec: { labels: { a: 'b' }, maps: { k1: { a: 'x' } } } });
    expect(r.pruned).toEqual(['spec.maps.k1.b']);
  });

  it('does not mutate its input', () => {
    const input = { spec: { keep: 'a', drop: 1 } };
    prune(pruneSchema, input);
    expect(input).toEqual({ spec: { keep: 'a', drop: 1 } });
  });
});
