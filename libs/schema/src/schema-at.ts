import type { JSONSchemaProps } from './types.ts';

const isObj = (v: unknown): v is JSONSchemaProps => typeof v === 'object' && v !== null && !Array.isArray(v);
const INDEX = /^(\d+|\[\d*\]|\[\]|\*)$/;

/**
 * Returns the subschema at a field path of property names (what server-side apply needs for
 * `x-kubernetes-list-type` / `x-kubernetes-list-map-keys`). Arrays are entered implicitly (a property name
 * under an array looks in `items`), or explicitly with an index segment (`0`, `[0]`, `[]`, `*`).
 * Map values (`additionalProperties`) are entered by any key.
 */
export function schemaAt(schema: JSONSchemaProps, path: readonly string[]): JSONSchemaProps | undefined {
  let cur: JSONSchemaProps | undefined = isObj(schema) ? schema : undefined;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (isObj(cur.properties) && Object.hasOwn(cur.properties, seg)) {
      cur = cur.properties[seg];
      continue;
    }
    if (isObj(cur.items)) {
      if (INDEX.test(seg)) {
        cur = cur.items;
        continue;
      }
      const item: JSONSchemaProps = cur.items;
      if (isObj(item.properties) && Object.hasOwn(item.properties, seg)) {
        cur = item.properties[seg];
        continue;
      }
      cur = isObj(item.additionalProperties) ? item.additionalProperties : undefined;
      continue;
    }
    if (isObj(cur.additionalProperties)) {
      cur = cur.additionalProperties;
      continue;
    }
    return undefined;
  }
  return cur;
}
