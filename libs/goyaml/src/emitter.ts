// go-yaml's emitter (emitterc.go) for block documents: the scalar analysis, the choice of a string's style (plain,
// single-quoted, double-quoted, literal), the writers with their folding of long lines at a space, and the block
// layout of mappings and sequences. No JavaScript YAML library reproduces these decisions byte for byte.
import { isBase60Float, resolve } from './resolve.ts';

/** A document tree; mapping entries are written in the order given (see sortKeys for go-yaml's map order). */
export type YamlNode =
  | { kind: 'string'; value: string }
  | { kind: 'scalar'; text: string }
  | { kind: 'sequence'; items: YamlNode[] }
  | { kind: 'mapping'; entries: [string, YamlNode][] };

/** How an encoder drives the emitter: what differs between go-yaml v2 and yaml.v3 output. */
export interface EmitOptions {
  /** best_width: a scalar folds at a space past this column (go-yaml v2: 80; yaml.v3: no folding). */
  width: number;
  /** Sequences that are mapping values are indented under their key (yaml.v3 with SetIndent(2)); v2's are not. */
  indentSequencesInMappings: boolean;
}

/** go-yaml v2 (sigs.k8s.io/yaml, kustomize's and Helm's toYaml output): folding at 80, indentless sequences. */
export const GO_YAML_V2: Readonly<EmitOptions> = Object.freeze({ width: 80, indentSequencesInMappings: false });

/** gopkg.in/yaml.v3 with SetIndent(2) (Helm's toYamlPretty): no folding, sequences indented under their key. */
export const YAML_V3: Readonly<EmitOptions> = Object.freeze({ width: Infinity, indentSequencesInMappings: true });

/** best_indent. */
const INDENT = 2;

// ---- yaml_emitter_analyze_scalar ----

interface Analysis {
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
  if (r.length === 0) return { blockPlain: false, singleQuoted: true, block: false };
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
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
  const a: Analysis = { blockPlain: true, singleQuoted: true, block: true };
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
  if (lineBreaks || blockIndicators) a.blockPlain = false;
  return a;
}

// ---- the encoder's stringv and yaml_emitter_select_scalar_style ----

type Style = 'plain' | 'single' | 'double' | 'literal';

/** The style go-yaml writes the string s in (as a simple key: no literal, no empty plain). */
function scalarStyle(s: string, simpleKey: boolean): Style {
  const a = analyze(s);
  let style: Style;
  if (resolve(s).tag !== 'str' || isBase60Float(s)) style = 'double';
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

// ---- the writer ----

/** The emitter's output and current column (in runes), the state folding depends on. */
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
  const r = [...s];
  let hints = '';
  if (r[0] === ' ' || isBreak(r[0])) hints += String(INDENT);
  const last = r[r.length - 1];
  if (!isBreak(last)) hints += '-';
  else if (r.length === 1 || isBreak(r[r.length - 2])) hints += '+';
  o.write('|' + hints + '\n');
  let breaks = true;
  let text = '';
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

function writeString(o: Out, s: string, indent: number, simpleKey: boolean, width: number): void {
  switch (scalarStyle(s, simpleKey)) {
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

// ---- block collections ----

type Ctx = 'top' | 'mapValue' | 'seqItem';

const isNonEmptyCollection = (n: YamlNode): boolean =>
  (n.kind === 'mapping' && n.entries.length > 0) || (n.kind === 'sequence' && n.items.length > 0);

/** Emits a node at block level; `indent` is the indentation of the collection holding it. */
function emit(o: Out, n: YamlNode, indent: number, opts: EmitOptions, ctx: Ctx): void {
  switch (n.kind) {
    case 'scalar':
      o.write(n.text);
      return;
    case 'string':
      writeString(o, n.value, indent + INDENT, false, opts.width);
      return;
    case 'sequence': {
      if (n.items.length === 0) {
        o.write('[]');
        return;
      }
      let base = 0;
      if (ctx === 'mapValue') base = opts.indentSequencesInMappings ? indent + INDENT : indent;
      else if (ctx === 'seqItem') base = indent + INDENT;
      n.items.forEach((item, i) => {
        if (i > 0 || ctx === 'mapValue') o.indent(base);
        o.write('- ');
        emit(o, item, base, opts, 'seqItem');
      });
      return;
    }
    case 'mapping': {
      if (n.entries.length === 0) {
        o.write('{}');
        return;
      }
      const base = ctx === 'top' ? 0 : indent + INDENT;
      n.entries.forEach(([k, v], i) => {
        if (i > 0 || ctx === 'mapValue') o.indent(base);
        writeString(o, k, base + INDENT, true, opts.width);
        o.write(isNonEmptyCollection(v) ? ':' : ': ');
        emit(o, v, base, opts, 'mapValue');
      });
      return;
    }
  }
}

/** The text go-yaml writes for a one-document stream of the node (no `---`, with its final newline). */
export function emitDocument(node: YamlNode, opts: Readonly<EmitOptions>): string {
  const o = new Out();
  emit(o, node, 0, opts, 'top');
  if (o.text.startsWith('\n')) o.text = o.text.slice(1);
  return o.text.endsWith('\n') ? o.text : o.text + '\n';
}
