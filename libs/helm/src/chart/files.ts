// The `.Files` object (pkg/engine/files.go): Get, GetBytes, Glob (gobwas/glob with '/' as separator), Lines,
// AsConfig and AsSecrets (a map of base names to contents as sigs.k8s.io/yaml prints it); a map type for range/index.
import { stringMapYaml } from '../engine/yaml.ts';
import { GO_METHODS, GO_TYPE, GoFunc } from '../template/values.ts';
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

/** The `files` map type with its methods, as templates see `.Files`. */
export function filesObject(files: readonly ChartFile[]): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const f of files) m.set(f.name, new Uint8Array(f.data));
  return makeFiles(m);
}

const decoder = new TextDecoder();

/**
 * Helm's `files` (map[string][]byte) with Get, GetBytes, Glob, Lines, AsConfig and AsSecrets: a Map that `range`,
 * `index` and `.name` see as the map, and whose methods win over its keys as Go's method lookup does.
 */
function makeFiles(m: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const text = (b: Uint8Array | undefined): string => (b === undefined ? '' : decoder.decode(b));
  const methods: Record<string, GoFunc> = {
    GetBytes: new GoFunc(['string'], (name: string) => m.get(name) ?? new Uint8Array(0), {
      typeName: 'func(string) []uint8',
    }),
    Get: new GoFunc(['string'], (name: string) => text(m.get(name)), { typeName: 'func(string) string' }),
    Glob: new GoFunc(
      ['string'],
      (pattern: string) => {
        const g = compileGlob(pattern) ?? /^.*$/s;
        const nf = new Map<string, Uint8Array>();
        for (const [k, v] of m) if (g.test(k)) nf.set(k, v);
        return makeFiles(nf);
      },
      { typeName: 'func(string) engine.files' },
    ),
    AsConfig: new GoFunc(
      [],
      () => {
        const out = new Map<string, string>();
        for (const [k, v] of m) out.set(baseName(k), text(v));
        return stringMapYaml(out);
      },
      { typeName: 'func() string' },
    ),
    AsSecrets: new GoFunc(
      [],
      () => {
        const out = new Map<string, string>();
        for (const [k, v] of m) out.set(baseName(k), Buffer.from(v).toString('base64'));
        return stringMapYaml(out);
      },
      { typeName: 'func() string' },
    ),
    Lines: new GoFunc(
      ['string'],
      (p: string) => {
        const b = m.get(p);
        const lines: string[] & { [GO_TYPE]?: string } = [];
        lines[GO_TYPE] = '[]string';
        if (b === undefined) return lines;
        let s = text(b);
        if (s === '') throw new Error('runtime error: index out of range [-1]');
        if (s.endsWith('\n')) s = s.slice(0, -1);
        lines.push(...s.split('\n'));
        return lines;
      },
      { typeName: 'func(string) []string' },
    ),
  };
  const files = m as Map<string, Uint8Array> & { [GO_TYPE]?: string; [GO_METHODS]?: Record<string, GoFunc> };
  files[GO_TYPE] = 'engine.files';
  files[GO_METHODS] = methods;
  return files;
}
