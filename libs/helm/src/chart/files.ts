// The `.Files` object (pkg/engine/files.go): Get, GetBytes, Glob (gobwas/glob with '/' as separator), Lines,
// AsConfig and AsSecrets (a map of base names to contents as sigs.k8s.io/yaml prints it).
import { GoFunc, GoStruct } from '../template/values.ts';
import type { ChartFile } from './chart.ts';

/** gobwas/glob compiled to a RegExp (separator '/'): `*`, `**`, `?`, `[…]`, `[!…]`, `{a,b}`, `\` escapes. */
export function compileGlob(pattern: string): RegExp | undefined {
  let re = '';
  let depth = 0;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\') {
      const n = chars[++i];
      if (n === undefined) return undefined;
      re += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '*') {
      if (chars[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = chars.indexOf(']', i + 1);
      if (end < 0) return undefined;
      let body = chars.slice(i + 1, end).join('');
      let neg = false;
      if (body.startsWith('!')) {
        neg = true;
        body = body.slice(1);
      }
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  if (depth !== 0) return undefined;
  return new RegExp(`^${re}$`, 's');
}

function baseName(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? (p === '' ? '.' : '/') : t.slice(t.lastIndexOf('/') + 1);
}

/** Whether go-yaml (v2) may print s as a plain scalar. */
function plainOk(s: string): boolean {
  if (s === '') return false;
  if (
    /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s)
  ) {
    return false;
  }
  if (/^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(s)) return false;
  if (/^[-+]?0[xob][0-9a-fA-F_]+$/.test(s) || /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(s)) return false;
  if (/^[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9]*)?$/.test(s)) return false;
  if (/^[\s]|[\s]$/.test(s)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/^[-?:][^\s]/.test(s)) return false;
  if (/: |:$| #|[\p{Cc}\ufeff]/u.test(s)) return false;
  if (s.startsWith('---') || s.startsWith('...')) return false;
  return true;
}

function quoteDouble(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfeff) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** A string scalar as go-yaml v2 emits it at the given indentation (values of a map). */
export function yamlString(s: string, indent: string): string {
  if (s === '') return '""';
  if (s.includes('\n')) {
    const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? '+' : '') : '-';
    const ind = /^[ \n]/.test(s) ? '2' : '';
    const body = (chomp === '+' || chomp === '' ? s.replace(/\n$/, '') : s).split('\n');
    return `|${ind}${chomp}\n${body.map((l) => (l === '' ? '' : indent + '  ' + l)).join('\n')}`;
  }
  if (plainOk(s)) return s;
  if (/[\p{Cc}\ufeff]/u.test(s)) return quoteDouble(s);
  if (
    /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(s) ||
    /^[0-9]+(?::[0-5]?[0-9])+/.test(s)
  ) {
    return quoteDouble(s);
  }
  if (
    /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s)
  ) {
    return quoteDouble(s);
  }
  return `'${s.replace(/'/g, "''")}'`;
}

/** toYAML of a map[string]string (sorted keys), without the final newline. */
export function stringMapYaml(m: Map<string, string>): string {
  const keys = [...m.keys()].sort();
  if (keys.length === 0) return '{}';
  return keys.map((k) => `${yamlString(k, '')}: ${yamlString(m.get(k) as string, '')}`).join('\n');
}

/** The `files` map type with its methods, as templates see `.Files`. */
export function filesObject(files: readonly ChartFile[]): GoStruct {
  const m = new Map<string, Buffer>();
  for (const f of files) m.set(f.name, f.data);
  return makeFiles(m);
}

function makeFiles(m: Map<string, Buffer>): GoStruct {
  const getBytes = (name: string): Uint8Array => new Uint8Array(m.get(name) ?? Buffer.alloc(0));
  const methods = {
    GetBytes: new GoFunc(['string'], getBytes, { typeName: 'func(string) []uint8' }),
    Get: new GoFunc(['string'], (name: string) => (m.get(name) ?? Buffer.alloc(0)).toString('utf8'), {
      typeName: 'func(string) string',
    }),
    Glob: new GoFunc(
      ['string'],
      (pattern: string) => {
        const g = compileGlob(pattern) ?? /^.*$/s;
        const nf = new Map<string, Buffer>();
        for (const [k, v] of m) if (g.test(k)) nf.set(k, v);
        return makeFiles(nf);
      },
      { typeName: 'func(string) engine.files' },
    ),
    AsConfig: new GoFunc(
      [],
      () => {
        const out = new Map<string, string>();
        for (const [k, v] of m) out.set(baseName(k), v.toString('utf8'));
        return stringMapYaml(out);
      },
      { typeName: 'func() string' },
    ),
    AsSecrets: new GoFunc(
      [],
      () => {
        const out = new Map<string, string>();
        for (const [k, v] of m) out.set(baseName(k), v.toString('base64'));
        return stringMapYaml(out);
      },
      { typeName: 'func() string' },
    ),
    Lines: new GoFunc(
      ['string'],
      (p: string) => {
        const b = m.get(p);
        if (b === undefined) return [];
        let s = b.toString('utf8');
        if (s.endsWith('\n')) s = s.slice(0, -1);
        return s.split('\n');
      },
      { typeName: 'func(string) []string' },
    ),
  };
  return new GoStruct('engine.files', new Map(), methods);
}
