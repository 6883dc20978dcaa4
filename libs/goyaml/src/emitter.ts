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
  /**
   * The strings are first written as encoding/json's output and read back by go-yaml (sigs.k8s.io/yaml's JSONToYAML):
   * a NEL folds as a line break in a double-quoted scalar, and the characters go-yaml's reader refuses are an error.
   */
  viaJson: boolean;
}

/** go-yaml v2 (sigs.k8s.io/yaml, kustomize's and Helm's toYaml output): folding at 80, indentless sequences. */
export const GO_YAML_V2: Readonly<EmitOptions> = Object.freeze({
  width: 80,
  indentSequencesInMappings: false,
  viaJson: true,
});

/** gopkg.in/yaml.v3 with SetIndent(2) (Helm's toYamlPretty): no folding, sequences indented under their key. */
export const YAML_V3: Readonly<EmitOptions> = Object.freeze({
  width: Infinity,
  indentSequencesInMappings: true,
  viaJson: false,
});

/** best_indent. */
const INDENT = 2;

// ---- yaml_emitter_analyze_scalar ----

interface Analysis {
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** is_printable: go-yaml looks at UTF-8 lead bytes of up to three bytes, so no code point above U+FFFF is printable. */
function isPrintable(c: number): boolean {
  return (
    c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
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
    this.atBreak = false;
    for (const ch of s) {
      this.text += ch;
      if (ch === '\n') this.column = 0;
      else this.column++;
    }
  }
  /** write_break for a break other than \n: the character itself, and a new line begins. */
  writeBreak(c: string): void {
    this.text += c;
    this.column = 0;
    this.atBreak = true;
  }
  /** A break was just written (yaml_emitter_t.indention after write_break). */
  atBreak = false;
  /** yaml_emitter_write_indent: a line break unless one was just written, then n spaces. */
  indent(n: number): void {
    if (!(this.column === 0 && (this.atBreak || this.text.endsWith('\n')))) this.text += '\n';
    this.atBreak = false;
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
  let afterBreak = false;
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    if (c === ' ') {
      if (breaks && !spaces && o.column > width && i > 0 && i < r.length - 1 && r[i + 1] !== ' ') o.indent(indent);
      else o.write(c);
      spaces = true;
    } else if (isBreak(c)) {
      // a single-quoted scalar holds no \n (that is literal or double-quoted) and no break before a space
      o.writeBreak(c);
      afterBreak = true;
    } else {
      if (afterBreak) o.indent(indent);
      o.write(c === "'" ? "''" : c);
      spaces = false;
      afterBreak = false;
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
  // is_bom(value, i) looks at the first three bytes whatever i is: after a leading BOM every character is escaped
  const bom = s.startsWith('\uFEFF');
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(cp) || bom || isBreak(c) || c === '"' || c === '\\') {
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
  for (const c of r) {
    if (isBreak(c)) {
      // write_break: \n, or the line separator itself (then the next line is indented as after \n)
      if (c === '\n') o.write(c);
      else o.writeBreak(c);
      breaks = true;
    } else {
      if (breaks) {
        o.indent(indent);
        breaks = false;
      }
      o.write(c);
    }
  }
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

// ---- sigs.k8s.io/yaml's JSONToYAML: go-yaml reading encoding/json's output ----

/** Characters encoding/json writes as they are and go-yaml's reader refuses (yaml_parser_update_buffer). */
const isRefusedByReader = (c: number): boolean =>
  c === 0x7f || (c >= 0x80 && c <= 0x9f && c !== 0x85) || c === 0xfffe || c === 0xffff;

/**
 * A string as go-yaml reads it back from its JSON text (a double-quoted scalar). encoding/json escapes every other
 * break and blank but the space, so only a NEL is a raw line break there: the first of a run folds to a space (or
 * the run's other breaks are kept as \n), the spaces around it are dropped, and `---` or `...` then followed by a
 * space or a break at the start of the line is a document indicator.
 */
function jsonReread(s: string): string {
  let out = '';
  const r = [...s];
  let i = 0;
  let lineStart = false;
  while (i < r.length) {
    if (lineStart) {
      const three = r.slice(i, i + 3).join('');
      const next = r[i + 3];
      if ((three === '---' || three === '...') && (next === ' ' || next === '\u0085')) {
        throw new Error('yaml: found unexpected document indicator');
      }
    }
    for (; i < r.length && r[i] !== ' ' && r[i] !== '\u0085'; i++) {
      if (isRefusedByReader((r[i] as string).codePointAt(0) ?? 0))
        throw new Error('yaml: control characters are not allowed');
      out += r[i];
    }
    let spaces = '';
    let leadingBreak = false;
    let trailingBreaks = '';
    lineStart = false;
    for (; i < r.length && (r[i] === ' ' || r[i] === '\u0085'); i++) {
      if (r[i] === ' ') {
        if (!leadingBreak) spaces += ' ';
        lineStart = false;
      } else {
        if (leadingBreak) trailingBreaks += '\n';
        leadingBreak = true;
        lineStart = true;
      }
    }
    if (leadingBreak) out += trailingBreaks === '' ? ' ' : trailingBreaks;
    else out += spaces;
  }
  return out;
}

function rereadTree(n: YamlNode): YamlNode {
  switch (n.kind) {
    case 'string':
      return { kind: 'string', value: jsonReread(n.value) };
    case 'scalar':
      return n;
    case 'sequence':
      return { kind: 'sequence', items: n.items.map(rereadTree) };
    case 'mapping':
      return {
        kind: 'mapping',
        entries: n.entries.map(([k, v]) => {
          // a key is a simple key, which may not span lines: a NEL in it leaves go-yaml without a key before the `:`
          if (k.includes('\u0085')) throw new Error("yaml: did not find expected ',' or '}'");
          return [jsonReread(k), rereadTree(v)];
        }),
      };
  }
}

/**
 * The text go-yaml writes for a one-document stream of the node (no `---`, with its final newline). With `viaJson`,
 * throws go-yaml's reader errors as sigs.k8s.io/yaml does (`yaml: control characters are not allowed`).
 */
export function emitDocument(node: YamlNode, opts: Readonly<EmitOptions>): string {
  const o = new Out();
  emit(o, opts.viaJson ? rereadTree(node) : node, 0, opts, 'top');
  if (o.text.startsWith('\n')) o.text = o.text.slice(1);
  return o.text.endsWith('\n') ? o.text : o.text + '\n';
}
