// Helm's toToml (BurntSushi/toml's Encoder, hand-written: no JavaScript TOML library prints its exact layout: direct
// keys before tables, sorted keys, two-space indented sub-tables, `[[arrays of tables]]`, floats with `.0`) and
// fromToml (parsed with smol-toml into Go's types: int64, float64, time.Time as strings of RFC 3339).
import { parse as parseToml, TomlDate } from 'smol-toml';
import { formatFloat } from '../template/fmt.ts';
import { GoFloat, GoInt, GoStruct, JsonNumber, isMap, sortedEntries } from '../template/values.ts';
import { GoTime } from '../sprig/time.ts';

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function quoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

function keyPart(k: string): string {
  return BARE_KEY.test(k) ? k : quoted(k);
}

type TomlType = 'hash' | 'arrayHash' | 'other' | 'nil';

function unwrap(v: unknown): unknown {
  return v;
}

function tomlType(v: unknown): TomlType {
  v = unwrap(v);
  if (v === null || v === undefined) return 'nil';
  if (isMap(v)) return 'hash';
  if (Array.isArray(v)) {
    if (v.length === 0) return 'other';
    let all = true;
    for (const e of v) {
      const t = tomlType(e);
      if (t === 'nil') throw new Error('toml: cannot encode array with nil element');
      if (t !== 'hash') all = false;
    }
    return all ? 'arrayHash' : 'other';
  }
  return 'other';
}

function floatText(f: number): string {
  if (Number.isNaN(f)) return 'nan';
  if (!Number.isFinite(f)) return f > 0 ? '+inf' : '-inf';
  const s = formatFloat(f, 'f', -1);
  return s.includes('.') ? s : s + '.0';
}

class Encoder {
  out = '';
  private written = false;

  private wf(s: string): void {
    this.out += s;
    this.written = true;
  }

  private newline(): void {
    if (this.written) this.wf('\n');
  }

  private indent(key: string[]): string {
    return '  '.repeat(Math.max(0, key.length - 1));
  }

  private keyStr(key: string[]): string {
    return key.map(keyPart).join('.');
  }

  element(v: unknown): void {
    v = unwrap(v);
    if (typeof v === 'string') return this.wf(quoted(v));
    if (typeof v === 'boolean') return this.wf(String(v));
    if (typeof v === 'bigint') return this.wf(v.toString());
    if (typeof v === 'number') return this.wf(floatText(v));
    if (v instanceof GoInt) return this.wf(v.value.toString());
    if (v instanceof GoFloat) return this.wf(floatText(v.value));
    if (v instanceof JsonNumber) {
      if (v.value === '') return this.wf('0');
      if (/^[-+]?[0-9]+$/.test(v.value)) {
        const n = BigInt(v.value);
        if (n >= -(1n << 63n) && n < 1n << 63n) return this.wf(n.toString());
      }
      const f = Number(v.value);
      if (!Number.isNaN(f)) return this.element(f);
      throw new Error(`unable to convert "${v.value}" to int64 or float64`);
    }
    if (v instanceof GoTime) return this.wf(v.format('2006-01-02T15:04:05.999999999Z07:00'));
    if (Array.isArray(v)) {
      this.wf('[');
      v.forEach((e, i) => {
        this.element(e);
        if (i !== v.length - 1) this.wf(', ');
      });
      return this.wf(']');
    }
    if (isMap(v)) return this.map([], v as Record<string, unknown>, true);
    if (v instanceof GoStruct) return this.wf(quoted(String(v)));
    throw new Error(`toml: cannot encode a value of type ${typeof v}`);
  }

  encode(key: string[], v: unknown): void {
    v = unwrap(v);
    const t = tomlType(v);
    if (t === 'nil') return;
    if (t === 'arrayHash') return this.arrayOfTables(key, v as unknown[]);
    if (t === 'hash') return this.table(key, v as Record<string, unknown>);
    this.keyValue(key, v, false);
  }

  private keyValue(key: string[], v: unknown, inline: boolean): void {
    if (key.length === 0) return this.element(v);
    this.wf(`${this.indent(key)}${keyPart(key[key.length - 1] as string)} = `);
    this.element(v);
    if (!inline) this.newline();
  }

  private table(key: string[], v: Record<string, unknown>): void {
    if (key.length === 1) this.newline();
    if (key.length > 0) {
      this.wf(`${this.indent(key)}[${this.keyStr(key)}]`);
      this.newline();
    }
    this.map(key, v, false);
  }

  private arrayOfTables(key: string[], v: unknown[]): void {
    for (const e of v) {
      if (e === null || e === undefined) continue;
      this.newline();
      this.wf(`${this.indent(key)}[[${this.keyStr(key)}]]`);
      this.newline();
      this.map(key, unwrap(e) as Record<string, unknown>, false);
    }
  }

  private map(key: string[], v: Record<string, unknown>, inline: boolean): void {
    const direct: [string, unknown][] = [];
    const sub: [string, unknown][] = [];
    for (const [k, e] of sortedEntries(v)) {
      const t = tomlType(e);
      if (t === 'hash' || t === 'arrayHash') sub.push([k, e]);
      else direct.push([k, e]);
    }
    const write = (entries: [string, unknown][], trailComma: boolean): void => {
      entries.forEach(([k, e], i) => {
        if (e === null || e === undefined) return;
        if (inline) {
          this.keyValue([k], e, true);
          if (trailComma || i !== entries.length - 1) this.wf(', ');
        } else this.encode([...key, k], e);
      });
    };
    if (inline) this.wf('{');
    write(direct, sub.length > 0);
    write(sub, false);
    if (inline) this.wf('}');
  }
}

/** Helm's toToml: the TOML text, or the encoder's error message. */
export function toToml(v: unknown): string {
  const e = new Encoder();
  try {
    e.encode([], v);
    return e.out;
  } catch (err) {
    return (err as Error).message;
  }
}

function fromParsed(v: unknown): unknown {
  if (typeof v === 'bigint') return new GoInt('int64', v);
  if (v instanceof TomlDate) return v.toISOString();
  if (Array.isArray(v)) return v.map(fromParsed);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, fromParsed(e)]));
  }
  return v;
}

/** Helm's fromToml: a map, or `{Error: message}` (the message is smol-toml's, not BurntSushi's). */
export function fromToml(s: string): Record<string, unknown> {
  try {
    return fromParsed(parseToml(s, { integersAsBigInt: true })) as Record<string, unknown>;
  } catch (e) {
    return { Error: `toml: ${(e as Error).message.split('\n')[0] ?? ''}` };
  }
}
