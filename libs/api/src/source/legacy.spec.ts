import { describe, expect, it } from 'vitest';
import { schemaFieldPaths } from '../define.ts';
import { kindEntries, kindSchema } from '../registry.ts';
import { SourceGroup } from './common.ts';

/** Sets a legacy field (dotted path, `[]` = first array item) on an object, creating parents. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = obj;
  for (const part of parts.slice(0, -1)) {
    if (part.endsWith('[]')) {
      const key = part.slice(0, -2);
      const item: Record<string, unknown> = {};
      node[key] = [item];
      node = item;
    } else {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
  }
  node[parts[parts.length - 1] ?? ''] = value;
}

function getPath(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = part.endsWith('[]')
      ? ((node as Record<string, unknown>)[part.slice(0, -2)] as unknown[] | undefined)?.[0]
      : (node as Record<string, unknown>)[part];
  }
  return node;
}

describe('source legacy fields', () => {
  for (const { definition: def, normalize } of kindEntries.filter((e) => e.definition.group === SourceGroup)) {
    it(`${def.kind}: every legacy field is in the schema, removed by normalize and named in a warning`, () => {
      const paths = new Set(schemaFieldPaths(kindSchema(def)));
      const obj: Record<string, unknown> = {
        apiVersion: `${def.group}/v1beta2`,
        kind: def.kind,
        metadata: { name: 'legacy' },
        spec: {},
      };
      for (const field of def.legacyFields) {
        expect(paths.has(field.path), `${field.path} in schema`).toBe(true);
        setPath(obj, field.path, field.path.endsWith('accessFrom') ? { namespaceSelectors: [] } : 'abc');
      }
      const { object, warnings } = normalize(obj);
      for (const field of def.legacyFields) {
        expect(getPath(object, field.path), `${field.path} removed`).toBeUndefined();
        const named = field.path.replaceAll('[]', '[0]');
        expect(
          warnings.some((w) => w.startsWith(`${named}:`)),
          `warning for ${named} in ${JSON.stringify(warnings)}`,
        ).toBe(true);
      }
      expect(warnings).toHaveLength(def.legacyFields.length + 1);
    });
  }
});
