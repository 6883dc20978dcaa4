// Values files as Helm 3.18.0 reads them: go-yaml (YAML 1.1) through sigs.k8s.io/yaml into JSON, whose numbers are
// json.Number (the digits of the JSON text). YAML 1.1 booleans (y, yes, on, off, n, …) also as keys, duplicate keys
// (the last wins), merge keys, timestamps kept as strings (go-yaml does so into interface{}), no sexagesimal numbers.
import { resolve } from '@flux-ts/goyaml';
import { parseAllDocuments, type ScalarTag, type Tags } from 'yaml';
import { formatFloat } from '../template/fmt.ts';
import { JsonNumber } from '../template/values.ts';

/** A values map (map[string]interface{}). */
export type Values = Record<string, unknown>;

/** encoding/json's text of a float64. */
export function jsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`json: unsupported value: ${x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN'}`);
  const abs = Math.abs(x);
  const e = abs !== 0 && (abs < 1e-6 || abs >= 1e21);
  let s = formatFloat(x, e ? 'e' : 'f', -1);
  if (e) s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/** A plain scalar's value as go-yaml v2 resolves it into interface{} (timestamps stay strings). */
function plainValue(s: string): unknown {
  const r = resolve(s);
  return r.tag === 'timestamp' ? s : r.value;
}

const scalar = (tag: string, test: RegExp): ScalarTag => ({
  tag: `tag:yaml.org,2002:${tag}`,
  default: true,
  test,
  resolve: plainValue as ScalarTag['resolve'],
});

/** go-yaml v2's plain scalars (null, YAML 1.1 booleans, .inf/.nan, ints and floats), resolved by @flux-ts/goyaml. */
const GO_SCALARS: ScalarTag[] = [
  scalar('null', /^(?:~|null|Null|NULL)?$/),
  scalar('bool', /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON|n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/),
  scalar('float', /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/),
  scalar('int', /^[-+0-9.].*$/s),
];

const REPLACED = new Set(['null', 'bool', 'int', 'float', 'timestamp'].map((t) => `tag:yaml.org,2002:${t}`));

/** The tags of go-yaml v2 on top of `yaml`'s YAML 1.1 schema (its collections, str, binary, merge, omap, set). */
export function goYamlTags(t: Tags): Tags {
  return [...GO_SCALARS, ...t.filter((x) => !REPLACED.has((x as ScalarTag).tag))];
}

/** The JSON key of a YAML key (sigs.k8s.io/yaml: ints, floats and bools are formatted, null is "null"). */
function jsonKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null || k === undefined)
    throw new Error('error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>');
  if (typeof k === 'bigint' || typeof k === 'boolean') return String(k);
  if (typeof k === 'number') return formatFloat(k, 'g', -1);
  return String(k);
}

/** A value parsed by `yaml` (mapAsMap) → Helm's model: json.Number numbers, plain objects. */
function toHelm(v: unknown): unknown {
  if (typeof v === 'bigint') {
    if (v >= INT64_MIN && v <= UINT64_MAX) return new JsonNumber(v.toString());
    return new JsonNumber(jsonFloat(Number(v)));
  }
  if (typeof v === 'number') return new JsonNumber(jsonFloat(v));
  if (v instanceof Map) {
    const out: Values = {};
    for (const [k, e] of v) out[jsonKey(k)] = toHelm(e);
    return out;
  }
  if (Array.isArray(v)) return v.map(toHelm);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Set) return Object.fromEntries([...v].map((k) => [jsonKey(k), null]));
  if (v === undefined) return null;
  return v;
}

/** How numbers come out: json.Number (chart values.yaml in 3.18.0) or float64 (`-f` files, plain json.Unmarshal). */
export type NumberMode = 'json.Number' | 'float64';

function toFloat64(v: unknown): unknown {
  if (v instanceof JsonNumber) return Number(v.value);
  if (Array.isArray(v)) return v.map(toFloat64);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, toFloat64(e)]));
  }
  return v;
}

/** Parses the first YAML document as go-yaml + sigs.k8s.io/yaml do, into Helm 3.18.0's value model. */
export function parseYaml(text: string, numbers: NumberMode = 'json.Number'): unknown {
  const docs = parseAllDocuments(text, {
    version: '1.1',
    intAsBigInt: true,
    uniqueKeys: false,
    merge: true,
    customTags: goYamlTags,
    prettyErrors: false,
  });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return null;
  if (doc.errors.length > 0) throw new Error(`error converting YAML to JSON: yaml: ${doc.errors[0]?.message ?? ''}`);
  const v = toHelm(doc.toJS({ mapAsMap: true, maxAliasCount: -1 }));
  return numbers === 'float64' ? toFloat64(v) : v;
}

/** chartutil.ReadValues: a YAML document that must be a map (empty → `{}`). */
export function readValues(text: string, numbers: NumberMode = 'json.Number'): Values {
  const v = parseYaml(text, numbers);
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) {
    throw new Error(
      `error unmarshaling JSON: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'number'} into Go value of type map[string]interface {}`,
    );
  }
  return v as Values;
}
