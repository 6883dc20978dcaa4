// The YAML of `kubectl kustomize`: kustomize serialises each resource through JSON and then sigs.k8s.io/yaml (go-yaml
// v2), so the emitter is @flux-ts/goyaml's with go-yaml v2's options: keys in go-yaml's order, sequences not
// indented under their key, v2's scalar styles and its folding of long lines at 80 columns. Here are the value
// model of a parsed manifest and its numbers.
import { GO_YAML_V2, emitDocument as emitGoYaml, sortKeys, type YamlNode } from '@flux-ts/goyaml';

/** go-yaml's keyList.Less and key order, re-exported for kustomize's callers. */
export { keyLess as goYamlKeyLess, sortKeys } from '@flux-ts/goyaml';

/** A JSON-like value as produced by parsing a manifest. */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

/** Formats a number as Go's JSON encoder followed by go-yaml v2 would. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : n < 0 ? '-.inf' : '.nan';
  // strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form when exp < -4 || exp >= 6.
  const [mant = '', e = '0'] = n.toExponential().split('e');
  const ev = Number(e);
  if (ev < -4 || ev >= 6) return `${mant}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
  return String(n);
}

/** The emitter's tree of a value (undefined map entries are dropped, an undefined item is null). */
function toNode(v: YamlValue | undefined): YamlNode {
  if (v === null || v === undefined) return { kind: 'scalar', text: 'null' };
  if (typeof v === 'boolean') return { kind: 'scalar', text: v ? 'true' : 'false' };
  if (typeof v === 'number') return { kind: 'scalar', text: formatNumber(v) };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) return { kind: 'sequence', items: v.map(toNode) };
  const keys = sortKeys(Object.keys(v).filter((k) => v[k] !== undefined));
  return { kind: 'mapping', entries: keys.map((k) => [k, toNode(v[k])]) };
}

/** Serialises one document (without a leading `---`), ending with a newline. */
export function emitDocument(v: YamlValue): string {
  return emitGoYaml(toNode(v), GO_YAML_V2);
}
