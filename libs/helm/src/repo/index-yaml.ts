// index.yaml as sigs.k8s.io/yaml reads it (go-yaml v2 into interface{}, then JSON): two parsers of one result.
// `parseIndexYamlFast` runs js-yaml (about 10x faster than `yaml` on large indexes) with go-yaml v2's plain scalar
// rules (@flux-ts/goyaml's resolve, as values/yaml.ts uses them) and gives up (undefined) on everything it does not
// reproduce exactly: any js-yaml error, anchors/aliases, merge keys, directives, explicit non-core tags, lines over
// 1024 characters, and keys that are not plain strings. `parseIndexYamlReference` (the `yaml` library) then decides, with its error texts.
import { resolve } from '@flux-ts/goyaml';
import { FAILSAFE_SCHEMA, load, Type, type LoadOptions, type State } from 'js-yaml';
import { parseDocument } from 'yaml';
import { goYamlTags } from '../values/yaml.ts';

/** A message of the index YAML (`error converting YAML to JSON: yaml: …`); index-file.ts wraps it as an IndexError. */
export class IndexYamlError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IndexYamlError';
  }
}

/** First characters a plain scalar other than a string can start with (null, YAML 1.1 bools, numbers, .inf/.nan). */
const MAYBE_NOT_STRING = new Set('-+.0123456789~nNyYtTfFoO');

/** Whether go-yaml v2 reads the plain scalar s as something other than a string (timestamps stay strings). */
function notString(s: string): boolean {
  if (s.length > 0 && !MAYBE_NOT_STRING.has(s.charAt(0))) return false;
  const tag = resolve(s).tag;
  return tag !== 'str' && tag !== 'timestamp';
}

/**
 * One js-yaml parse: its schema has go-yaml v2's plain scalar resolution, and a plain scalar resolved to a
 * non-string is remembered, so that a key made of one (String() of it in js-yaml, not what `yaml` makes) can be
 * found and the parse given up.
 */
class FastParse {
  /** Non-string plain scalars constructed. */
  nonStrings = 0;
  readonly schema = FAILSAFE_SCHEMA.extend({
    implicit: [
      new Type('tag:yaml.org,2002:go-plain', {
        kind: 'scalar',
        resolve: (s: unknown) => typeof s === 'string' && notString(s),
        construct: (s: string) => {
          this.nonStrings++;
          return resolve(s).value;
        },
      }),
    ],
  });
}

/**
 * Whether some key may not be what the reference parse makes of it: js-yaml String()s a collection key (`a,b`,
 * `[object Object]`, which go-yaml refuses) and a non-string scalar key (`null` for `~`); `checkScalars` is false
 * when no non-string scalar was constructed at all.
 */
function suspiciousKeys(v: unknown, checkScalars: boolean, seen: Set<object>): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) {
    for (const e of v) if (suspiciousKeys(e, checkScalars, seen)) return true;
    return false;
  }
  for (const k in v) {
    if (k.includes(',') || k === '[object Object]' || (checkScalars && notString(k))) return true;
    if (suspiciousKeys((v as Record<string, unknown>)[k], checkScalars, seen)) return true;
  }
  return false;
}

/** Whether some line of the text is longer than max characters. */
function hasLongLine(text: string, max: number): boolean {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if ((nl < 0 ? text.length : nl) - start > max) return true;
    if (nl < 0) return false;
    start = nl + 1;
  }
}

/**
 * The index's first document as sigs.k8s.io/yaml would read it, by js-yaml; undefined when the text has something
 * this parse does not reproduce exactly (then {@link parseIndexYamlReference} must be used).
 */
export function parseIndexYamlFast(text: string): { value: unknown } | undefined {
  // Merge keys, directives and anchors need go-yaml's own rules (or the alias budget of the reference parse).
  if (text.includes('<<') || text.startsWith('%') || text.includes('\n%')) return undefined;
  // An implicit key runs at most 1024 characters in `yaml` and go-yaml, not in js-yaml: no line may be that long.
  if (hasLongLine(text, 1024)) return undefined;
  const p = new FastParse();
  let anchors: (() => number) | undefined;
  const listener: LoadOptions['listener'] = text.includes('&')
    ? (_event, state) => {
        // The loader's state holds the document's anchors (not in its typings); one look at the end is enough, so
        // stop listening.
        const s = state as State & { anchorMap?: object; listener: unknown };
        anchors = () => (s.anchorMap ? Object.keys(s.anchorMap).length : Infinity);
        s.listener = null;
      }
    : undefined;
  let value: unknown;
  try {
    value = load(text, { schema: p.schema, ...(listener ? { listener } : {}) });
  } catch {
    return undefined;
  }
  if (anchors !== undefined && anchors() > 0) return undefined;
  if (listener !== undefined && anchors === undefined) return undefined;
  if (suspiciousKeys(value, p.nonStrings > 0, new Set())) return undefined;
  return { value: value === undefined ? null : value };
}

/** Parses YAML as go-yaml v2 under UnmarshalStrict: duplicate keys are errors (`key "x" already set in map`). */
export function parseIndexYamlReference(text: string): unknown {
  const doc = parseDocument(text, {
    version: '1.1',
    intAsBigInt: true,
    uniqueKeys: true,
    merge: true,
    customTags: goYamlTags,
    prettyErrors: false,
  });
  const dups = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  const other = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  if (other) throw new IndexYamlError(`error converting YAML to JSON: yaml: ${other.message}`);
  if (dups.length > 0) {
    const lines = dups.map((e) => {
      const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]*?)\s*:/.exec(text.slice(e.pos[0]));
      const key = (m?.[1] ?? '').replace(/^["']|["']$/g, '');
      const line = text.slice(0, e.pos[0]).split('\n').length;
      return `  line ${line}: key ${JSON.stringify(key)} already set in map`;
    });
    throw new IndexYamlError(`error converting YAML to JSON: yaml: unmarshal errors:\n${lines.join('\n')}`);
  }
  try {
    // Aliases share their anchor's object; the yaml library's default budget stops an alias bomb (go-yaml v2 refuses
    // one as `document contains excessive aliasing`).
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    const msg = e instanceof ReferenceError ? 'document contains excessive aliasing' : (e as Error).message;
    throw new IndexYamlError(`error converting YAML to JSON: yaml: ${msg}`, { cause: e });
  }
}
