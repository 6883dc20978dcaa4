import { GO_YAML_V2, emitDocument, sortKeys, type YamlNode } from '@flux-ts/goyaml';

/** A JSON value as flux marshals it: `undefined` members are Go's omitted `omitempty` fields. */
export type GoValue =
  null | boolean | number | string | readonly GoValue[] | { readonly [key: string]: GoValue | undefined };

function toNode(v: unknown): YamlNode {
  if (v === null || v === undefined) return { kind: 'scalar', text: 'null' };
  if (typeof v === 'boolean') return { kind: 'scalar', text: v ? 'true' : 'false' };
  if (typeof v === 'number') return { kind: 'scalar', text: String(v) };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) return { kind: 'sequence', items: (v as readonly unknown[]).map(toNode) };
  if (typeof v !== 'object') throw new TypeError(`cannot marshal a ${typeof v}`);
  const obj = v as Readonly<Record<string, unknown>>;
  const keys = sortKeys(Object.keys(obj).filter((k) => obj[k] !== undefined));
  return { kind: 'mapping', entries: keys.map((k) => [k, toNode(obj[k])]) };
}

/**
 * The YAML of sigs.k8s.io/yaml's `Marshal` (JSON, then go-yaml v2 with its key order), which every `flux create …
 * --export` prints. The caller leaves out what flux's `resourceToString` strips (`creationTimestamp: null`, `status: {}`).
 */
export function marshalYaml(obj: object): string {
  return emitDocument(toNode(obj), GO_YAML_V2);
}

/** flux's `printExport(exportX(obj))`: `---` and the object. */
export function exportObject(obj: object): string {
  return `---\n${marshalYaml(obj)}`;
}

/** flux's secret export (`Println("---")`, `Println(resourceToString(data))`): the object and one more newline. */
export function exportSecret(obj: object): string {
  return `---\n${marshalYaml(obj)}\n`;
}
