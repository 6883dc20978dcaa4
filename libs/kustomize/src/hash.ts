// kustomize's content hash for generated ConfigMaps and Secrets (api/hasher): sha256 of a Go-JSON encoding of
// {kind, name: "", data[, binaryData]} (ConfigMap) or {kind, name, type, data[, stringData]} (Secret), first 10 hex
// characters with 0,1,3,a,e mapped to g,h,k,m,t.
import { createHash } from 'node:crypto';
import { getString, isMap, type KObject } from './resource.ts';
import type { YamlValue } from './yaml-emit.ts';

/** Encodes a string as Go's encoding/json does (HTML-safe escapes, \u2028/\u2029 escaped). */
export function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

function goCompare(a: string, b: string): number {
  // Go sorts map keys by byte order of their UTF-8 encoding.
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}

/** Encodes a JSON-like value as Go's json.Marshal does for map[string]interface{} values. */
export function goJson(v: YamlValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(goJson).join(',') + ']';
  const keys = Object.keys(v).sort(goCompare);
  return '{' + keys.map((k) => goJsonString(k) + ':' + goJson(v[k])).join(',') + '}';
}

/** Maps a hex digest to kustomize's 10-character suffix. */
export function encodeHash(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return Array.from(hex.slice(0, 10))
    .map((c) => map[c] ?? c)
    .join('');
}

function fieldValue(obj: KObject, key: string): YamlValue {
  const v = obj[key];
  if (v === undefined || v === null) return '';
  return v;
}

/** Computes the kustomize name-suffix hash of a ConfigMap, Secret or other object. */
export function hashResource(obj: KObject): string {
  const kind = getString(obj, 'kind');
  let encoded: string;
  if (kind === 'ConfigMap') {
    // kustomize looks the name up with the single path segment "metadata/name", which never matches: the name
    // contributes "" to the hash. Reproduced on purpose.
    const m: KObject = { kind: 'ConfigMap', name: '', data: fieldValue(obj, 'data') };
    if (isMap(obj['binaryData'])) m['binaryData'] = obj['binaryData'];
    encoded = goJson(m);
  } else if (kind === 'Secret') {
    const m: KObject = {
      kind: 'Secret',
      type: fieldValue(obj, 'type'),
      name: '',
      data: fieldValue(obj, 'data'),
    };
    if (isMap(obj['stringData'])) m['stringData'] = obj['stringData'];
    encoded = goJson(m);
  } else {
    encoded = goJson(obj);
  }
  return encodeHash(createHash('sha256').update(encoded).digest('hex'));
}
