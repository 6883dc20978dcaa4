// A fast path for readSimpleHead: a line scanner for the block YAML that charts render (mappings, sequences, one-line
// plain or quoted scalars, literal and folded block scalars, empty `[]`/`{}`), which checks the indentation structure
// and reads apiVersion, kind, metadata.name and metadata.annotations. Anything it is not sure go-yaml reads the same
// way (tabs, CR, flow collections, anchors, tags, multi-line plain or quoted scalars, non-string head values, case
// variants of the head keys, …) returns undefined, and the caller parses the document fully.
import type { SimpleHead } from './simple-head.ts';

type Frame = { indent: number; kind: 'map' | 'seq' };

/** Plain scalars go-yaml v2 resolves to something other than a string (null, bool, numbers, .inf/.nan). */
const NON_STRING =
  /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+0-9.].*|<<)$/s;
const PLAIN_KEY = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/;
const BLOCK_HEADER = /^[|>][-+]?$/;
const DQ = /^"((?:[^"\\]|\\["\\/nt])*)"$/;
const SQ = /^'((?:[^']|'')*)'$/;

/** A one-line value (comment removed) as a string, or undefined when it is not one the fast path accepts. */
function scalarText(v: string): string | undefined {
  const c = v[0];
  if (c === '"') {
    const m = DQ.exec(v);
    if (m === null) return undefined;
    return (m[1] ?? '').replace(/\\(.)/g, (_x, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e));
  }
  if (c === "'") {
    const m = SQ.exec(v);
    return m === null ? undefined : (m[1] ?? '').replaceAll("''", "'");
  }
  return v;
}

/** Is v a plain scalar the fast path accepts (no indicator start, no `: `, no trailing `:`)? */
function plainOk(v: string): boolean {
  if (/^[[\]{},#&*!|>%@`'"]/.test(v)) return false;
  if (/^[-?:](?:\s|$)/.test(v)) return false;
  if (v.includes(': ') || v.endsWith(':')) return false;
  return true;
}

/** Splits `value   # comment` (a comment needs a blank before it) and trims. */
function stripComment(v: string): string {
  const i = v.search(/\s#/);
  return (i < 0 ? v : v.slice(0, i)).trim();
}

/** A value is ok to skip over (not read): a plain or one-line quoted scalar, `[]`, `{}`. */
function valueOk(v: string): boolean {
  if (v === '[]' || v === '{}') return true;
  const c = v[0];
  if (c === '"' || c === "'") return scalarText(v) !== undefined;
  return plainOk(v);
}

/** The string of a head value, undefined if it is not certainly a string for go-yaml. */
function headString(v: string): string | undefined {
  if (v === '') return undefined;
  const c = v[0];
  if (c === '"' || c === "'") return scalarText(v);
  if (NON_STRING.test(v) || !plainOk(v)) return undefined;
  return v;
}

/** The fast SimpleHead, or undefined when the document must be parsed fully. */
export function fastSimpleHead(doc: string): SimpleHead | undefined {
  if (doc.includes('\t') || doc.includes('\r')) return undefined;
  const lines = doc.split('\n');
  const stack: Frame[] = [];
  const head: SimpleHead = { version: '', kind: '', metadata: null };
  // a pending child: the indent of the key or dash whose value is on the following lines
  let pending: number | undefined;
  // the pending key is metadata or annotations
  let pendingHead = false;
  // where the metadata/annotations maps are being read: their parent's indent, or -1
  let metaAt = -1;
  let metaChildIndent = -1;
  let annAt = -1;
  let annChildIndent = -1;
  let annotations: Record<string, string> | null = null;
  let meta: { name: string; annotations: Record<string, string> | null } | null = null;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li] as string;
    const text = line.trimStart();
    if (text === '' || text.startsWith('#')) continue;
    const indent = line.length - text.length;
    // structure: a child block of the previous line, or a line of an open collection
    const isSeq = text === '-' || text.startsWith('- ');
    if (pending !== undefined && (indent > pending || (indent === pending && isSeq && stack.at(-1)?.kind === 'map'))) {
      // the child of `key:` or `-`: deeper, or an indentless sequence under a key; metadata and annotations must be
      // mappings (go-yaml would give json a list: a type error)
      if (isSeq && pendingHead) return undefined;
      stack.push({ indent, kind: isSeq ? 'seq' : 'map' });
    } else {
      while (stack.length > 0 && (stack.at(-1) as Frame).indent > indent) stack.pop();
      const top = stack.at(-1);
      if (top === undefined) {
        if (indent !== 0 || isSeq) return undefined;
        stack.push({ indent, kind: 'map' });
      } else if (top.indent !== indent) return undefined;
      else if (top.kind === 'seq' && !isSeq) {
        // the end of an indentless sequence: the mapping it was in continues at the same column
        stack.pop();
        const under = stack.at(-1);
        if (under === undefined || under.indent !== indent || under.kind !== 'map') return undefined;
      } else if (top.kind === 'map' && isSeq) return undefined;
    }
    pending = undefined;
    pendingHead = false;
    if (metaAt >= 0 && indent <= metaAt) metaAt = -1;
    if (annAt >= 0 && indent <= annAt) annAt = -1;
    // content
    let rest = text;
    let col = indent;
    const frame = stack.at(-1) as Frame;
    if (frame.kind === 'seq') {
      if (rest === '-') {
        pending = indent;
        continue;
      }
      rest = rest.slice(2);
      const lead = rest.length - rest.trimStart().length;
      rest = rest.trimStart();
      col = indent + 2 + lead;
      if (rest === '' || rest.startsWith('#')) {
        pending = indent;
        continue;
      }
      if (rest.startsWith('- ') || rest === '-') return undefined;
      const kv = /^([^\s:#'"][^:#]*?|"[^"\\]*"|'[^']*'):(?:\s|$)/.exec(rest);
      if (kv === null) {
        const v = stripComment(rest);
        if (BLOCK_HEADER.test(v)) {
          const skip = skipBlock(lines, li, indent);
          if (skip === undefined) return undefined;
          li = skip;
          continue;
        }
        if (!valueOk(v)) return undefined;
        continue;
      }
      // a compact mapping inside the sequence entry: its keys are at col
      stack.push({ indent: col, kind: 'map' });
    } else if (rest.startsWith('- ') || rest === '-') return undefined;
    const kv = /^([^\s:#'"][^:#]*?|"[^"\\]*"|'[^']*'):(?:\s|$)/.exec(rest);
    if (kv === null) return undefined;
    const rawKey = kv[1] as string;
    const key = rawKey[0] === '"' || rawKey[0] === "'" ? rawKey.slice(1, -1) : rawKey;
    if (rawKey[0] !== '"' && rawKey[0] !== "'" && (!PLAIN_KEY.test(rawKey) || NON_STRING.test(rawKey)))
      return undefined;
    const value = stripComment(rest.slice(kv[0].length));
    const blockValue = BLOCK_HEADER.test(value);
    if (value !== '' && !blockValue && !valueOk(value)) return undefined;
    // the head
    const lower = key.toLowerCase();
    if (col === 0 && stack.length === 1) {
      if (lower === 'apiversion' || lower === 'kind' || lower === 'metadata') {
        if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') return undefined;
        if (key === 'metadata') {
          if (value === '') {
            meta = null;
            metaAt = 0;
            metaChildIndent = -1;
            pendingHead = true;
          } else if (value === '{}') meta = { name: '', annotations: null };
          else return undefined;
          head.metadata = meta;
        } else {
          const s = headString(value);
          if (s === undefined) return undefined;
          if (key === 'kind') head.kind = s;
          else head.version = s;
        }
      }
    } else if (metaAt >= 0 && annAt < 0) {
      if (metaChildIndent < 0) {
        metaChildIndent = col;
        meta = { name: '', annotations: null };
        head.metadata = meta;
      }
      if (col === metaChildIndent && (lower === 'name' || lower === 'annotations')) {
        if (key !== 'name' && key !== 'annotations') return undefined;
        const m = meta as NonNullable<typeof meta>;
        if (key === 'name') {
          const s = headString(value);
          if (s === undefined) return undefined;
          m.name = s;
        } else if (value === '') {
          annotations = null;
          m.annotations = null;
          annAt = col;
          annChildIndent = -1;
          pendingHead = true;
        } else if (value === '{}') m.annotations = {};
        else return undefined;
      }
    } else if (annAt >= 0) {
      const m = meta as NonNullable<typeof meta>;
      if (annChildIndent < 0) {
        annChildIndent = col;
        annotations = {};
        m.annotations = annotations;
      }
      if (col !== annChildIndent || value === '' || blockValue) return undefined;
      const s = headString(value);
      if (s === undefined) return undefined;
      (annotations as Record<string, string>)[key] = s;
    }
    if (blockValue) {
      const skip = skipBlock(lines, li, col);
      if (skip === undefined) return undefined;
      li = skip;
      continue;
    }
    if (value === '') pending = col;
  }
  return head;
}

/** Skips a block scalar's content after line li (its parent at column parent); the last line of it, or undefined. */
function skipBlock(lines: readonly string[], li: number, parent: number): number | undefined {
  let content = -1;
  let last = li;
  let maxBlank = 0;
  for (let j = li + 1; j < lines.length; j++) {
    const l = lines[j] as string;
    const t = l.trimStart();
    const ind = l.length - t.length;
    if (t === '') {
      if (content < 0) maxBlank = Math.max(maxBlank, ind);
      last = j;
      continue;
    }
    if (content < 0) {
      if (ind <= parent) break;
      if (maxBlank > ind) return undefined;
      content = ind;
    } else if (ind < content) {
      if (ind > parent) return undefined;
      break;
    }
    last = j;
  }
  // trailing blank lines belong to the scalar; the caller skips blanks anyway
  return last;
}
