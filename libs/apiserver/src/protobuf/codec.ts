/**
 * Kubernetes protobuf (`application/vnd.kubernetes.protobuf`): the `k8s\0` + `runtime.Unknown` envelope and the
 * messages of every built-in kind, read and written through the generated field tables with @bufbuild/protobuf's
 * wire reader and writer. Objects are the JSON forms: JSON names, zero values dropped as `omitempty` (except pointer
 * scalars the tables keep), and the types with their own JSON form (Time, MicroTime, Duration, Quantity,
 * IntOrString, RawExtension, string lists, and apiextensions' JSON and JSONSchemaPropsOr{Bool,Array,StringArray})
 * converted both ways.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { setOwn, type Obj, isObj } from '../util.ts';
import { GROUP_VERSION_PACKAGES, MESSAGES } from './tables.ts';
import { FLAG, type FieldSpec, type MessageTable } from './types.ts';

/** The media type of Kubernetes protobuf. */
export const PROTOBUF_CT = 'application/vnd.kubernetes.protobuf';

/** The prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

/** Kinds of meta.k8s.io/v1 that every group/version registers (`metav1.AddToGroupVersion`) or that are unversioned. */
const META_KINDS = new Set([
  'Status',
  'DeleteOptions',
  'WatchEvent',
  'CreateOptions',
  'UpdateOptions',
  'PatchOptions',
  'PartialObjectMetadata',
  'PartialObjectMetadataList',
  'APIGroup',
  'APIGroupList',
  'APIResourceList',
  'APIVersions',
]);

/** The message of an apiVersion and kind, if it has a table. */
export const messageFor = (apiVersion: string, kind: string): string | undefined => {
  const pkg = GROUP_VERSION_PACKAGES[apiVersion];
  if (pkg && MESSAGES[`${pkg}.${kind}`]) return `${pkg}.${kind}`;
  if (META_KINDS.has(kind) && MESSAGES[`meta.v1.${kind}`]) return `meta.v1.${kind}`;
  return undefined;
};

const tableOf = (key: string): MessageTable => {
  const t = MESSAGES[key];
  if (!t) throw new Error(`no protobuf table for ${key}`);
  return t;
};

/** The message of the schemas inside JSONSchemaPropsOrBool / OrArray / OrStringArray. */
const SCHEMA = 'apiextensions.v1.JSONSchemaProps';

/** The fields of a small message: each number's values in order (length-delimited ones as bytes). */
const fieldsOf = (b: Uint8Array): Map<number, (Uint8Array | boolean)[]> => {
  const r = new BinaryReader(b);
  const out = new Map<number, (Uint8Array | boolean)[]>();
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (wt !== WireType.Varint && wt !== WireType.LengthDelimited) {
      r.skip(wt, no);
      continue;
    }
    const v = wt === WireType.Varint ? r.bool() : r.bytes();
    out.set(no, [...(out.get(no) ?? []), v]);
  }
  return out;
};

const ZERO_TIME_SECONDS = -62135596800;
const NUMERIC = new Set(['bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** metav1.Time / MicroTime JSON: RFC 3339 in UTC, seconds (or microseconds) precision; the zero time is absent. */
const formatTime = (seconds: number, nanos: number, micro: boolean): string | undefined => {
  if (seconds === ZERO_TIME_SECONDS && nanos === 0) return undefined;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
};

/** Seconds and nanoseconds of an RFC 3339 time, or undefined. */
const parseTime = (s: string): { seconds: number; nanos: number } | undefined => {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return undefined;
  const frac = /\.(\d+)/.exec(s.slice(19))?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: Number((frac + '000000000').slice(0, 9)) };
};

const UNITS: [string, number][] = [
  ['h', 3_600e9],
  ['m', 60e9],
];

/** Go's `time.Duration.String` of nanoseconds (`1h0m0s`, `1.5s`, `300ms`, `0s`). */
export const formatDuration = (ns: number): string => {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let u = Math.abs(ns);
  const frac = (v: number, prec: number, unit: string): string => {
    const p = 10 ** prec;
    const whole = Math.floor(v / p);
    const rest = v % p;
    return rest === 0 ? `${whole}${unit}` : `${whole}.${pad(rest, prec).replace(/0+$/, '')}${unit}`;
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 3, 'µs')}`;
  if (u < 1e9) return `${sign}${frac(u, 6, 'ms')}`;
  let out = frac(u % 60e9, 9, 's');
  u = Math.floor(u / 60e9);
  if (u > 0) {
    out = `${u % 60}m${out}`;
    u = Math.floor(u / 60);
    if (u > 0) out = `${u}h${out}`;
  }
  return sign + out;
};

/** Go's `time.ParseDuration` (nanoseconds), or undefined. */
export const parseDuration = (s: string): number | undefined => {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return s === '0' ? 0 : undefined;
  const scale: Record<string, number> = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    μs: 1e3,
    ms: 1e6,
    s: 1e9,
    ...Object.fromEntries(UNITS),
  };
  let total = 0;
  for (const part of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(part[1]) * (scale[part[2] ?? 's'] ?? 1);
  return Math.round(m[1] === '-' ? -total : total);
};

const startsWithMagic = (b: Uint8Array): boolean => b.length >= 4 && PROTOBUF_MAGIC.every((x, i) => b[i] === x);

/** RawExtension / JSON / FieldsV1: embedded JSON (or an embedded protobuf object). */
const decodeRaw = (b: Uint8Array): unknown => {
  if (b.length === 0) return undefined;
  if (startsWithMagic(b)) return decodeEnvelope(b).object;
  const text = Buffer.from(b).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Buffer.from(b).toString('base64');
  }
};

/** Reads one value of a field's type (the tag already read). */
const readValue = (r: BinaryReader, type: string): unknown => {
  switch (type) {
    case 'string':
      return r.string();
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return Number(r.int64());
    case 'uint32':
      return r.uint32();
    case 'uint64':
      return Number(r.uint64());
    case 'double':
      return r.double();
    case 'float':
      return r.float();
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'time':
    case 'microtime': {
      const t = readPair(r.bytes());
      return formatTime(t.a, t.b, type === 'microtime');
    }
    case 'duration':
      return formatDuration(readPair(r.bytes()).a);
    case 'quantity':
      return readString1(r.bytes()) ?? '0';
    case 'intorstring': {
      const sub = new BinaryReader(r.bytes());
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      while (sub.pos < sub.len) {
        const [no, wt] = sub.tag();
        if (no === 1) kind = Number(sub.int64());
        else if (no === 2) intVal = sub.int32();
        else if (no === 3) strVal = sub.string();
        else sub.skip(wt, no);
      }
      return kind === 1 ? strVal : intVal;
    }
    case 'raw':
      return decodeRaw(readBytes1(r.bytes()));
    // JSONSchemaPropsOrBool's MarshalJSON: the schema if set, else `allows`
    case 'schemaorbool': {
      const f = fieldsOf(r.bytes());
      const schema = f.get(2)?.at(-1);
      return schema instanceof Uint8Array ? decodeMessage(schema, SCHEMA) : f.get(1)?.at(-1) === true;
    }
    // JSONSchemaPropsOrArray's: the array if not empty, else the schema (absent when neither)
    case 'schemaorarray': {
      const f = fieldsOf(r.bytes());
      const list = (f.get(2) ?? []).filter((b) => b instanceof Uint8Array);
      if (list.length > 0) return list.map((b) => decodeMessage(b, SCHEMA));
      const schema = f.get(1)?.at(-1);
      return schema instanceof Uint8Array ? decodeMessage(schema, SCHEMA) : undefined;
    }
    // JSONSchemaPropsOrStringArray's: the strings if any, else the schema (null when neither)
    case 'schemaorstringarray': {
      const f = fieldsOf(r.bytes());
      const list = (f.get(2) ?? []).filter((b) => b instanceof Uint8Array);
      if (list.length > 0) return list.map((b) => Buffer.from(b).toString('utf8'));
      const schema = f.get(1)?.at(-1);
      return schema instanceof Uint8Array ? decodeMessage(schema, SCHEMA) : null;
    }
    case 'strings': {
      const sub = new BinaryReader(r.bytes());
      const items: string[] = [];
      while (sub.pos < sub.len) {
        const [no, wt] = sub.tag();
        if (no === 1) items.push(sub.string());
        else sub.skip(wt, no);
      }
      return items;
    }
    default:
      return decodeMessage(r.bytes(), type);
  }
};

/** Fields 1 (int64) and 2 (int32) of a small message (Timestamp, Duration). */
const readPair = (b: Uint8Array): { a: number; b: number } => {
  const r = new BinaryReader(b);
  let a = 0;
  let c = 0;
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) a = Number(r.int64());
    else if (no === 2) c = r.int32();
    else r.skip(wt, no);
  }
  return { a, b: c };
};

const readString1 = (b: Uint8Array): string | undefined => {
  const r = new BinaryReader(b);
  let s: string | undefined;
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) s = r.string();
    else r.skip(wt, no);
  }
  return s;
};

const readBytes1 = (b: Uint8Array): Uint8Array => {
  const r = new BinaryReader(b);
  let out: Uint8Array = new Uint8Array();
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) out = r.bytes();
    else r.skip(wt, no);
  }
  return out;
};

const isZero = (v: unknown): boolean => v === undefined || v === '' || v === 0 || v === false;

/** The JSON zero of a map value or list item whose message was empty on the wire (an empty JSON value is null). */
const zeroOf = (type: string): unknown =>
  type === 'raw'
    ? null
    : type === 'string' || type === 'bytes' || type === 'quantity'
      ? type === 'quantity'
        ? '0'
        : ''
      : NUMERIC.has(type)
        ? type === 'bool'
          ? false
          : 0
        : type === 'strings'
          ? []
          : {};

/** Decodes one message (by table key) into its JSON object. */
export const decodeMessage = (bytes: Uint8Array, key: string): Obj => {
  const table = tableOf(key);
  const r = new BinaryReader(bytes);
  const out: Obj = {};
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    const spec = table[no];
    if (!spec) {
      r.skip(wt, no);
      continue;
    }
    const [name, type, flags = 0] = spec;
    if (flags & FLAG.map) {
      const entry = new BinaryReader(r.bytes());
      let k = '';
      let v: unknown;
      while (entry.pos < entry.len) {
        const [eno, ewt] = entry.tag();
        if (eno === 1) k = entry.string();
        else if (eno === 2) v = readValue(entry, type);
        else entry.skip(ewt, eno);
      }
      if (!isObj(out[name])) out[name] = {};
      // setOwn: a `__proto__` key is data, as in Go's maps
      setOwn(out[name] as Obj, k, v === undefined ? zeroOf(type) : v);
    } else if (flags & FLAG.repeated) {
      const list = (Array.isArray(out[name]) ? out[name] : (out[name] = [])) as unknown[];
      if (wt === WireType.LengthDelimited && NUMERIC.has(type)) {
        const packed = new BinaryReader(r.bytes());
        while (packed.pos < packed.len) list.push(readValue(packed, type));
      } else {
        const v = readValue(r, type);
        list.push(v === undefined ? zeroOf(type) : v);
      }
    } else if (flags & FLAG.inline) {
      Object.assign(out, decodeMessage(r.bytes(), type));
    } else {
      const v = readValue(r, type);
      const scalar = NUMERIC.has(type) || type === 'string' || type === 'bytes';
      if (v !== undefined && ((flags & FLAG.keepZero) !== 0 || !scalar || !isZero(v))) out[name] = v;
      else delete out[name];
    }
  }
  return out;
};

/** Writes one value of a field's type with its tag; values of the wrong JSON type are left out. */
const writeValue = (w: BinaryWriter, no: number, type: string, v: unknown): void => {
  const ld = (): BinaryWriter => w.tag(no, WireType.LengthDelimited);
  switch (type) {
    case 'string':
      if (typeof v === 'string') ld().string(v);
      return;
    case 'bool':
      if (typeof v === 'boolean') w.tag(no, WireType.Varint).bool(v);
      return;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      if (typeof v === 'number' && Number.isInteger(v)) {
        const t = w.tag(no, WireType.Varint);
        if (type === 'int32') t.int32(v);
        else if (type === 'uint32') t.uint32(v);
        else if (type === 'uint64') t.uint64(v);
        else t.int64(v);
      }
      return;
    case 'double':
      if (typeof v === 'number') w.tag(no, WireType.Bit64).double(v);
      return;
    case 'float':
      if (typeof v === 'number') w.tag(no, WireType.Bit32).float(v);
      return;
    case 'bytes':
      if (typeof v === 'string') ld().bytes(Buffer.from(v, 'base64'));
      return;
    case 'time':
    case 'microtime': {
      const t = typeof v === 'string' ? parseTime(v) : undefined;
      if (t) ld().fork().tag(1, WireType.Varint).int64(t.seconds).tag(2, WireType.Varint).int32(t.nanos).join();
      return;
    }
    case 'duration': {
      const ns = typeof v === 'string' ? parseDuration(v) : undefined;
      if (ns !== undefined) ld().fork().tag(1, WireType.Varint).int64(ns).join();
      return;
    }
    case 'quantity':
      if (typeof v === 'string' || typeof v === 'number')
        ld().fork().tag(1, WireType.LengthDelimited).string(String(v)).join();
      return;
    case 'intorstring':
      if (typeof v === 'number' && Number.isInteger(v))
        ld().fork().tag(1, WireType.Varint).int64(0).tag(2, WireType.Varint).int32(v).join();
      else if (typeof v === 'string')
        ld().fork().tag(1, WireType.Varint).int64(1).tag(3, WireType.LengthDelimited).string(v).join();
      return;
    case 'raw':
      if (v !== undefined)
        ld()
          .fork()
          .tag(1, WireType.LengthDelimited)
          .bytes(Buffer.from(JSON.stringify(v)))
          .join();
      return;
    // JSONSchemaPropsOrBool's UnmarshalJSON: a schema means allows
    case 'schemaorbool':
      if (typeof v === 'boolean') ld().fork().tag(1, WireType.Varint).bool(v).join();
      else if (isObj(v)) {
        ld().fork().tag(1, WireType.Varint).bool(true).tag(2, WireType.LengthDelimited).fork();
        encodeInto(w, v, SCHEMA);
        w.join().join();
      }
      return;
    case 'schemaorarray':
    case 'schemaorstringarray':
      if (isObj(v)) {
        ld().fork().tag(1, WireType.LengthDelimited).fork();
        encodeInto(w, v, SCHEMA);
        w.join().join();
      } else if (Array.isArray(v)) {
        ld().fork();
        for (const item of v)
          if (type === 'schemaorstringarray' && typeof item === 'string')
            w.tag(2, WireType.LengthDelimited).string(item);
          else if (type === 'schemaorarray' && isObj(item)) {
            w.tag(2, WireType.LengthDelimited).fork();
            encodeInto(w, item, SCHEMA);
            w.join();
          }
        w.join();
      }
      return;
    case 'strings':
      if (Array.isArray(v)) {
        const sub = ld().fork();
        for (const s of v) if (typeof s === 'string') sub.tag(1, WireType.LengthDelimited).string(s);
        sub.join();
      }
      return;
    default:
      if (isObj(v)) {
        ld().fork();
        encodeInto(w, v, type);
        w.join();
      }
  }
};

/** The JSON names a message (and its inline members) claims in its parent. */
const namesOf = (key: string): string[] =>
  Object.values(tableOf(key)).flatMap(([name, type, flags = 0]) => (flags & FLAG.inline ? namesOf(type) : [name]));

/** Writes the fields of a JSON object as one message (fields in number order, map keys sorted, as gogo does). */
const encodeInto = (w: BinaryWriter, o: Obj, key: string): void => {
  const table = tableOf(key);
  for (const no of Object.keys(table)
    .map(Number)
    .sort((a, b) => a - b)) {
    const [name, type, flags = 0] = table[no] as FieldSpec;
    if (flags & FLAG.inline) {
      const sub: Obj = {};
      for (const n of namesOf(type)) if (Object.hasOwn(o, n)) sub[n] = o[n];
      if (Object.keys(sub).length > 0) {
        w.tag(no, WireType.LengthDelimited).fork();
        encodeInto(w, sub, type);
        w.join();
      }
      continue;
    }
    if (!Object.hasOwn(o, name)) continue;
    const v = o[name];
    if (v === null || v === undefined) continue;
    if (flags & FLAG.map) {
      if (!isObj(v)) continue;
      for (const k of Object.keys(v).sort()) {
        w.tag(no, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k);
        writeValue(w, 2, type, v[k]);
        w.join();
      }
    } else if (flags & FLAG.repeated) {
      if (Array.isArray(v)) for (const item of v) writeValue(w, no, type, item);
    } else writeValue(w, no, type, v);
  }
};

/** Encodes a JSON object as one message (no envelope). */
export const encodeMessage = (o: Obj, key: string): Uint8Array => {
  const w = new BinaryWriter();
  encodeInto(w, o, key);
  return w.finish();
};

/** An envelope read: its TypeMeta and, when the kind has a table, the object. */
export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  /** The decoded object (with apiVersion and kind), when the kind has a table. */
  object?: Obj;
}

/** Reads a `k8s\0` + runtime.Unknown envelope (throws on malformed input). */
export const decodeEnvelope = (bytes: Uint8Array): Envelope => {
  const env = new BinaryReader(bytes.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array();
  while (env.pos < env.len) {
    const [no, wt] = env.tag();
    if (no === 1) {
      const tm = new BinaryReader(env.bytes());
      while (tm.pos < tm.len) {
        const [tno, twt] = tm.tag();
        if (tno === 1) apiVersion = tm.string();
        else if (tno === 2) kind = tm.string();
        else tm.skip(twt, tno);
      }
    } else if (no === 2) raw = env.bytes();
    else env.skip(wt, no);
  }
  const key = messageFor(apiVersion, kind);
  if (!key) return { apiVersion, kind, raw };
  const object = { ...(apiVersion ? { apiVersion } : {}), ...(kind ? { kind } : {}), ...decodeMessage(raw, key) };
  return { apiVersion, kind, raw, object };
};

/** Whether bytes start with the `k8s\0` prefix. */
export const hasProtobufMagic = startsWithMagic;

/**
 * Encodes an object (with apiVersion and kind) as `k8s\0` + runtime.Unknown, or undefined when its kind has no
 * table (custom resources).
 */
export const encodeEnvelope = (o: Obj): Uint8Array | undefined => {
  const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  const kind = typeof o['kind'] === 'string' ? o['kind'] : '';
  const key = messageFor(apiVersion, kind);
  if (!key) return undefined;
  const w = new BinaryWriter();
  w.raw(PROTOBUF_MAGIC as Uint8Array);
  w.tag(1, WireType.LengthDelimited)
    .fork()
    .tag(1, WireType.LengthDelimited)
    .string(apiVersion)
    .tag(2, WireType.LengthDelimited)
    .string(kind)
    .join();
  w.tag(2, WireType.LengthDelimited).bytes(encodeMessage(o, key));
  w.tag(3, WireType.LengthDelimited).string('');
  w.tag(4, WireType.LengthDelimited).string('');
  return w.finish();
};

/**
 * One frame of a protobuf watch (`application/vnd.kubernetes.protobuf;stream=watch`): a 4-byte big-endian length,
 * then a meta.k8s.io/v1 WatchEvent (no envelope) whose object is the enveloped object; undefined when the object's
 * kind has no protobuf message.
 */
export const encodeWatchEvent = (type: string, object: Obj): Uint8Array | undefined => {
  const inner = encodeEnvelope(object);
  if (!inner) return undefined;
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).string(type);
  w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(inner).join();
  const body = w.finish();
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, 4);
  return frame;
};
