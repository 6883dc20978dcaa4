/**
 * Test helpers for the kustomize and helm kind specs (not exported from the package): look up a node of an
 * OpenAPI schema by field path, and list the fields of an object the schema does not declare (what the API
 * server would prune).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

type Node = Record<string, unknown>;

const isRecord = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Returns the schema node at a dotted field path (`spec.patches[].target.kind`, `status.history[].testHooks{}`),
 * or throws naming the first missing segment.
 */
export function schemaAt(schema: unknown, path: string): Node {
  let node: unknown = schema;
  const segments = path.split('.').flatMap((s) => {
    const m = /^([^[{]*)((?:\[\]|\{\})*)$/.exec(s);
    const name = m?.[1] ?? s;
    const suffixes = (m?.[2] ?? '').match(/\[\]|\{\}/g) ?? [];
    return [name, ...suffixes].filter((x) => x !== '');
  });
  for (const seg of segments) {
    if (!isRecord(node)) throw new Error(`failed to resolve ${path}: not a schema before ${seg}`);
    if (seg === '[]') node = node['items'];
    else if (seg === '{}') node = node['additionalProperties'];
    else node = isRecord(node['properties']) ? node['properties'][seg] : undefined;
    if (node === undefined) throw new Error(`failed to resolve ${path}: no ${seg}`);
  }
  if (!isRecord(node)) throw new Error(`failed to resolve ${path}`);
  return node;
}

/**
 * Lists the field paths of `value` that `schema` does not declare, i.e. what structural pruning would drop.
 * Subtrees under `x-kubernetes-preserve-unknown-fields` are kept whole.
 */
export function undeclaredPaths(value: unknown, schema: unknown, path = ''): string[] {
  if (!isRecord(schema) || schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => undeclaredPaths(v, schema['items'], `${path}[${i}]`));
  }
  if (!isRecord(value)) return [];
  const props = isRecord(schema['properties']) ? schema['properties'] : undefined;
  const additional = schema['additionalProperties'];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const p = path === '' ? key : `${path}.${key}`;
    if (props !== undefined && key in props) out.push(...undeclaredPaths(child, props[key], p));
    else if (isRecord(additional)) out.push(...undeclaredPaths(child, additional, p));
    else if (props !== undefined) out.push(p);
  }
  return out;
}

/** Reads and parses a YAML fixture relative to the calling spec file's URL. */
export function readYamlFixture(relative: string, base: string | URL): Record<string, unknown> {
  const parsed: unknown = parseYaml(readFileSync(new URL(relative, base), 'utf8'));
  if (!isRecord(parsed)) throw new Error(`failed to read fixture ${relative}: not a YAML mapping`);
  return parsed;
}
