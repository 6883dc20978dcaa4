// YAML output as Helm's toYaml (sigs.k8s.io/yaml.Marshal: encoding/json, then go-yaml v2's emitter), toYamlPretty
// (gopkg.in/yaml.v3 with indent 2, straight from the Go values) and fromYaml/fromYamlArray (sigs.k8s.io/yaml.Unmarshal).
// The emitter is @flux-ts/goyaml's; here are the trees each encoder hands it (numbers, key order, Go types).
import { GO_YAML_V2, YAML_V3, emitDocument, resolve, sortKeys, type YamlNode } from '@flux-ts/goyaml';
import { marshal } from '../sprig/json.ts';
import { formatFloat } from '../template/fmt.ts';
import { GoFloat, GoInt, GoStruct, JsonNumber, isMap, sortedEntries } from '../template/values.ts';
import { parseYaml } from '../values/yaml.ts';

/** A JSON number's text as go-yaml v2 decodes (int, uint64 or float64) and re-encodes it. */
function yamlNumber(text: string): string {
  const r = resolve(text);
  if (r.tag === 'int') return r.value.toString();
  if (r.tag === 'float') return goYamlFloat(r.value);
  return text;
}

function goYamlFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  return formatFloat(f, 'g', -1);
}

/** The tree of encoding/json's output, numbers kept as their text (JSON.parse with source text access). */
function jsonTree(json: string): YamlNode {
  const conv = (v: unknown): YamlNode => {
    if (v === null) return { kind: 'scalar', text: 'null' };
    if (typeof v === 'boolean') return { kind: 'scalar', text: String(v) };
    if (typeof v === 'string') return { kind: 'string', value: v };
    if (v instanceof NumText) return { kind: 'scalar', text: yamlNumber(v.text) };
    if (Array.isArray(v)) return { kind: 'sequence', items: v.map(conv) };
    const o = v as Record<string, unknown>;
    return { kind: 'mapping', entries: sortKeys(Object.keys(o)).map((key) => [key, conv(o[key])]) };
  };
  const parsed: unknown = JSON.parse(json, function (
    this: unknown,
    _key: string,
    value: unknown,
    ctx?: { source?: string },
  ) {
    if (typeof value === 'number') return new NumText(ctx?.source ?? String(value));
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
  return conv(parsed);
}

class NumText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** sigs.k8s.io/yaml.Marshal of a model value (through encoding/json); throws the JSON error. */
export function marshalYaml(v: unknown): string {
  return emitDocument(jsonTree(marshal(v, false)), GO_YAML_V2);
}

/** Helm's toYaml: the YAML without its final newline, or "" if the value cannot be marshalled. */
export function toYaml(v: unknown): string {
  try {
    return marshalYaml(v).replace(/\n$/, '');
  } catch {
    return '';
  }
}

/** The tree of a Go value as yaml.v3 encodes it directly (json.Number is a string, structs by field name). */
function goTree(v: unknown): YamlNode {
  if (v === null || v === undefined) return { kind: 'scalar', text: 'null' };
  switch (typeof v) {
    case 'boolean':
      return { kind: 'scalar', text: String(v) };
    case 'string':
      return { kind: 'string', value: v };
    case 'bigint':
      return { kind: 'scalar', text: v.toString() };
    case 'number':
      return { kind: 'scalar', text: goYamlFloat(v) };
    default:
  }
  if (v instanceof GoInt) return { kind: 'scalar', text: v.value.toString() };
  if (v instanceof GoFloat) return { kind: 'scalar', text: goYamlFloat(v.value) };
  if (v instanceof JsonNumber) return { kind: 'string', value: v.value };
  if (v instanceof Uint8Array) return { kind: 'string', value: Buffer.from(v).toString('utf8') };
  if (Array.isArray(v)) return { kind: 'sequence', items: v.map(goTree) };
  if (isMap(v)) {
    const m = new Map(sortedEntries(v));
    return { kind: 'mapping', entries: sortKeys([...m.keys()]).map((k) => [k, goTree(m.get(k))]) };
  }
  if (v instanceof GoStruct) {
    return { kind: 'mapping', entries: [...v.fields.entries()].map(([k, e]) => [k.toLowerCase(), goTree(e)]) };
  }
  return { kind: 'string', value: String(v) };
}

/** Helm's toYamlPretty: yaml.v3 with a 2-space indent (sequences indented), without the final newline. */
export function toYamlPretty(v: unknown): string {
  try {
    return emitDocument(goTree(v), YAML_V3).replace(/\n$/, '');
  } catch {
    return '';
  }
}

/** toYAML of a map[string]string (AsConfig/AsSecrets), without the final newline, or "" on an error (as toYaml). */
export function stringMapYaml(m: Map<string, string>): string {
  const entries: [string, YamlNode][] = sortKeys([...m.keys()]).map((k) => [
    k,
    { kind: 'string', value: m.get(k) ?? '' },
  ]);
  try {
    return emitDocument({ kind: 'mapping', entries }, GO_YAML_V2).replace(/\n$/, '');
  } catch {
    return '';
  }
}

function goTypeOfJson(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return 'object';
}

/** Helm's fromYaml: a map, or `{Error: message}` when the text is not a YAML map. */
export function fromYaml(text: string): Record<string, unknown> {
  try {
    const v = parseYaml(text, 'float64');
    if (v === null || v === undefined) return {};
    if (!isMap(v)) {
      return {
        Error: `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goTypeOfJson(v)} into Go value of type map[string]interface {}`,
      };
    }
    return v as Record<string, unknown>;
  } catch (e) {
    return { Error: (e as Error).message };
  }
}

/** Helm's fromYamlArray: a list, or `[message]` when the text is not a YAML list. */
export function fromYamlArray(text: string): unknown[] {
  try {
    const v = parseYaml(text, 'float64');
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) {
      return [
        `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goTypeOfJson(v)} into Go value of type []interface {}`,
      ];
    }
    return v;
  } catch (e) {
    return [(e as Error).message];
  }
}
