// YAML output as Helm's toYaml (sigs.k8s.io/yaml.Marshal: encoding/json, then go-yaml v2's emitter), toYamlPretty
// (gopkg.in/yaml.v3 with indent 2, straight from the Go values) and fromYaml/fromYamlArray (sigs.k8s.io/yaml.Unmarshal).
// No JavaScript YAML library reproduces go-yaml's emitter (its style choice, natural key order and line folding at 80
// columns), so the emitter's decisions are written here after go-yaml's emitterc.go.
import { marshal } from '../sprig/json.ts';
import { formatFloat } from '../template/fmt.ts';
import { GoFloat, GoInt, GoStruct, JsonNumber, isMap, sortedEntries } from '../template/values.ts';
import { parseYaml } from '../values/yaml.ts';

const BEST_WIDTH = 80;

/** A YAML node: scalars carry the text and whether it is a string (which may need quoting). */
type YNode =
  | { k: 'str'; v: string }
  | { k: 'raw'; v: string }
  | { k: 'seq'; items: YNode[] }
  | { k: 'map'; entries: [string, YNode][] };

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}

function isDigit(c: string): boolean {
  return /\p{Nd}/u.test(c);
}

/** go-yaml's keyList.Less for string keys: letters after other runes, runs of digits compared as numbers. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++)
      an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++)
      bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

/** Sorts keys as go-yaml sorts a map's keys. */
export function goYamlSortKeys(keys: string[]): string[] {
  return keys.sort((a, b) => (a === b ? 0 : goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0));
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** A JSON number's text as go-yaml v2 decodes (int, uint64 or float64) and re-encodes it. */
function yamlNumber(text: string): string {
  if (/^-?(0|[1-9][0-9]*)$/.test(text)) {
    const n = BigInt(text);
    if ((n >= INT64_MIN && n <= INT64_MAX) || (n >= 0n && n <= UINT64_MAX)) return n.toString();
  }
  if (YAML_FLOAT.test(text)) return goYamlFloat(Number(text));
  return text;
}

function goYamlFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  return formatFloat(f, 'g', -1);
}

/** The tree of encoding/json's output, numbers kept as their text (JSON.parse with source text access). */
function jsonTree(json: string): YNode {
  const conv = (v: unknown): YNode => {
    if (v === null) return { k: 'raw', v: 'null' };
    if (typeof v === 'boolean') return { k: 'raw', v: String(v) };
    if (typeof v === 'string') return { k: 'str', v };
    if (v instanceof NumText) return { k: 'raw', v: yamlNumber(v.text) };
    if (Array.isArray(v)) return { k: 'seq', items: v.map(conv) };
    const o = v as Record<string, unknown>;
    return { k: 'map', entries: goYamlSortKeys(Object.keys(o)).map((key) => [key, conv(o[key])]) };
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

// ---- go-yaml's scalar analysis (emitterc.go yaml_emitter_analyze_scalar) ----

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function isBreak(c: string | undefined): boolean {
  return c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

function analyze(value: string): Analysis {
  const r = [...value];
  if (r.length === 0) return { multiline: false, blockPlain: false, singleQuoted: true, block: false };
  let blockIndicators = false;
  if (value.startsWith('---') || value.startsWith('...')) blockIndicators = true;
  let precededByWs = true;
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    const next = r[i + 1];
    const followedByWs = next === undefined || isBlank(next) || isBreak(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':') && followedByWs) blockIndicators = true;
      else if (c === '-' && followedByWs) blockIndicators = true;
    } else if (c === ':' && followedByWs) blockIndicators = true;
    else if (c === '#' && precededByWs) blockIndicators = true;
    if (!isPrintable(c.codePointAt(0) ?? 0)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === r.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === r.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlank(c) || isBreak(c);
  }
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || special) {
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) a.blockPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

/**
 * Whether go-yaml would resolve the plain scalar s to something other than a string, or it is a base 60 float
 * (quoted by both go-yaml v2 and yaml.v3, which also keeps quoting the YAML 1.1 booleans).
 */
function resolvesNonString(s: string): boolean {
  if (s === '') return true;
  if (/^(?:~|null|Null|NULL)$/.test(s)) return true;
  if (/^(?:true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s)) return true;
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(s)) return true;
  const plain = s.replace(/_/g, '');
  if (/^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(plain)) return true;
  if (YAML_FLOAT.test(plain)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true;
  return isTimestamp(s);
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] ?? 0);
}

/** go-yaml v2's parseTimestamp: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00` (also `t`), `2006-1-2 15:4:5.9…`. */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
    s,
  );
  if (m === null) return false;
  if (!validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (m[4] === undefined) return true;
  if (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59) return false;
  const zone = m[8];
  if (m[4] === ' ') return zone === undefined;
  if (zone === undefined) return false;
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return false;
  return true;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function selectStyle(s: string, simpleKey: boolean): Style {
  const a = analyze(s);
  let style: Style;
  if (resolvesNonString(s)) style = 'double';
  else if (s.includes('\n')) style = 'literal';
  else style = 'plain';
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single';
    if (s.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

/** The writer state of go-yaml's emitter that matters for folding: the output and the current column. */
class Out {
  text = '';
  column = 0;
  write(s: string): void {
    for (const ch of s) {
      this.text += ch;
      if (ch === '\n') this.column = 0;
      else this.column++;
    }
  }
  /** yaml_emitter_write_indent: a line break unless one was just written, then n spaces. */
  indent(n: number): void {
    if (!(this.column === 0 && this.text.endsWith('\n'))) this.text += '\n';
    this.text += ' '.repeat(n);
    this.column = n;
  }
}

function writePlain(o: Out, s: string, indent: number, breaks: boolean, width: number): void {
  const r = [...s];
  let spaces = false;
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    if (c === ' ') {
      if (breaks && !spaces && o.column > width && r[i + 1] !== ' ') o.indent(indent);
      else o.write(c);
      spaces = true;
    } else {
      o.write(c);
      spaces = false;
    }
  }
}

function writeSingle(o: Out, s: string, indent: number, breaks: boolean, width: number): void {
  const r = [...s];
  o.write("'");
  let spaces = false;
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    if (c === ' ') {
      if (breaks && !spaces && o.column > width && i > 0 && i < r.length - 1 && r[i + 1] !== ' ') o.indent(indent);
      else o.write(c);
      spaces = true;
    } else {
      o.write(c === "'" ? "''" : c);
      spaces = false;
    }
  }
  o.write("'");
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\x0b': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

function writeDouble(o: Out, s: string, indent: number, breaks: boolean, width: number): void {
  const r = [...s];
  o.write('"');
  let spaces = false;
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      const e = ESCAPES[c];
      if (e !== undefined) o.write('\\' + e);
      else if (cp <= 0xff) o.write('\\x' + cp.toString(16).toUpperCase().padStart(2, '0'));
      else if (cp <= 0xffff) o.write('\\u' + cp.toString(16).toUpperCase().padStart(4, '0'));
      else o.write('\\U' + cp.toString(16).toUpperCase().padStart(8, '0'));
      spaces = false;
    } else if (c === ' ') {
      if (breaks && !spaces && o.column > width && i > 0 && i < r.length - 1) {
        o.indent(indent);
        if (r[i + 1] === ' ') o.write('\\');
      } else o.write(c);
      spaces = true;
    } else {
      o.write(c);
      spaces = false;
    }
  }
  o.write('"');
}

function writeLiteral(o: Out, s: string, indent: number): void {
  let hints = '';
  if (s.startsWith(' ') || isBreak(s[0])) hints += '2';
  const r = [...s];
  const last = r[r.length - 1];
  if (!isBreak(last)) hints += '-';
  else if (r.length === 1 || isBreak(r[r.length - 2])) hints += '+';
  o.write('|' + hints);
  let breaks = true;
  let text = '';
  o.text += '\n';
  o.column = 0;
  for (const c of r) {
    if (isBreak(c)) {
      text += '\n';
      breaks = true;
    } else {
      if (breaks) {
        text += ' '.repeat(indent);
        breaks = false;
      }
      text += c;
    }
  }
  o.write(text);
}

function writeScalar(o: Out, s: string, indent: number, simpleKey: boolean, v3: boolean): void {
  const width = v3 ? Infinity : BEST_WIDTH;
  switch (selectStyle(s, simpleKey)) {
    case 'plain':
      return writePlain(o, s, indent, !simpleKey, width);
    case 'single':
      return writeSingle(o, s, indent, !simpleKey, width);
    case 'double':
      return writeDouble(o, s, indent, !simpleKey, width);
    case 'literal':
      return writeLiteral(o, s, indent);
  }
}

type Ctx = 'top' | 'mapValue' | 'seqItem';

/**
 * Emits a node at block level. `indent` is the indentation of the collection holding the node; sequences inside
 * mappings are indentless in go-yaml v2 and indented in yaml.v3.
 */
function emit(o: Out, n: YNode, indent: number, v3: boolean, ctx: Ctx): void {
  const step = 2;
  switch (n.k) {
    case 'raw':
      o.write(n.v);
      return;
    case 'str':
      writeScalar(o, n.v, indent + step, false, v3);
      return;
    case 'seq': {
      if (n.items.length === 0) {
        o.write('[]');
        return;
      }
      let base = 0;
      if (ctx === 'mapValue') base = v3 ? indent + step : indent;
      else if (ctx === 'seqItem') base = indent + step;
      n.items.forEach((item, i) => {
        if (i > 0 || ctx === 'mapValue') o.indent(base);
        o.write('- ');
        emit(o, item, base, v3, 'seqItem');
      });
      return;
    }
    case 'map': {
      if (n.entries.length === 0) {
        o.write('{}');
        return;
      }
      const base = ctx === 'top' ? 0 : indent + step;
      n.entries.forEach(([k, v], i) => {
        if (i > 0 || ctx === 'mapValue') o.indent(base);
        writeScalar(o, k, base + step, true, v3);
        o.write(':');
        if (!((v.k === 'map' && v.entries.length > 0) || (v.k === 'seq' && v.items.length > 0))) o.write(' ');
        emit(o, v, base, v3, 'mapValue');
      });
      return;
    }
  }
}

/** The document text for a node, as the emitter writes a whole stream (with its final newline). */
function document(n: YNode, v3: boolean): string {
  const o = new Out();
  if (n.k === 'str') writeScalar(o, n.v, 2, false, v3);
  else emit(o, n, 0, v3, 'top');
  if (o.text.startsWith('\n')) o.text = o.text.slice(1);
  return o.text.endsWith('\n') ? o.text : o.text + '\n';
}

/** sigs.k8s.io/yaml.Marshal of a model value (through encoding/json); throws the JSON error. */
export function marshalYaml(v: unknown): string {
  return document(jsonTree(marshal(v, false)), false);
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
function goTree(v: unknown): YNode {
  if (v === null || v === undefined) return { k: 'raw', v: 'null' };
  switch (typeof v) {
    case 'boolean':
      return { k: 'raw', v: String(v) };
    case 'string':
      return { k: 'str', v };
    case 'bigint':
      return { k: 'raw', v: v.toString() };
    case 'number':
      return { k: 'raw', v: goYamlFloat(v) };
    default:
  }
  if (v instanceof GoInt) return { k: 'raw', v: v.value.toString() };
  if (v instanceof GoFloat) return { k: 'raw', v: goYamlFloat(v.value) };
  if (v instanceof JsonNumber) return { k: 'str', v: v.value };
  if (v instanceof Uint8Array) return { k: 'str', v: Buffer.from(v).toString('utf8') };
  if (Array.isArray(v)) return { k: 'seq', items: v.map(goTree) };
  if (isMap(v)) {
    const m = new Map(sortedEntries(v));
    return { k: 'map', entries: goYamlSortKeys([...m.keys()]).map((k) => [k, goTree(m.get(k))]) };
  }
  if (v instanceof GoStruct) {
    return { k: 'map', entries: [...v.fields.entries()].map(([k, e]) => [k.toLowerCase(), goTree(e)]) };
  }
  return { k: 'str', v: String(v) };
}

/** Helm's toYamlPretty: yaml.v3 with a 2-space indent (sequences indented), without the final newline. */
export function toYamlPretty(v: unknown): string {
  try {
    return document(goTree(v), true).replace(/\n$/, '');
  } catch {
    return '';
  }
}

/** toYAML of a map[string]string (AsConfig/AsSecrets), without the final newline. */
export function stringMapYaml(m: Map<string, string>): string {
  const entries: [string, YNode][] = goYamlSortKeys([...m.keys()]).map((k) => [k, { k: 'str', v: m.get(k) ?? '' }]);
  return document({ k: 'map', entries }, false).replace(/\n$/, '');
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
