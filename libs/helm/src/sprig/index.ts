// Sprig v3.3.0's function map as Helm 3.18 exposes it (sprig.TxtFuncMap() without env and expandenv), on the
// GoFunc signatures of ../template/values.ts. Helm's own functions (include, tpl, required, toYaml, toJson, …,
// lookup) are not here. I/O is injected: the clock, the local time zone, randomness and name resolution.
import {
  createHash,
  createCipheriv,
  createDecipheriv,
  createHmac,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  randomUUID,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { sprintf } from '../template/fmt.ts';
import {
  GO_TYPE,
  GoFunc,
  GoInt,
  isMap,
  mapGet,
  typeName,
  type FuncMap,
  type GoMap,
  type GoStruct,
  type ParamType,
} from '../template/values.ts';
import {
  deepEqual,
  entries,
  floatToInt,
  goKind,
  int64,
  isEmpty,
  parseGoInt,
  sliceItems,
  strval,
  toFloat64,
  toInt64,
  typedMap,
  typedSlice,
  wrap64,
} from './cast.ts';
import { buildCustomCert, certFields, createCertificate, parsePrivateKeyPEM, rsaKey } from './certs.ts';
import { marshal, unmarshal } from './json.ts';
import { GoRegexp, quoteMeta } from './regex.ts';
import { VERSION, checkConstraint, newConstraint, newVersion, versionValue } from './semver.ts';
import {
  GoTime,
  Location,
  UTC,
  durationRound,
  durationString,
  loadLocation,
  localLocation,
  parseDuration,
  parseTime,
  zeroTime,
} from './time.ts';
import { goPanic, sliceBytes } from './util.ts';
import { cleanPath } from '../go-path.ts';

/** The I/O Sprig's non-deterministic functions use. */
export interface SprigOptions {
  /** The clock (now, ago, date of a non-time value); default Date.now with Node's hrtime for nanoseconds. */
  now?: () => { sec: number; nsec: number };
  /** The Local time zone; default TZ or /etc/localtime as Go reads them. */
  local?: Location | string;
  /** Random bytes (rand*, uuidv4, encryptAES, bcrypt, shuffle, randInt); default crypto.randomBytes. */
  randomBytes?: (n: number) => Uint8Array;
  /** net.LookupHost for getHostByName (synchronous; the engine is); default: an error. */
  lookupHost?: (name: string) => string[];
  /** bcrypt.GenerateFromPassword(password, 10) for bcrypt and htpasswd; default bcryptjs. */
  bcrypt?: (password: string) => string;
}

const A: ParamType = 'any';
const S: ParamType = 'string';
const I: ParamType = 'int';
const M: ParamType = 'map[string]interface {}';
const T: ParamType = 'time.Time';
const L: ParamType = '[]interface {}';
const C: ParamType = 'sprig.certificate';

const n = (b: bigint): number => Number(BigInt.asIntN(64, b));
const goInt = (v: number | bigint): bigint => BigInt(v);
const strs = (a: string[]): string[] => typedSlice('[]string', a);

/** unicode.IsSpace. */
function isSpace(c: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/u.test(c);
}
const isUpper = (c: string): boolean => /^\p{Lu}$/u.test(c);
const isLower = (c: string): boolean => /^\p{Ll}$/u.test(c);
const isTitleCase = (c: string): boolean => /^\p{Lt}$/u.test(c);
const isLetter = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);
/** unicode.ToUpper / ToLower: simple (one code point) mappings only. */
const toUpper = (c: string): string => {
  const u = c.toUpperCase();
  return [...u].length === 1 ? u : c;
};
const toLower = (c: string): string => {
  const u = c.toLowerCase();
  return [...u].length === 1 ? u : c;
};
const mapRunes = (s: string, f: (c: string) => string): string => [...s].map(f).join('');
/** unicode.ToTitle: the digraphs have a title case of their own. */
const TITLE: Record<string, string> = {
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǆ: 'ǅ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǉ: 'ǈ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǌ: 'ǋ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ǳ: 'ǲ',
};
const toTitle = (c: string): string => TITLE[c] ?? toUpper(c);

function title(s: string): string {
  const isSep = (r: string): boolean => {
    const cp = r.codePointAt(0) ?? 0;
    if (cp <= 0x7f) return !/[0-9a-zA-Z_]/.test(r);
    if (isLetter(r) || isDigit(r)) return false;
    return isSpace(r);
  };
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSep(prev) ? toTitle(c) : c;
    prev = c;
  }
  return out;
}

function swapCase(s: string): string {
  let ws = true;
  let out = '';
  for (const c of s) {
    if (isUpper(c) || isTitleCase(c)) out += toLower(c);
    else if (isLower(c)) out += ws ? toUpper(c) : toUpper(c);
    else out += c;
    ws = isSpace(c);
  }
  return out;
}

function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  const b = Buffer.from(str, 'utf8');
  const len = b.length;
  if (len === 0) return '';
  if (len <= maxWidth) return str;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return sliceBytes(str, 0, maxWidth - 3) + '...';
  if (maxWidth < 7) return str;
  if (offset + maxWidth - 3 < len) return '...' + abbreviateFull(sliceBytes(str, offset), 0, maxWidth - 3);
  return '...' + sliceBytes(str, len - (maxWidth - 3));
}

function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (str === '') return '';
  if (newLine === '') newLine = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const len = str.length;
  let offset = 0;
  let out = '';
  while (len - offset > wrapLength) {
    if (str[offset] === ' ') {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    const space = str.slice(offset, end).lastIndexOf(' ') + offset;
    if (space >= offset) {
      out += str.slice(offset, space) + newLine;
      offset = space + 1;
    } else if (wrapLong) {
      out += str.slice(offset, wrapLength + offset) + newLine;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const idx = str.slice(e).indexOf(' ');
      if (idx === -1) {
        out += str.slice(offset);
        offset = len;
      } else {
        out += str.slice(offset, idx + e) + newLine;
        offset = idx + e + 1;
      }
    }
  }
  return out + str.slice(offset);
}

/** xstrings-style word splitting for snakecase/kebabcase. */
function toDelimited(s: string, sep: string): string {
  const words: string[] = [];
  let cur = '';
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '_' || c === '-' || isSpace(c)) {
      if (cur) words.push(cur);
      cur = '';
      continue;
    }
    const prev = chars[i - 1];
    const next = chars[i + 1];
    if (
      cur &&
      isUpper(c) &&
      prev !== undefined &&
      (isLower(prev) || isDigit(prev) || (isUpper(prev) && next !== undefined && isLower(next)))
    ) {
      words.push(cur);
      cur = '';
    } else if (cur && isDigit(c) && prev !== undefined && isLetter(prev)) {
      let j = i;
      while (j < chars.length && isDigit(chars[j] as string)) j++;
      if (chars[j] !== undefined && isLower(chars[j] as string)) {
        words.push(cur);
        cur = '';
      }
    }
    cur += c;
  }
  if (cur) words.push(cur);
  return words.map((w) => mapRunes(w, toLower)).join(sep);
}

function camelCase(str: string): string {
  // xstrings v1.5.0 ToCamelCase: connectors dropped (a run keeps all but one), each word capitalized, the rest of
  // a word that starts with an upper-case run lowered until its first lower-case letter.
  if (str === '') return '';
  const isConn = (r: string): boolean => r === '-' || r === '_' || isSpace(r);
  const rs = [...str];
  let out = '';
  let k = 0;
  let r0 = '';
  let firstUpper = false;
  while (k < rs.length) {
    r0 = rs[k++] as string;
    if (!isConn(r0)) {
      firstUpper = isUpper(r0);
      r0 = toUpper(r0);
      break;
    }
    out += r0;
  }
  if (k >= rs.length) return out + r0;
  while (k < rs.length) {
    const r1 = r0;
    r0 = rs[k++] as string;
    if (isConn(r0) && isConn(r1)) {
      out += r1;
      continue;
    }
    if (isConn(r1)) {
      firstUpper = isUpper(r0);
      r0 = toUpper(r0);
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = toLower(r0);
        else firstUpper = false;
      }
      out += r1;
    }
  }
  return out + r0;
}

function kindName(v: unknown): string {
  if (v === null || v === undefined) goPanic('runtime error: invalid memory address or nil pointer dereference');
  return goKind(v);
}

function listOf(v: unknown, what: string, fmt = (k: string): string => `Cannot find ${what} on type ${k}`): unknown[] {
  const items = sliceItems(v);
  if (items === undefined) throw new Error(fmt(kindName(v)));
  return items;
}

function pathBase(p: string): string {
  if (p === '') return '.';
  p = p.replace(/\/+$/, '');
  if (p === '') return '/';
  return p.slice(p.lastIndexOf('/') + 1);
}
function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}
function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64.StdEncoding.DecodeString; throws `illegal base64 data at input byte N`. */
export function b64decode(s: string): Buffer {
  const src = Buffer.from(s, 'latin1');
  const out: number[] = [];
  let si = 0;
  const corrupt = (i: number): never => {
    throw new Error(`illegal base64 data at input byte ${i}`);
  };
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let err: number | undefined;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        if (j === 1) corrupt(si - j);
        corrupt(si - j);
      }
      const inb = src[si++] as number;
      const o = B64.indexOf(String.fromCharCode(inb));
      if (o >= 0) {
        dbuf[j] = o;
        continue;
      }
      if (inb === 10 || inb === 13) {
        j--;
        continue;
      }
      if (inb !== 61) corrupt(si - 1);
      if (j === 0 || j === 1) corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 10 || src[si] === 13)) si++;
        if (si === src.length) corrupt(src.length);
        if (src[si] !== 61) corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 10 || src[si] === 13)) si++;
      if (si < src.length) err = si;
      dlen = j;
      break;
    }
    const val = ((dbuf[0] ?? 0) << 18) | ((dbuf[1] ?? 0) << 12) | ((dbuf[2] ?? 0) << 6) | (dbuf[3] ?? 0);
    const bytes = [(val >> 16) & 255, (val >> 8) & 255, val & 255];
    out.push(...bytes.slice(0, dlen - 1));
    if (err !== undefined) corrupt(err);
  }
  return Buffer.from(out);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function b32encode(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i += 5) {
    const chunk = [...b.subarray(i, i + 5)];
    const nb = chunk.length;
    while (chunk.length < 5) chunk.push(0);
    let bits = 0n;
    for (const x of chunk) bits = (bits << 8n) | BigInt(x);
    let s = '';
    for (let k = 7; k >= 0; k--) s += B32[Number((bits >> BigInt(k * 5)) & 31n)];
    const keep = [0, 2, 4, 5, 7, 8][nb] ?? 8;
    out += s.slice(0, keep).padEnd(8, '=');
  }
  return out;
}
function b32decode(s: string): Buffer {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 8 !== 0) throw new Error(`illegal base32 data at input byte ${Math.floor(clean.length / 8) * 8}`);
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 8) {
    const q = clean.slice(i, i + 8);
    const body = q.replace(/=+$/, '');
    const bad = [...body].findIndex((c) => !B32.includes(c));
    if (bad >= 0) throw new Error(`illegal base32 data at input byte ${i + bad}`);
    let bits = 0n;
    for (const c of body.padEnd(8, 'A')) bits = (bits << 5n) | BigInt(B32.indexOf(c));
    const nb = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[body.length];
    if (nb === undefined) throw new Error(`illegal base32 data at input byte ${i + body.length}`);
    for (let k = 0; k < nb; k++) out.push(Number((bits >> BigInt(32 - k * 8)) & 255n));
  }
  return Buffer.from(out);
}

function adler32(b: Buffer): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

/** A decimal m·10^e for shopspring/decimal arithmetic. */
interface Dec {
  m: bigint;
  e: number;
}
function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) goPanic(`Cannot create a Decimal from ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  const s = String(f);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s) as RegExpExecArray;
  const frac = m[3] ?? '';
  return { m: BigInt((m[1] ?? '') + (m[2] ?? '') + frac), e: Number(m[4] ?? 0) - frac.length };
}
const scale = (d: Dec, e: number): bigint => d.m * 10n ** BigInt(d.e - e);
function decAdd(a: Dec, b: Dec, sub = false): Dec {
  const e = Math.min(a.e, b.e);
  return { m: scale(a, e) + (sub ? -scale(b, e) : scale(b, e)), e };
}
function decMul(a: Dec, b: Dec): Dec {
  return { m: a.m * b.m, e: a.e + b.e };
}
function decDiv(a: Dec, b: Dec): Dec {
  if (b.m === 0n) goPanic('decimal division by 0');
  const prec = 16;
  const k = a.e - b.e + prec;
  let num = a.m;
  let den = b.m;
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  let q = num / den;
  const r = num - q * den;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (2n * abs(r) >= abs(den)) q += num < 0n !== den < 0n ? -1n : 1n;
  return { m: q, e: -prec };
}
const decFloat = (d: Dec): number => Number(`${d.m}e${d.e}`);

function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  const set = (k: string, v: unknown): void => {
    if (dst instanceof Map) dst.set(k, v);
    else dst[k] = v;
  };
  for (const [key, s] of entries(src)) {
    const d = mapGet(dst, key);
    if (s === null || s === undefined) {
      if (overwrite) set(key, null);
      continue;
    }
    if (isMap(s) && d.has && isMap(d.value)) mergeInto(d.value, s, overwrite);
    if (d.has && !isEmpty(d.value)) {
      if (Array.isArray(s)) {
        if (overwrite) set(key, s);
        continue;
      }
      if (isMap(s) && isMap(d.value)) continue;
    }
    if (overwrite || !d.has || isEmpty(d.value)) set(key, s);
  }
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const c = v.map(deepCopy);
    const t = (v as { [GO_TYPE]?: string })[GO_TYPE];
    return t === undefined ? c : typedSlice(t, c);
  }
  if (isMap(v)) {
    const c: Record<string | symbol, unknown> = {};
    for (const [k, e] of entries(v)) c[k] = deepCopy(e);
    const t = (v as { [GO_TYPE]?: string })[GO_TYPE];
    if (t !== undefined) c[GO_TYPE] = t;
    return c;
  }
  return v;
}

/** url.PathUnescape-style decoding; throws Go's invalid URL escape error. */
function urlUnescape(s: string, whole: string): string {
  const bad = /%(?![0-9A-Fa-f]{2})(.{0,2})/.exec(s);
  if (bad) goPanic(`unable to parse url: parse ${JSON.stringify(whole)}: invalid URL escape ${JSON.stringify(bad[0])}`);
  return Buffer.from(
    s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

/** Sprig's urlParse over Go's url.Parse (scheme, opaque, authority, path, raw query, fragment). */
function goUrlParse(whole: string): Record<string, unknown> {
  let rest = whole;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = urlUnescape(rest.slice(hash + 1), whole);
    rest = rest.slice(0, hash);
  }
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = (sm[1] ?? '').toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[^/?]*:/.test(rest))
    goPanic(`unable to parse url: parse ${JSON.stringify(whole)}: first path segment in URL cannot contain colon`);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let opaque = '';
  let host = '';
  let userinfo = '';
  let path = '';
  if (scheme !== '' && !rest.startsWith('/')) opaque = rest;
  else {
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
      rest = slash < 0 ? '' : rest.slice(slash);
      const at = authority.lastIndexOf('@');
      if (at >= 0) {
        userinfo = urlUnescape(authority.slice(0, at), whole);
        host = authority.slice(at + 1);
      } else host = authority;
    }
    path = urlUnescape(rest, whole);
  }
  let hostname = host;
  if (hostname.startsWith('['))
    hostname = hostname.slice(1, hostname.indexOf(']') < 0 ? undefined : hostname.indexOf(']'));
  else hostname = hostname.replace(/:[0-9]*$/, '');
  return { scheme, host, hostname, path, query, opaque, fragment, userinfo };
}

function goUrlJoin(d: GoMap): string {
  const g = (k: string): string => {
    const r = mapGet(d, k);
    return r.has && typeof r.value === 'string' ? r.value : '';
  };
  let out = '';
  const scheme = g('scheme');
  if (scheme) out += scheme + ':';
  const host = g('host');
  const userinfo = g('userinfo');
  if (scheme || host || userinfo) {
    out += '//';
    if (userinfo) out += encodeURIComponent(userinfo).replace(/%3A/g, ':') + '@';
    out += host;
  }
  let path = g('path');
  if (path && path[0] !== '/' && host) path = '/' + path;
  out += path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => encodeURIComponent(c));
  const q = g('query');
  if (q) out += '?' + q;
  const f = g('fragment');
  if (f) out += '#' + encodeURIComponent(f).replace(/%2F/g, '/');
  return out;
}

const PASSWORD_TYPES: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};
const TEMPLATE_CHARS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function derivePassword(counter: GoInt, type: string, password: string, user: string, site: string): string {
  const templates = PASSWORD_TYPES[type];
  if (templates === undefined) return `cannot find password template ${type}`;
  const seedName = Buffer.from('com.lyndir.masterpassword');
  const u32 = (x: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(x >>> 0);
    return b;
  };
  const userB = Buffer.from(user);
  const salt = Buffer.concat([seedName, u32(userB.length), userB]);
  const key = scryptSync(Buffer.from(password), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 128 * 1024 * 1024 });
  const siteB = Buffer.from(site);
  const seed = createHmac('sha256', key)
    .update(Buffer.concat([seedName, u32(siteB.length), siteB, u32(Number(counter.value))]))
    .digest();
  const temp = templates[(seed[0] ?? 0) % templates.length] as string;
  let out = '';
  [...temp].forEach((el, i) => {
    const chars = TEMPLATE_CHARS[el] ?? '';
    out += chars[(seed[i + 1] ?? 0) % chars.length];
  });
  return out;
}

/** Sprig's functions (Helm's set: without env and expandenv). */
export function sprigFuncs(opts: SprigOptions = {}): FuncMap {
  const rnd = opts.randomBytes ?? ((k: number) => randomBytes(k));
  const local = typeof opts.local === 'string' ? loadLocation(opts.local, UTC) : (opts.local ?? localLocation());
  const localLoc =
    local.name === 'Local'
      ? local
      : new Location('Local', local.lookup(-1e15), (local as unknown as { trans: never[] }).trans);
  const clock =
    opts.now ??
    (() => {
      const ms = Date.now();
      return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 + Number(process.hrtime.bigint() % 1000000n) };
    });
  const now = (): GoTime => {
    const c = clock();
    return new GoTime(c.sec, c.nsec, localLoc);
  };
  const randIndex = (max: number): number => {
    if (opts.randomBytes === undefined) return randomInt(max);
    const b = rnd(4);
    return ((((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0) % max;
  };
  const randFrom = (count: bigint, alphabet: string): string => {
    let out = '';
    for (let i = 0n; i < count; i++) out += alphabet[randIndex(alphabet.length)];
    return out;
  };
  const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const NUM = '0123456789';
  let ascii = '';
  for (let c = 32; c <= 126; c++) ascii += String.fromCharCode(c);
  const bcrypt = opts.bcrypt ?? ((p: string): string => bcryptjs.hashSync(p, 10).replace(/^\$2b\$/, '$2a$'));

  const toTime = (date: unknown): GoTime => {
    if (date instanceof GoTime) return date;
    if (date instanceof GoInt && (date.type === 'int64' || date.type === 'int32'))
      return new GoTime(n(date.value), 0, localLoc);
    if (typeof date === 'bigint') return new GoTime(n(date), 0, localLoc);
    return now();
  };
  const inZone = (layout: string, date: unknown, zone: string): string => {
    let loc: Location;
    try {
      loc = loadLocation(zone, localLoc);
    } catch {
      loc = UTC;
    }
    return toTime(date).in(loc).format(layout);
  };
  const dateModify = (f: string, d: GoTime, must: boolean): GoTime => {
    try {
      return d.add(parseDuration(f));
    } catch (e) {
      if (must) throw e;
      return d;
    }
  };
  const toDate = (layout: string, s: string): GoTime => parseTime(layout, s, localLoc);

  const substr = (start: bigint, end: bigint, s: string): string => {
    const len = Buffer.byteLength(s);
    const [st, en] = [n(start), n(end)];
    if (st < 0) {
      if (en > len || en < 0) goPanic(`runtime error: slice bounds out of range [:${en}] with length ${len}`);
      return sliceBytes(s, 0, en);
    }
    if (en < 0 || en > len) {
      if (st > len) goPanic(`runtime error: slice bounds out of range [${st}:${len}]`);
      return sliceBytes(s, st);
    }
    if (st > en) goPanic(`runtime error: slice bounds out of range [${st}:${en}]`);
    return sliceBytes(s, st, en);
  };
  const trunc = (c: bigint, s: string): string => {
    const len = Buffer.byteLength(s);
    const k = n(c);
    if (k < 0 && len + k > 0) return sliceBytes(s, len + k);
    if (k >= 0 && len > k) return sliceBytes(s, 0, k);
    return s;
  };
  const strslice = (v: unknown): string[] => {
    if (typeName(v) === '[]string') return v as string[];
    const items = sliceItems(v);
    if (items !== undefined) return strs(items.filter((x) => x !== null && x !== undefined).map(strval));
    if (v === null || v === undefined) return strs([]);
    return strs([strval(v)]);
  };
  const splitGo = (orig: string, sep: string, lim: number): string[] => {
    if (lim === 0) return [];
    if (sep === '') {
      const cs = [...orig];
      if (lim > 0 && cs.length > lim) return [...cs.slice(0, lim - 1), cs.slice(lim - 1).join('')];
      return cs;
    }
    const parts = orig.split(sep);
    if (lim > 0 && parts.length > lim) return [...parts.slice(0, lim - 1), parts.slice(lim - 1).join(sep)];
    return parts;
  };
  const splitMap = (parts: string[]): Record<string, unknown> =>
    typedMap('map[string]string', Object.fromEntries(parts.map((p, i) => [`_${i}`, p])));
  const untilStep = (start: number, stop: number, step: number): bigint[] => {
    const v: bigint[] = [];
    if (stop < start) {
      if (step >= 0) return typedSlice('[]int', v);
      for (let i = start; i > stop; i += step) v.push(goInt(i));
      return typedSlice('[]int', v);
    }
    if (step <= 0) return typedSlice('[]int', v);
    for (let i = start; i < stop; i += step) v.push(goInt(i));
    return typedSlice('[]int', v);
  };
  const intArrayToString = (a: bigint[]): string => a.join(' ');
  const seq = (...p: bigint[]): string => {
    const q = p.map(n);
    switch (q.length) {
      case 1: {
        const end = q[0] as number;
        const inc = end < 1 ? -1 : 1;
        return intArrayToString(untilStep(1, end + inc, inc));
      }
      case 2: {
        const [start, end] = q as [number, number];
        const step = end < start ? -1 : 1;
        return intArrayToString(untilStep(start, end + step, step));
      }
      case 3: {
        const [start, step, end] = q as [number, number, number];
        let inc = 1;
        if (end < start) {
          inc = -1;
          if (step > 0) return '';
        }
        return intArrayToString(untilStep(start, end + inc, step));
      }
      default:
        return '';
    }
  };
  const execDecimal = (a: unknown, b: unknown[], op: (x: Dec, y: Dec) => Dec): number => {
    let p = decFromFloat(toFloat64(a));
    for (const x of b) p = op(p, decFromFloat(toFloat64(x)));
    return decFloat(p);
  };
  const intDiv = (a: unknown, b: unknown, mod: boolean): GoInt => {
    const x = toInt64(a);
    const y = toInt64(b);
    if (y === 0n) goPanic('runtime error: integer divide by zero');
    return int64(mod ? x % y : x / y);
  };
  const round = (a: unknown, p: bigint, ...r: number[]): number => {
    const roundOn = r.length > 0 ? (r[0] as number) : 0.5;
    const val = toFloat64(a);
    const pow = Math.pow(10, Number(p));
    const digit = pow * val;
    const div = digit - Math.trunc(digit);
    return (div >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
  };
  const list = (...v: unknown[]): unknown[] => v;
  const dict = (...v: unknown[]): Record<string, unknown> => {
    const d: Record<string, unknown> = {};
    for (let i = 0; i < v.length; i += 2) d[strval(v[i])] = i + 1 >= v.length ? '' : v[i + 1];
    return d;
  };
  const first = (l: unknown): unknown => {
    const items = listOf(l, 'first');
    return items.length === 0 ? null : items[0];
  };
  const last = (l: unknown): unknown => {
    const items = listOf(l, 'last');
    return items.length === 0 ? null : items[items.length - 1];
  };
  const rest = (l: unknown): unknown => {
    const items = listOf(l, 'rest');
    return items.length === 0 ? [] : items.slice(1);
  };
  const initial = (l: unknown): unknown => {
    const items = listOf(l, 'initial');
    return items.length === 0 ? [] : items.slice(0, -1);
  };
  const push = (l: unknown, v: unknown): unknown[] => [...listOf(l, '', (k) => `Cannot push on type ${k}`), v];
  const prepend = (l: unknown, v: unknown): unknown[] => [v, ...listOf(l, '', (k) => `Cannot prepend on type ${k}`)];
  const reverse = (l: unknown): unknown[] => [...listOf(l, 'reverse')].reverse();
  const compact = (l: unknown): unknown[] =>
    listOf(l, '', (k) => `Cannot compact on type ${k}`).filter((x) => !isEmpty(x));
  const uniq = (l: unknown): unknown[] => {
    const out: unknown[] = [];
    for (const x of listOf(l, 'uniq')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  };
  const without = (l: unknown, ...omit: unknown[]): unknown[] =>
    listOf(l, 'without').filter((x) => !omit.some((y) => deepEqual(x, y)));
  const has = (needle: unknown, hay: unknown): boolean => {
    if (hay === null || hay === undefined) return false;
    return listOf(hay, 'has').some((x) => deepEqual(needle, x));
  };
  const sliceFn = (l: unknown, ...idx: unknown[]): unknown => {
    const items = sliceItems(l);
    if (items === undefined) throw new Error(`list should be type of slice or array but ${kindName(l)}`);
    if (items.length === 0) return null;
    const start = idx.length > 0 ? Number(toInt64(idx[0])) : 0;
    const end = idx.length < 2 ? items.length : Number(toInt64(idx[1]));
    if (start < 0 || end < start || end > items.length) goPanic('reflect.Value.Slice: slice index out of bounds');
    const out = items.slice(start, end);
    const t = (l as { [GO_TYPE]?: string })[GO_TYPE];
    return t === undefined ? out : typedSlice(t, out);
  };
  const concat = (...lists: unknown[]): unknown => {
    let res: unknown[] = [];
    for (const l of lists) {
      const items = sliceItems(l);
      if (items === undefined) goPanic(`Cannot concat type ${kindName(l)} as list`);
      res = [...res, ...items];
    }
    return res;
  };
  const chunk = (size: bigint, l: unknown): unknown[] => {
    const items = listOf(l, '', (k) => `Cannot chunk type ${k}`);
    const sz = n(size);
    const len = items.length;
    const cs = Math.floor((len - 1) / sz) + 1;
    const out: unknown[] = [];
    for (let i = 0; i < cs; i++) {
      let clen = sz;
      if (i === cs - 1) {
        clen = Math.floor(len % sz);
        if (clen === 0) clen = sz;
      }
      out.push(items.slice(i * sz, i * sz + clen));
    }
    return typedSlice('[][]interface {}', out);
  };
  const sortAlpha = (l: unknown): string[] => {
    if (sliceItems(l) !== undefined) {
      return strs([...strslice(l)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
    return strs([strval(l)]);
  };
  const dig = (...ps: unknown[]): unknown => {
    if (ps.length < 3) goPanic('dig needs at least three arguments');
    const d = ps[ps.length - 1];
    const def = ps[ps.length - 2];
    const assertMap = (v: unknown): GoMap => {
      if (typeName(v) !== 'map[string]interface {}') {
        goPanic(
          `interface conversion: interface {} is ${v === null || v === undefined ? 'nil' : typeName(v)}, not map[string]interface {}`,
        );
      }
      return v as GoMap;
    };
    const ks = ps.slice(0, -2).map((k) => {
      if (typeof k !== 'string')
        goPanic(`interface conversion: interface {} is ${k === null ? 'nil' : typeName(k)}, not string`);
      return k;
    });
    let cur = assertMap(d);
    for (let i = 0; i < ks.length; i++) {
      const r = mapGet(cur, ks[i] as string);
      if (!r.has) return def;
      if (i === ks.length - 1) return r.value;
      cur = assertMap(r.value);
    }
    return def;
  };
  const regex =
    (f: (r: GoRegexp, ...a: never[]) => unknown, must: boolean, zero: unknown) =>
    (expr: string, ...a: never[]): unknown => {
      let r: GoRegexp;
      try {
        r = new GoRegexp(expr);
      } catch (e) {
        if (must) throw e;
        return zero;
      }
      return f(r, ...a);
    };
  const regexFuncs = (
    name: string,
    params: ParamType[],
    f: (r: GoRegexp, ...a: never[]) => unknown,
    zero: unknown,
  ): FuncMap => ({
    [name]: new GoFunc(['string', ...params], regex(f, false, zero)),
    ['must' + name[0]?.toUpperCase() + name.slice(1)]: new GoFunc(['string', ...params], regex(f, true, zero)),
  });
  const genPrivateKey = (typ: string): string => {
    const pem = (type: string, der: Buffer): string =>
      `-----BEGIN ${type}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;
    switch (typ) {
      case '':
      case 'rsa': {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
        return pem('RSA PRIVATE KEY', privateKey.export({ type: 'pkcs1', format: 'der' }));
      }
      case 'ecdsa': {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        return pem('EC PRIVATE KEY', privateKey.export({ type: 'sec1', format: 'der' }));
      }
      case 'ed25519': {
        const { privateKey } = generateKeyPairSync('ed25519');
        return pem('PRIVATE KEY', privateKey.export({ type: 'pkcs8', format: 'der' }));
      }
      default:
        return 'Unknown type ' + typ;
    }
  };
  const aesKey = (password: string): Buffer => {
    const key = Buffer.alloc(32);
    Buffer.from(password).copy(key, 0, 0, 32);
    return key;
  };
  const encryptAES = (password: string, plaintext: string): string => {
    if (plaintext === '') return '';
    const iv = Buffer.from(rnd(16));
    const c = createCipheriv('aes-256-cbc', aesKey(password), iv);
    return Buffer.concat([iv, c.update(Buffer.from(plaintext)), c.final()]).toString('base64');
  };
  const decryptAES = (password: string, crypt64: string): string => {
    if (crypt64 === '') return '';
    const crypt = b64decode(crypt64);
    if (crypt.length < 16) goPanic(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
    if ((crypt.length - 16) % 16 !== 0) goPanic('crypto/cipher: input not full blocks');
    const d = createDecipheriv('aes-256-cbc', aesKey(password), crypt.subarray(0, 16));
    d.setAutoPadding(false);
    const dec = Buffer.concat([d.update(crypt.subarray(16)), d.final()]);
    if (dec.length === 0) goPanic('runtime error: index out of range [-1]');
    const padLen = dec[dec.length - 1] ?? 0;
    if (padLen > dec.length) goPanic(`runtime error: slice bounds out of range [:${dec.length - padLen}]`);
    return dec.subarray(0, dec.length - padLen).toString('utf8');
  };
  const cert = (
    cn: string,
    ips: unknown[],
    dns: unknown[],
    days: bigint,
    isCA: boolean,
    key: KeyObject,
    parent?: { cert: string; key: string },
  ): GoStruct => {
    const c = clock();
    const serial = Buffer.from(rnd(16));
    return createCertificate(
      { cn, ips, dns, days: n(days), isCA, now: new Date(c.sec * 1000 + Math.floor(c.nsec / 1e6)), serial },
      key,
      parent,
    );
  };
  const withKey = (pem: string): KeyObject => {
    try {
      return parsePrivateKeyPEM(pem);
    } catch (e) {
      throw new Error(`parsing private key: ${(e as Error).message}`, { cause: e });
    }
  };
  const semver = (v: string): GoStruct => {
    const ver = newVersion(v);
    const s = versionValue(ver);
    (s as unknown as Record<symbol, unknown>)[VERSION] = ver;
    return s;
  };
  const semverCompare = (c: string, v: string): boolean => checkConstraint(newConstraint(c), newVersion(v));
  const durationFn = (sec: unknown): string => {
    let k = 0n;
    if (typeof sec === 'string') {
      try {
        const r = parseGoInt(sec, 10);
        k = r.range ? r.value : r.value;
      } catch {
        k = 0n;
      }
    } else if (sec instanceof GoInt && sec.type === 'int64') k = sec.value;
    return durationString(wrap64(k * 1000000000n));
  };
  const durationRoundFn = (d: unknown): string => {
    let dur = 0n;
    if (typeof d === 'string') {
      try {
        dur = parseDuration(d);
      } catch {
        dur = 0n;
      }
    } else if (d instanceof GoInt && d.type === 'int64') dur = d.value;
    else if (d instanceof GoTime) {
      const c = now();
      dur = (BigInt(c.sec) - BigInt(d.sec)) * 1000000000n + BigInt(c.nsec - d.nsec);
    }
    let u = dur < 0n ? -dur : dur;
    u = BigInt.asUintN(64, u);
    const H = 3600000000000n;
    const units: [bigint, string][] = [
      [H * 24n * 365n, 'y'],
      [H * 24n * 30n, 'mo'],
      [H * 24n, 'd'],
      [H, 'h'],
      [60000000000n, 'm'],
      [1000000000n, 's'],
    ];
    for (const [unit, suffix] of units) if (u > unit) return String(u / unit) + suffix;
    return '0s';
  };
  const ago = (date: unknown): string => {
    const t = toTime(date);
    const c = now();
    const d = (BigInt(c.sec) - BigInt(t.sec)) * 1000000000n + BigInt(c.nsec - t.nsec);
    return durationString(durationRound(d, 1000000000n));
  };

  const m: FuncMap = {
    hello: new GoFunc([], () => 'Hello!'),

    // Date functions
    ago: new GoFunc([A], ago),
    date: new GoFunc([S, A], (f: string, d: unknown) => inZone(f, d, 'Local')),
    date_in_zone: new GoFunc([S, A, S], inZone),
    dateInZone: new GoFunc([S, A, S], inZone),
    date_modify: new GoFunc([S, T], (f: string, d: GoTime) => dateModify(f, d, false)),
    dateModify: new GoFunc([S, T], (f: string, d: GoTime) => dateModify(f, d, false)),
    must_date_modify: new GoFunc([S, T], (f: string, d: GoTime) => dateModify(f, d, true)),
    mustDateModify: new GoFunc([S, T], (f: string, d: GoTime) => dateModify(f, d, true)),
    duration: new GoFunc([A], durationFn),
    durationRound: new GoFunc([A], durationRoundFn),
    htmlDate: new GoFunc([A], (d: unknown) => inZone('2006-01-02', d, 'Local')),
    htmlDateInZone: new GoFunc([A, S], (d: unknown, z: string) => inZone('2006-01-02', d, z)),
    mustToDate: new GoFunc([S, S], toDate),
    now: new GoFunc([], now),
    toDate: new GoFunc([S, S], (l: string, s: string) => {
      try {
        return toDate(l, s);
      } catch {
        return zeroTime();
      }
    }),
    unixEpoch: new GoFunc([T], (d: GoTime) => String(d.sec)),

    // Strings
    abbrev: new GoFunc([I, S], (w: bigint, s: string) => (w < 4n ? s : abbreviateFull(s, 0, n(w)))),
    abbrevboth: new GoFunc([I, I, S], (l: bigint, r: bigint, s: string) =>
      r < 4n || (l > 0n && r < 7n) ? s : abbreviateFull(s, n(l), n(r)),
    ),
    trunc: new GoFunc([I, S], trunc),
    trim: new GoFunc([S], (s: string) => trimFunc(s, isSpace)),
    upper: new GoFunc([S], (s: string) => mapRunes(s, toUpper)),
    lower: new GoFunc([S], (s: string) => mapRunes(s, toLower)),
    title: new GoFunc([S], title),
    untitle: new GoFunc([S], (s: string) => {
      let gap = true;
      let out = '';
      for (const c of s) {
        out += gap ? toLower(c) : c;
        gap = isSpace(c);
      }
      return out;
    }),
    substr: new GoFunc([I, I, S], substr),
    repeat: new GoFunc([I, S], (c: bigint, s: string) => {
      if (c < 0n) goPanic('strings: negative Repeat count');
      return s.repeat(n(c));
    }),
    trimall: new GoFunc([S, S], (a: string, b: string) => trimCutset(b, a)),
    trimAll: new GoFunc([S, S], (a: string, b: string) => trimCutset(b, a)),
    trimSuffix: new GoFunc([S, S], (a: string, b: string) =>
      a !== '' && b.endsWith(a) ? b.slice(0, b.length - a.length) : b,
    ),
    trimPrefix: new GoFunc([S, S], (a: string, b: string) => (b.startsWith(a) ? b.slice(a.length) : b)),
    nospace: new GoFunc([S], (s: string) => [...s].filter((c) => !isSpace(c)).join('')),
    initials: new GoFunc([S], (s: string) => {
      let out = '';
      let gap = true;
      for (const c of s) {
        if (isSpace(c)) gap = true;
        else if (gap) {
          out += c;
          gap = false;
        }
      }
      return out;
    }),
    randAlphaNum: new GoFunc([I], (c: bigint) => randFrom(c, ALPHA + NUM)),
    randAlpha: new GoFunc([I], (c: bigint) => randFrom(c, ALPHA)),
    randAscii: new GoFunc([I], (c: bigint) => randFrom(c, ascii)),
    randNumeric: new GoFunc([I], (c: bigint) => randFrom(c, NUM)),
    swapcase: new GoFunc([S], swapCase),
    shuffle: new GoFunc([S], (s: string) => {
      const cs = [...s];
      for (let i = cs.length - 1; i > 0; i--) {
        const j = randIndex(i + 1);
        [cs[i], cs[j]] = [cs[j] as string, cs[i] as string];
      }
      return cs.join('');
    }),
    snakecase: new GoFunc([S], (s: string) => toDelimited(s, '_')),
    camelcase: new GoFunc([S], camelCase),
    kebabcase: new GoFunc([S], (s: string) => toDelimited(s, '-')),
    wrap: new GoFunc([I, S], (l: bigint, s: string) => wrapCustom(s, n(l), '', false)),
    wrapWith: new GoFunc([I, S, S], (l: bigint, sep: string, s: string) => wrapCustom(s, n(l), sep, true)),
    contains: new GoFunc([S, S], (a: string, b: string) => b.includes(a)),
    hasPrefix: new GoFunc([S, S], (a: string, b: string) => b.startsWith(a)),
    hasSuffix: new GoFunc([S, S], (a: string, b: string) => b.endsWith(a)),
    quote: new GoFunc(
      [],
      (...a: unknown[]) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => sprintf('%q', [strval(x)]))
          .join(' '),
      { variadic: A },
    ),
    squote: new GoFunc(
      [],
      (...a: unknown[]) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => sprintf("'%v'", [x]))
          .join(' '),
      { variadic: A },
    ),
    cat: new GoFunc(
      [],
      (...a: unknown[]) => {
        const v = a.filter((x) => x !== null && x !== undefined);
        return sprintf(v.map(() => '%v').join(' '), v);
      },
      { variadic: A },
    ),
    indent: new GoFunc([I, S], (k: bigint, v: string) => indent(n(k), v)),
    nindent: new GoFunc([I, S], (k: bigint, v: string) => '\n' + indent(n(k), v)),
    replace: new GoFunc([S, S, S], (o: string, nw: string, s: string) => replaceAll(s, o, nw)),
    plural: new GoFunc([S, S, I], (one: string, many: string, c: bigint) => (c === 1n ? one : many)),
    sha1sum: new GoFunc([S], (s: string) => createHash('sha1').update(s).digest('hex')),
    sha256sum: new GoFunc([S], (s: string) => createHash('sha256').update(s).digest('hex')),
    sha512sum: new GoFunc([S], (s: string) => createHash('sha512').update(s).digest('hex')),
    adler32sum: new GoFunc([S], (s: string) => String(adler32(Buffer.from(s)))),
    toString: new GoFunc([A], strval),

    atoi: new GoFunc([S], (a: string) => {
      if (!/^[+-]?\d+$/.test(a)) return 0n;
      return parseGoInt(a, 10).value;
    }),
    int64: new GoFunc([A], (v: unknown) => int64(toInt64(v))),
    int: new GoFunc([A], (v: unknown) => toInt64(v)),
    float64: new GoFunc([A], toFloat64),
    seq: new GoFunc([], seq, { variadic: I }),
    toDecimal: new GoFunc([A], (v: unknown) => {
      try {
        const r = parseGoInt(strval(v), 8);
        return int64(r.range ? 0n : r.value);
      } catch {
        return int64(0n);
      }
    }),

    split: new GoFunc([S, S], (sep: string, orig: string) => splitMap(splitGo(orig, sep, -1))),
    splitList: new GoFunc([S, S], (sep: string, orig: string) => strs(splitGo(orig, sep, -1))),
    splitn: new GoFunc([S, I, S], (sep: string, k: bigint, orig: string) => splitMap(splitGo(orig, sep, n(k)))),
    toStrings: new GoFunc([A], strslice),

    until: new GoFunc([I], (c: bigint) => untilStep(0, n(c), c < 0n ? -1 : 1)),
    untilStep: new GoFunc([I, I, I], (a: bigint, b: bigint, c: bigint) => untilStep(n(a), n(b), n(c))),

    add1: new GoFunc([A], (i: unknown) => int64(toInt64(i) + 1n)),
    add: new GoFunc([], (...i: unknown[]) => int64(i.reduce<bigint>((s, b) => wrap64(s + toInt64(b)), 0n)), {
      variadic: A,
    }),
    sub: new GoFunc([A, A], (a: unknown, b: unknown) => int64(toInt64(a) - toInt64(b))),
    div: new GoFunc([A, A], (a: unknown, b: unknown) => intDiv(a, b, false)),
    mod: new GoFunc([A, A], (a: unknown, b: unknown) => intDiv(a, b, true)),
    mul: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => int64(v.reduce<bigint>((s, b) => wrap64(s * toInt64(b)), toInt64(a))),
      {
        variadic: A,
      },
    ),
    randInt: new GoFunc([I, I], (min: bigint, max: bigint) => {
      if (max - min <= 0n) goPanic('invalid argument to Intn');
      return min + BigInt(randIndex(n(max - min)));
    }),
    add1f: new GoFunc([A], (i: unknown) => execDecimal(i, [1n], (x, y) => decAdd(x, y))),
    addf: new GoFunc([], (...i: unknown[]) => execDecimal(0, i, (x, y) => decAdd(x, y)), { variadic: A }),
    subf: new GoFunc([A], (a: unknown, ...v: unknown[]) => execDecimal(a, v, (x, y) => decAdd(x, y, true)), {
      variadic: A,
    }),
    divf: new GoFunc([A], (a: unknown, ...v: unknown[]) => execDecimal(a, v, decDiv), { variadic: A }),
    mulf: new GoFunc([A], (a: unknown, ...v: unknown[]) => execDecimal(a, v, decMul), { variadic: A }),
    biggest: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => int64(v.map(toInt64).reduce((x, y) => (y > x ? y : x), toInt64(a))),
      {
        variadic: A,
      },
    ),
    max: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => int64(v.map(toInt64).reduce((x, y) => (y > x ? y : x), toInt64(a))),
      {
        variadic: A,
      },
    ),
    min: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => int64(v.map(toInt64).reduce((x, y) => (y < x ? y : x), toInt64(a))),
      {
        variadic: A,
      },
    ),
    maxf: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => v.map(toFloat64).reduce((x, y) => goMax(x, y), toFloat64(a)),
      {
        variadic: A,
      },
    ),
    minf: new GoFunc(
      [A],
      (a: unknown, ...v: unknown[]) => v.map(toFloat64).reduce((x, y) => goMin(x, y), toFloat64(a)),
      {
        variadic: A,
      },
    ),
    ceil: new GoFunc([A], (a: unknown) => Math.ceil(toFloat64(a))),
    floor: new GoFunc([A], (a: unknown) => Math.floor(toFloat64(a))),
    round: new GoFunc([A, I], round, { variadic: 'float64' }),

    join: new GoFunc([S, A], (sep: string, v: unknown) => strslice(v).join(sep)),
    sortAlpha: new GoFunc([A], sortAlpha),

    // Defaults
    default: new GoFunc([A], (d: unknown, ...g: unknown[]) => (g.length === 0 || isEmpty(g[0]) ? d : g[0]), {
      variadic: A,
    }),
    empty: new GoFunc([A], isEmpty),
    coalesce: new GoFunc([], (...v: unknown[]) => v.find((x) => !isEmpty(x)) ?? null, { variadic: A }),
    all: new GoFunc([], (...v: unknown[]) => v.every((x) => !isEmpty(x)), { variadic: A }),
    any: new GoFunc([], (...v: unknown[]) => v.some((x) => !isEmpty(x)), { variadic: A }),
    compact: new GoFunc([A], compact),
    mustCompact: new GoFunc([A], compact),
    toPrettyJson: new GoFunc([A], (v: unknown) => {
      try {
        return marshal(v, true, '  ');
      } catch {
        return '';
      }
    }),
    mustToPrettyJson: new GoFunc([A], (v: unknown) => marshal(v, true, '  ')),
    toRawJson: new GoFunc([A], (v: unknown) => marshal(v, false)),
    mustToRawJson: new GoFunc([A], (v: unknown) => marshal(v, false)),
    mustFromJson: new GoFunc([S], unmarshal),
    ternary: new GoFunc([A, A, 'bool'], (vt: unknown, vf: unknown, v: boolean) => (v ? vt : vf)),
    deepCopy: new GoFunc([A], deepCopy),
    mustDeepCopy: new GoFunc([A], deepCopy),

    // Reflection
    typeOf: new GoFunc([A], (v: unknown) => (v === null || v === undefined ? '<nil>' : typeName(v))),
    typeIs: new GoFunc([S, A], (t: string, v: unknown) => t === (v === null ? '<nil>' : typeName(v))),
    typeIsLike: new GoFunc([S, A], (t: string, v: unknown) => {
      const s = v === null ? '<nil>' : typeName(v);
      return t === s || '*' + t === s;
    }),
    kindOf: new GoFunc([A], goKind),
    kindIs: new GoFunc([S, A], (t: string, v: unknown) => t === goKind(v)),
    deepEqual: new GoFunc([A, A], deepEqual),

    getHostByName: new GoFunc([S], (name: string) => {
      if (opts.lookupHost === undefined) throw new Error('getHostByName: no resolver is configured');
      const addrs = opts.lookupHost(name);
      if (addrs.length === 0) goPanic('invalid argument to Intn');
      return addrs[randIndex(addrs.length)];
    }),

    // Paths
    base: new GoFunc([S], pathBase),
    dir: new GoFunc([S], pathDir),
    clean: new GoFunc([S], cleanPath),
    ext: new GoFunc([S], pathExt),
    isAbs: new GoFunc([S], (p: string) => p.startsWith('/')),
    osBase: new GoFunc([S], pathBase),
    osClean: new GoFunc([S], cleanPath),
    osDir: new GoFunc([S], pathDir),
    osExt: new GoFunc([S], pathExt),
    osIsAbs: new GoFunc([S], (p: string) => p.startsWith('/')),

    // Encoding
    b64enc: new GoFunc([S], (s: string) => Buffer.from(s).toString('base64')),
    b64dec: new GoFunc([S], (s: string) => {
      try {
        return b64decode(s).toString('utf8');
      } catch (e) {
        return (e as Error).message;
      }
    }),
    b32enc: new GoFunc([S], (s: string) => b32encode(Buffer.from(s))),
    b32dec: new GoFunc([S], (s: string) => {
      try {
        return b32decode(s).toString('utf8');
      } catch (e) {
        return (e as Error).message;
      }
    }),

    // Data structures
    tuple: new GoFunc([], list, { variadic: A }),
    list: new GoFunc([], list, { variadic: A }),
    dict: new GoFunc([], dict, { variadic: A }),
    get: new GoFunc([M, S], (d: GoMap, k: string) => {
      const r = mapGet(d, k);
      return r.has ? r.value : '';
    }),
    set: new GoFunc([M, S, A], (d: GoMap, k: string, v: unknown) => {
      if (d instanceof Map) d.set(k, v);
      else d[k] = v;
      return d;
    }),
    unset: new GoFunc([M, S], (d: GoMap, k: string) => {
      if (d instanceof Map) d.delete(k);
      else delete d[k];
      return d;
    }),
    hasKey: new GoFunc([M, S], (d: GoMap, k: string) => mapGet(d, k).has),
    pluck: new GoFunc(
      [S],
      (k: string, ...ds: GoMap[]) => ds.flatMap((d) => (mapGet(d, k).has ? [mapGet(d, k).value] : [])),
      {
        variadic: M,
      },
    ),
    keys: new GoFunc([], (...ds: GoMap[]) => strs(ds.flatMap((d) => entries(d).map(([k]) => k))), { variadic: M }),
    pick: new GoFunc(
      [M],
      (d: GoMap, ...ks: string[]) =>
        Object.fromEntries(ks.filter((k) => mapGet(d, k).has).map((k) => [k, mapGet(d, k).value])),
      { variadic: S },
    ),
    omit: new GoFunc(
      [M],
      (d: GoMap, ...ks: string[]) => Object.fromEntries(entries(d).filter(([k]) => !ks.includes(k))),
      {
        variadic: S,
      },
    ),
    merge: new GoFunc(
      [M],
      (d: GoMap, ...srcs: GoMap[]) => {
        for (const s of srcs) mergeInto(d, s, false);
        return d;
      },
      { variadic: M },
    ),
    mergeOverwrite: new GoFunc(
      [M],
      (d: GoMap, ...srcs: GoMap[]) => {
        for (const s of srcs) mergeInto(d, s, true);
        return d;
      },
      { variadic: M },
    ),
    mustMerge: new GoFunc(
      [M],
      (d: GoMap, ...srcs: GoMap[]) => {
        for (const s of srcs) mergeInto(d, s, false);
        return d;
      },
      { variadic: M },
    ),
    mustMergeOverwrite: new GoFunc(
      [M],
      (d: GoMap, ...srcs: GoMap[]) => {
        for (const s of srcs) mergeInto(d, s, true);
        return d;
      },
      { variadic: M },
    ),
    values: new GoFunc([M], (d: GoMap) => entries(d).map(([, v]) => v)),

    append: new GoFunc([A, A], push),
    push: new GoFunc([A, A], push),
    mustAppend: new GoFunc([A, A], push),
    mustPush: new GoFunc([A, A], push),
    prepend: new GoFunc([A, A], prepend),
    mustPrepend: new GoFunc([A, A], prepend),
    first: new GoFunc([A], first),
    mustFirst: new GoFunc([A], first),
    rest: new GoFunc([A], rest),
    mustRest: new GoFunc([A], rest),
    last: new GoFunc([A], last),
    mustLast: new GoFunc([A], last),
    initial: new GoFunc([A], initial),
    mustInitial: new GoFunc([A], initial),
    reverse: new GoFunc([A], reverse),
    mustReverse: new GoFunc([A], reverse),
    uniq: new GoFunc([A], uniq),
    mustUniq: new GoFunc([A], uniq),
    without: new GoFunc([A], without, { variadic: A }),
    mustWithout: new GoFunc([A], without, { variadic: A }),
    has: new GoFunc([A, A], has),
    mustHas: new GoFunc([A, A], has),
    slice: new GoFunc([A], sliceFn, { variadic: A }),
    mustSlice: new GoFunc([A], sliceFn, { variadic: A }),
    concat: new GoFunc([], concat, { variadic: A }),
    dig: new GoFunc([], dig, { variadic: A }),
    chunk: new GoFunc([I, A], chunk),
    mustChunk: new GoFunc([I, A], chunk),

    // Crypto
    bcrypt: new GoFunc([S], bcrypt),
    htpasswd: new GoFunc([S, S], (u: string, p: string) =>
      u.includes(':') ? `invalid username: ${u}` : `${u}:${bcrypt(p)}`,
    ),
    genPrivateKey: new GoFunc([S], genPrivateKey),
    buildCustomCert: new GoFunc([S, S], (c: string, k: string) => buildCustomCert(c, k, b64decode)),
    genCA: new GoFunc([S, I], (cn: string, days: bigint) => cert(cn, [], [], days, true, rsaKey())),
    genCAWithKey: new GoFunc([S, I, S], (cn: string, days: bigint, key: string) =>
      cert(cn, [], [], days, true, withKey(key)),
    ),
    genSelfSignedCert: new GoFunc([S, L, L, I], (cn: string, ips: unknown[], dns: unknown[], days: bigint) =>
      cert(cn, ips, dns, days, false, rsaKey()),
    ),
    genSelfSignedCertWithKey: new GoFunc(
      [S, L, L, I, S],
      (cn: string, ips: unknown[], dns: unknown[], days: bigint, key: string) =>
        cert(cn, ips, dns, days, false, withKey(key)),
    ),
    genSignedCert: new GoFunc(
      [S, L, L, I, C],
      (cn: string, ips: unknown[], dns: unknown[], days: bigint, ca: unknown) =>
        cert(cn, ips, dns, days, false, rsaKey(), certFields(ca)),
    ),
    genSignedCertWithKey: new GoFunc(
      [S, L, L, I, C, S],
      (cn: string, ips: unknown[], dns: unknown[], days: bigint, ca: unknown, key: string) =>
        cert(cn, ips, dns, days, false, withKey(key), certFields(ca)),
    ),
    derivePassword: new GoFunc(['uint32', S, S, S, S], derivePassword),
    encryptAES: new GoFunc([S, S], encryptAES),
    decryptAES: new GoFunc([S, S], decryptAES),
    randBytes: new GoFunc([I], (c: bigint) => Buffer.from(rnd(n(c))).toString('base64')),

    uuidv4: new GoFunc([], () => (opts.randomBytes === undefined ? randomUUID() : uuidFrom(rnd(16)))),

    semver: new GoFunc([S], semver),
    semverCompare: new GoFunc([S, S], semverCompare),

    fail: new GoFunc([S], (msg: string) => {
      throw new Error(msg);
    }),

    ...regexFuncs('regexMatch', ['string'], (r: GoRegexp, s: string) => r.matchString(s), false),
    ...regexFuncs(
      'regexFindAll',
      ['string', 'int'],
      (r: GoRegexp, s: string, k: bigint) => strs(r.findAllString(s, n(k))),
      strs([]),
    ),
    ...regexFuncs('regexFind', ['string'], (r: GoRegexp, s: string) => r.findString(s), ''),
    ...regexFuncs(
      'regexReplaceAll',
      ['string', 'string'],
      (r: GoRegexp, s: string, repl: string) => r.replaceAll(s, (mm) => r.expand(repl, mm)),
      '',
    ),
    ...regexFuncs(
      'regexReplaceAllLiteral',
      ['string', 'string'],
      (r: GoRegexp, s: string, repl: string) => r.replaceAll(s, () => repl),
      '',
    ),
    ...regexFuncs(
      'regexSplit',
      ['string', 'int'],
      (r: GoRegexp, s: string, k: bigint) => strs(r.split(s, n(k))),
      strs([]),
    ),
    regexQuoteMeta: new GoFunc([S], quoteMeta),

    urlParse: new GoFunc([S], goUrlParse),
    urlJoin: new GoFunc([M], goUrlJoin),
  };
  void floatToInt;
  return m;
}

function uuidFrom(b: Uint8Array): string {
  const x = Buffer.from(b);
  x[6] = ((x[6] ?? 0) & 0x0f) | 0x40;
  x[8] = ((x[8] ?? 0) & 0x3f) | 0x80;
  const h = x.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function goMax(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0 && y === 0) return Object.is(x, -0) ? y : x;
  return x > y ? x : y;
}
function goMin(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0 && y === 0) return Object.is(x, -0) ? x : y;
  return x < y ? x : y;
}

function trimFunc(s: string, f: (c: string) => boolean): string {
  const cs = [...s];
  let i = 0;
  let j = cs.length;
  while (i < j && f(cs[i] as string)) i++;
  while (j > i && f(cs[j - 1] as string)) j--;
  return cs.slice(i, j).join('');
}
function trimCutset(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const set = new Set(cutset);
  return trimFunc(s, (c) => set.has(c));
}
function indent(spaces: number, v: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + v.replaceAll('\n', '\n' + pad);
}
function replaceAll(s: string, old: string, nw: string): string {
  if (old === '') {
    const cs = [...s];
    return nw + cs.map((c) => c + nw).join('');
  }
  return s.split(old).join(nw);
}
