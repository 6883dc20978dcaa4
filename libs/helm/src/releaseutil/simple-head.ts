// releaseutil.SimpleHead as helm 3.18.0 reads it from a manifest: sigs.k8s.io/yaml.Unmarshal, i.e. go-yaml v2
// (YAML 1.1) converted to JSON with the struct as target (scalars decoded into string fields are formatted), then
// encoding/json into the struct (keys matched case-insensitively, the first type error reported).
import { parseDocument } from 'yaml';
import { formatFloat } from '../template/fmt.ts';
import { goYamlTags } from '../values/yaml.ts';
import { fastSimpleHead } from './fast-head.ts';
import { goYamlError } from './yaml-errors.ts';
import { jsonKind } from '../chart/metadata.ts';

/** releaseutil.SimpleHead: the head of a manifest. */
export interface SimpleHead {
  /** `apiVersion` (json:"apiVersion"). */
  version: string;
  kind: string;
  /** null when the manifest has no (or a null) `metadata`. */
  metadata: { name: string; annotations: Record<string, string> | null } | null;
}

const METADATA_TYPE =
  'struct { Name string "json:\\"name\\""; Annotations map[string]string "json:\\"annotations\\"" }';

class TypeErrors {
  first: string | undefined;
  fail(v: unknown, field: string, goType: string): void {
    this.first ??= `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${goType}`;
  }
  /** A string target: sigs.k8s.io/yaml formats ints, floats (as float32 'g') and bools; null leaves it empty. */
  str(v: unknown, field: string): string {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return formatFloat(v, 'g', -1, 32);
    if (typeof v === 'boolean') return String(v);
    this.fail(v, field, 'string');
    return '';
  }
}

/** The object's entries in encoding/json's order of the JSON text (sorted keys), matched case-insensitively. */
function fields(o: Map<unknown, unknown>, names: readonly string[]): Map<string, unknown> {
  const keys: [string, unknown][] = [];
  for (const [k, v] of o) keys.push([jsonKey(k), v]);
  keys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new Map<string, unknown>();
  for (const [k, v] of keys) {
    const name = names.includes(k) ? k : names.find((n) => n.toLowerCase() === k.toLowerCase());
    if (name !== undefined) out.set(name, v);
  }
  return out;
}

function jsonKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number') return formatFloat(k, 'g', -1);
  return String(k);
}

const isMap = (v: unknown): v is Map<unknown, unknown> => v instanceof Map;

/** The go-yaml value of one document (YAML 1.1, ints as bigint, maps as Map), or the error helm reports. */
function parseHead(text: string): unknown {
  const doc = parseDocument(text, {
    version: '1.1',
    intAsBigInt: true,
    uniqueKeys: false,
    merge: true,
    customTags: goYamlTags,
    prettyErrors: false,
  });
  const err = doc.errors[0];
  if (err !== undefined) throw new Error(`error converting YAML to JSON: ${goYamlError(text, err)}`, { cause: err });
  try {
    return doc.toJS({ mapAsMap: true, maxAliasCount: -1 });
  } catch (e) {
    const m = /(?:Aliased anchor not found|Unresolved alias \(the anchor must be set before the alias\)): (.*)$/.exec(
      (e as Error).message,
    );
    const msg = m ? `yaml: unknown anchor '${m[1]}' referenced` : `yaml: ${(e as Error).message}`;
    throw new Error(`error converting YAML to JSON: ${msg}`, { cause: e });
  }
}

/**
 * Reads the SimpleHead of a manifest as `yaml.Unmarshal([]byte(m), &entry)` does in SortManifests; throws the
 * error sigs.k8s.io/yaml returns (`error converting YAML to JSON: yaml: …`, `error unmarshaling JSON: while decoding
 * JSON: json: cannot unmarshal …`).
 */
export function readSimpleHead(manifest: string): SimpleHead {
  return fastSimpleHead(manifest) ?? parseSimpleHead(manifest);
}

/** {@link readSimpleHead} without the fast path: the document parsed by the `yaml` package. */
export function parseSimpleHead(manifest: string): SimpleHead {
  const raw = parseHead(manifest);
  const head: SimpleHead = { version: '', kind: '', metadata: null };
  if (raw === null || raw === undefined) return head;
  const wrap = (m: string): Error => new Error(`error unmarshaling JSON: while decoding JSON: ${m}`);
  if (!isMap(raw)) throw wrap(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type releaseutil.SimpleHead`);
  const t = new TypeErrors();
  const f = fields(raw, ['apiVersion', 'kind', 'metadata']);
  if (f.has('apiVersion')) head.version = t.str(f.get('apiVersion'), 'SimpleHead.apiVersion');
  if (f.has('kind')) head.kind = t.str(f.get('kind'), 'SimpleHead.kind');
  const md = f.get('metadata');
  if (md !== null && md !== undefined) {
    if (!isMap(md)) t.fail(md, 'SimpleHead.metadata', METADATA_TYPE);
    else {
      const meta: NonNullable<SimpleHead['metadata']> = { name: '', annotations: null };
      head.metadata = meta;
      const mf = fields(md, ['name', 'annotations']);
      if (mf.has('name')) meta.name = t.str(mf.get('name'), '.metadata.name');
      const an = mf.get('annotations');
      if (an !== null && an !== undefined) {
        if (!isMap(an)) t.fail(an, '.metadata.annotations', 'map[string]string');
        else {
          const out: Record<string, string> = {};
          for (const [k, v] of an) out[jsonKey(k)] = t.str(v, '.metadata.annotations');
          meta.annotations = out;
        }
      }
    }
  }
  if (t.first !== undefined) throw wrap(t.first);
  return head;
}
