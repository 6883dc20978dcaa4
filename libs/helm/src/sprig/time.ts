// Go's time package, the part Sprig uses: time.Time values with a Location (TZif files from the system zoneinfo
// directory, as time.LoadLocation reads them), Format and Parse with Go layouts, Duration parsing and printing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoFunc, GoInt, GoStruct } from '../template/values.ts';

interface Zone {
  name: string;
  offset: number;
}

/** A time.Location: a name and the zone in effect at each instant. */
export class Location {
  readonly name: string;
  private readonly trans: { at: number; zone: Zone }[];
  private readonly first: Zone;
  constructor(name: string, first: Zone, trans: { at: number; zone: Zone }[] = []) {
    this.name = name;
    this.first = first;
    this.trans = trans;
  }
  /** The zone in effect at Unix second sec. */
  lookup(sec: number): Zone {
    const t = this.trans;
    if (t.length === 0 || sec < (t[0]?.at ?? 0)) return this.first;
    let lo = 0;
    let hi = t.length;
    while (hi - lo > 1) {
      const m = (lo + hi) >> 1;
      if (sec < (t[m]?.at ?? 0)) hi = m;
      else lo = m;
    }
    return (t[lo] as { zone: Zone }).zone;
  }
}

export const UTC = new Location('UTC', { name: 'UTC', offset: 0 });

function parseTZif(name: string, b: Buffer): Location {
  if (b.toString('latin1', 0, 4) !== 'TZif') throw new Error('malformed time zone information');
  const version = b[4] ?? 0;
  let off = 0;
  const header = (o: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => b.readUInt32BE(o + 20 + i * 4));
  let [isutc, isstd, leap, timecnt, typecnt, charcnt] = header(0) as [number, number, number, number, number, number];
  let size = 4;
  if (version >= 0x32) {
    off = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isutc;
    [isutc, isstd, leap, timecnt, typecnt, charcnt] = header(off) as [number, number, number, number, number, number];
    size = 8;
  }
  let p = off + 44;
  const at: number[] = [];
  for (let i = 0; i < timecnt; i++, p += size) at.push(size === 8 ? Number(b.readBigInt64BE(p)) : b.readInt32BE(p));
  const idx: number[] = [];
  for (let i = 0; i < timecnt; i++, p++) idx.push(b[p] ?? 0);
  const types: { offset: number; isdst: boolean; abbr: number }[] = [];
  for (let i = 0; i < typecnt; i++, p += 6) {
    types.push({ offset: b.readInt32BE(p), isdst: b[p + 4] === 1, abbr: b[p + 5] ?? 0 });
  }
  const chars = b.toString('latin1', p, p + charcnt);
  const zone = (i: number): Zone => {
    const t = types[i] ?? { offset: 0, abbr: 0 };
    const end = chars.indexOf('\0', t.abbr);
    return { name: chars.slice(t.abbr, end < 0 ? undefined : end), offset: t.offset };
  };
  // Go: before the first transition, the first standard-time type (or type 0).
  let firstIdx = 0;
  if (timecnt > 0) {
    const nonDst = types.findIndex((t) => !t.isdst);
    if (types[idx[0] ?? 0]?.isdst && nonDst >= 0) firstIdx = nonDst;
  }
  return new Location(
    name,
    zone(firstIdx),
    at.map((a, i) => ({ at: a, zone: zone(idx[i] ?? 0) })),
  );
}

const locCache = new Map<string, Location>();

/** time.LoadLocation: "" and "UTC" are UTC, "Local" the local zone, else a file of the zoneinfo directory. */
export function loadLocation(name: string, local: Location): Location {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return local;
  if (name.includes('..') || name.startsWith('/') || name.includes('\\')) throw new Error(`unknown time zone ${name}`);
  const cached = locCache.get(name);
  if (cached) return cached;
  const dirs = [process.env['ZONEINFO'], '/usr/share/zoneinfo/', '/usr/share/lib/zoneinfo/', '/usr/lib/locale/TZ/'];
  for (const d of dirs) {
    if (!d) continue;
    try {
      const loc = parseTZif(name, readFileSync(join(d, name)));
      locCache.set(name, loc);
      return loc;
    } catch {
      // next directory
    }
  }
  throw new Error(`unknown time zone ${name}`);
}

/** The local Location from TZ or /etc/localtime, named "Local" as Go names it. */
export function localLocation(): Location {
  const tz = process.env['TZ'];
  try {
    if (tz !== undefined && tz !== '') {
      const l = loadLocation(tz.replace(/^:/, ''), UTC);
      return new Location('Local', l.lookup(-1e15), (l as unknown as { trans: [] }).trans);
    }
    if (tz === '') return new Location('Local', { name: 'UTC', offset: 0 });
    const l = parseTZif('Local', readFileSync('/etc/localtime'));
    return l;
  } catch {
    return new Location('Local', { name: 'UTC', offset: 0 });
  }
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  wday: number;
  yday: number;
}

function civil(unixSec: number): Civil {
  const days = Math.floor(unixSec / 86400);
  const rem = unixSec - days * 86400;
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const jan1 = daysFromCivil(year, 1, 1);
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    min: Math.floor((rem % 3600) / 60),
    sec: rem % 60,
    wday: (((days + 4) % 7) + 7) % 7,
    yday: days - jan1 + 1,
  };
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A time.Time: Unix seconds, nanoseconds and a Location. */
export class GoTime extends GoStruct {
  readonly sec: number;
  readonly nsec: number;
  readonly loc: Location;
  constructor(sec: number, nsec: number, loc: Location) {
    const methods: Record<string, GoFunc> = {
      String: new GoFunc([], () => this.format('2006-01-02 15:04:05.999999999 -0700 MST')),
      Format: new GoFunc(['string'], (l: string) => this.format(l)),
      Unix: new GoFunc([], () => new GoInt('int64', BigInt(this.sec))),
      UnixNano: new GoFunc([], () => new GoInt('int64', BigInt(this.sec) * 1000000000n + BigInt(this.nsec))),
      Year: new GoFunc([], () => BigInt(this.civil().year)),
      YearDay: new GoFunc([], () => BigInt(this.civil().yday)),
      Day: new GoFunc([], () => BigInt(this.civil().day)),
      Hour: new GoFunc([], () => BigInt(this.civil().hour)),
      Minute: new GoFunc([], () => BigInt(this.civil().min)),
      Second: new GoFunc([], () => BigInt(this.civil().sec)),
      Nanosecond: new GoFunc([], () => BigInt(this.nsec)),
      UTC: new GoFunc([], () => new GoTime(this.sec, this.nsec, UTC)),
      IsZero: new GoFunc([], () => this.sec === ZERO_SEC && this.nsec === 0),
    };
    super('time.Time', new Map(), methods);
    this.sec = sec;
    this.nsec = nsec;
    this.loc = loc;
  }
  zone(): Zone {
    return this.loc.lookup(this.sec);
  }
  civil(): Civil {
    return civil(this.sec + this.zone().offset);
  }
  in(loc: Location): GoTime {
    return new GoTime(this.sec, this.nsec, loc);
  }
  /** Adds a Duration in nanoseconds. */
  add(d: bigint): GoTime {
    const total = BigInt(this.sec) * 1000000000n + BigInt(this.nsec) + d;
    let s = total / 1000000000n;
    let n = total % 1000000000n;
    if (n < 0n) {
      n += 1000000000n;
      s -= 1n;
    }
    return new GoTime(Number(s), Number(n), this.loc);
  }
  format(layout: string): string {
    return formatTime(this, layout);
  }
}

/** Unix second of Go's zero time (January 1, year 1, 00:00:00 UTC). */
export const ZERO_SEC = -62135596800;

/** Go's zero time.Time. */
export function zeroTime(): GoTime {
  return new GoTime(ZERO_SEC, 0, UTC);
}

type Std = { k: 'lit'; s: string } | { k: string; n?: number; sep?: string };

function chunks(layout: string): Std[] {
  const out: Std[] = [];
  let lit = '';
  let i = 0;
  const push = (k: string, len: number, extra: Partial<Std> = {}): void => {
    if (lit) out.push({ k: 'lit', s: lit });
    lit = '';
    out.push({ k, ...extra } as Std);
    i += len;
  };
  const lower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
  while (i < layout.length) {
    const r = layout.slice(i);
    const c = layout[i] as string;
    if (c === 'J' && r.startsWith('Jan')) {
      if (r.startsWith('January')) {
        push('January', 7);
        continue;
      }
      if (!lower(r[3])) {
        push('Jan', 3);
        continue;
      }
    }
    if (c === 'M' && r.startsWith('Mon')) {
      if (r.startsWith('Monday')) {
        push('Monday', 6);
        continue;
      }
      if (!lower(r[3])) {
        push('Mon', 3);
        continue;
      }
    }
    if (c === 'M' && r.startsWith('MST')) {
      push('MST', 3);
      continue;
    }
    if (c === '0' && r[1] !== undefined && r[1] >= '1' && r[1] <= '6') {
      push('0' + r[1], 2);
      continue;
    }
    if (c === '0' && r.startsWith('002')) {
      push('002', 3);
      continue;
    }
    if (c === '1') {
      if (r[1] === '5') push('15', 2);
      else push('1', 1);
      continue;
    }
    if (c === '2') {
      if (r.startsWith('2006')) push('2006', 4);
      else push('2', 1);
      continue;
    }
    if (c === '_') {
      if (r[1] === '2') {
        if (r.startsWith('_2006')) {
          lit += '_';
          i++;
          push('2006', 4);
        } else push('_2', 2);
        continue;
      }
      if (r.startsWith('__2')) {
        push('__2', 3);
        continue;
      }
    }
    if (c === '3' || c === '4' || c === '5') {
      push(c, 1);
      continue;
    }
    if (c === 'P' && r[1] === 'M') {
      push('PM', 2);
      continue;
    }
    if (c === 'p' && r[1] === 'm') {
      push('pm', 2);
      continue;
    }
    if (c === '-' || c === 'Z') {
      const m = ['070000', '07:00:00', '0700', '07:00', '07'].find((x) => r.startsWith(c + x));
      if (m !== undefined) {
        push(c + m, m.length + 1);
        continue;
      }
    }
    if ((c === '.' || c === ',') && (r[1] === '0' || r[1] === '9')) {
      const ch = r[1];
      let j = 1;
      while (r[j] === ch) j++;
      if (!(r[j] !== undefined && r[j]! >= '0' && r[j]! <= '9')) {
        push(ch === '0' ? 'frac0' : 'frac9', j, { n: j - 1, sep: c });
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ k: 'lit', s: lit });
  return out;
}

const pad = (n: number, w: number): string => {
  const s = String(Math.abs(n)).padStart(w, '0');
  return n < 0 ? '-' + s : s;
};

function formatTime(t: GoTime, layout: string): string {
  const z = t.zone();
  const c = t.civil();
  let out = '';
  for (const ch of chunks(layout)) {
    switch (ch.k) {
      case 'lit':
        out += (ch as { s: string }).s;
        break;
      case '06':
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case '2006':
        out += pad(c.year, 4);
        break;
      case 'Jan':
        out += MONTHS[c.month - 1]?.slice(0, 3);
        break;
      case 'January':
        out += MONTHS[c.month - 1];
        break;
      case '1':
        out += c.month;
        break;
      case '01':
        out += pad(c.month, 2);
        break;
      case 'Mon':
        out += DAYS[c.wday]?.slice(0, 3);
        break;
      case 'Monday':
        out += DAYS[c.wday];
        break;
      case '2':
        out += c.day;
        break;
      case '_2':
        out += String(c.day).padStart(2, ' ');
        break;
      case '02':
        out += pad(c.day, 2);
        break;
      case '__2':
        out += String(c.yday).padStart(3, ' ');
        break;
      case '002':
        out += pad(c.yday, 3);
        break;
      case '15':
        out += pad(c.hour, 2);
        break;
      case '3':
        out += c.hour % 12 === 0 ? 12 : c.hour % 12;
        break;
      case '03':
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
        break;
      case '4':
        out += c.min;
        break;
      case '04':
        out += pad(c.min, 2);
        break;
      case '5':
        out += c.sec;
        break;
      case '05':
        out += pad(c.sec, 2);
        break;
      case 'PM':
        out += c.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += c.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        if (z.name !== '') out += z.name;
        else {
          const m = Math.trunc(z.offset / 60);
          out += (m < 0 ? '-' : '+') + pad(Math.trunc(Math.abs(m) / 60), 2) + pad(Math.abs(m) % 60, 2);
        }
        break;
      case 'frac0':
      case 'frac9': {
        const n = (ch as { n: number }).n;
        let digits = String(t.nsec).padStart(9, '0').slice(0, n);
        if (ch.k === 'frac9') digits = digits.replace(/0+$/, '');
        if (ch.k === 'frac0' || digits !== '') out += (ch as { sep: string }).sep + digits;
        break;
      }
      default: {
        // numeric zones: -0700 -07:00 -07 -070000 -07:00:00 and the Z forms
        const k = ch.k;
        if (k[0] === 'Z' && z.offset === 0) {
          out += 'Z';
          break;
        }
        const abs = Math.abs(z.offset);
        out += z.offset < 0 ? '-' : '+';
        out += pad(Math.floor(abs / 3600), 2);
        const body = k.slice(1);
        if (body !== '07') out += (body.includes(':') ? ':' : '') + pad(Math.floor(abs / 60) % 60, 2);
        if (body.length > 5) out += (body.includes(':') ? ':' : '') + pad(abs % 60, 2);
      }
    }
  }
  return out;
}

function goQuoteSimple(s: string): string {
  return JSON.stringify(s);
}

/** time.ParseInLocation (the numeric, name, AM/PM, fraction and zone elements). Throws Go's error. */
export function parseTime(layout: string, value: string, loc: Location): GoTime {
  const orig = value;
  const fail = (le: string, ve: string, extra = ''): never => {
    throw new Error(
      `parsing time ${goQuoteSimple(orig)} as ${goQuoteSimple(layout)}: cannot parse ${goQuoteSimple(ve)} as ${goQuoteSimple(le)}${extra}`,
    );
  };
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pm: boolean | undefined;
  let zoneOffset: number | undefined;
  let zoneName: string | undefined;
  let rest = value;
  const layoutChunks = chunks(layout);
  const num = (le: string, fixed: number): number => {
    const m = fixed > 0 ? new RegExp(`^\\d{${fixed}}`).exec(rest) : /^\d{1,2}/.exec(rest);
    if (!m) fail(le, rest);
    rest = rest.slice((m as RegExpExecArray)[0].length);
    return Number((m as RegExpExecArray)[0]);
  };
  const layoutText = (idx: number): string =>
    layoutChunks
      .slice(idx)
      .map((c) => (c.k === 'lit' ? (c as { s: string }).s : c.k))
      .join('');
  for (let idx = 0; idx < layoutChunks.length; idx++) {
    const ch = layoutChunks[idx] as Std;
    const le = layoutText(idx);
    switch (ch.k) {
      case 'lit': {
        const s = (ch as { s: string }).s;
        if (!rest.startsWith(s)) fail(le, rest);
        rest = rest.slice(s.length);
        break;
      }
      case '2006':
        year = num(ch.k, 4);
        break;
      case '06':
        year = num(ch.k, 2);
        year += year >= 69 ? 1900 : 2000;
        break;
      case '01':
        month = num(ch.k, 2);
        break;
      case '1':
        month = num(ch.k, 0);
        break;
      case '02':
        day = num(ch.k, 2);
        break;
      case '_2':
        if (rest[0] === ' ') rest = rest.slice(1);
        day = num(ch.k, 0);
        break;
      case '2':
        day = num(ch.k, 0);
        break;
      case '15':
        hour = num(ch.k, 2);
        break;
      case '3':
      case '03':
        hour = num(ch.k, ch.k === '03' ? 2 : 0);
        break;
      case '4':
      case '04':
        min = num(ch.k, ch.k === '04' ? 2 : 0);
        break;
      case '5':
      case '05':
        sec = num(ch.k, ch.k === '05' ? 2 : 0);
        if (/^[.,]\d/.test(rest) && layoutChunks[idx + 1]?.k.startsWith('frac') !== true) {
          const m = /^[.,](\d+)/.exec(rest) as RegExpExecArray;
          nsec = Number(((m[1] ?? '') + '000000000').slice(0, 9));
          rest = rest.slice(m[0].length);
        }
        break;
      case 'frac0':
      case 'frac9': {
        const m = /^[.,](\d+)/.exec(rest);
        if (!m) {
          if (ch.k === 'frac9') break;
          fail(le, rest);
        }
        const mm = m as RegExpExecArray;
        nsec = Number(((mm[1] ?? '') + '000000000').slice(0, 9));
        rest = rest.slice(mm[0].length);
        break;
      }
      case 'Jan':
      case 'January': {
        const i = MONTHS.findIndex((n) =>
          rest.toLowerCase().startsWith((ch.k === 'Jan' ? n.slice(0, 3) : n).toLowerCase()),
        );
        if (i < 0) fail(le, rest);
        rest = rest.slice(ch.k === 'Jan' ? 3 : (MONTHS[i] as string).length);
        month = i + 1;
        break;
      }
      case 'Mon':
      case 'Monday': {
        const i = DAYS.findIndex((n) =>
          rest.toLowerCase().startsWith((ch.k === 'Mon' ? n.slice(0, 3) : n).toLowerCase()),
        );
        if (i < 0) fail(le, rest);
        rest = rest.slice(ch.k === 'Mon' ? 3 : (DAYS[i] as string).length);
        break;
      }
      case 'PM':
      case 'pm': {
        const p = rest.slice(0, 2).toUpperCase();
        if (p !== 'AM' && p !== 'PM') fail(le, rest);
        pm = p === 'PM';
        rest = rest.slice(2);
        break;
      }
      case 'MST': {
        const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(rest);
        if (!m) fail(le, rest);
        zoneName = (m as RegExpExecArray)[0];
        rest = rest.slice(zoneName.length);
        break;
      }
      default: {
        if (ch.k[0] === 'Z' && rest[0] === 'Z') {
          rest = rest.slice(1);
          zoneOffset = 0;
          break;
        }
        const body = ch.k.slice(1);
        const re =
          body === '07'
            ? /^([+-])(\d\d)/
            : body === '0700'
              ? /^([+-])(\d\d)(\d\d)/
              : body === '07:00'
                ? /^([+-])(\d\d):(\d\d)/
                : body === '070000'
                  ? /^([+-])(\d\d)(\d\d)(\d\d)/
                  : /^([+-])(\d\d):(\d\d):(\d\d)/;
        const m = re.exec(rest);
        if (!m) fail(le, rest);
        const mm = m as RegExpExecArray;
        const off = Number(mm[2]) * 3600 + Number(mm[3] ?? 0) * 60 + Number(mm[4] ?? 0);
        zoneOffset = mm[1] === '-' ? -off : off;
        rest = rest.slice(mm[0].length);
      }
    }
  }
  if (rest !== '') throw new Error(`parsing time ${goQuoteSimple(orig)}: extra text: ${goQuoteSimple(rest)}`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  const range = (what: string): never => {
    throw new Error(`parsing time ${goQuoteSimple(orig)}: ${what} out of range`);
  };
  if (month < 1 || month > 12) range('month');
  const mdays = [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  if (day < 1 || day > (mdays[month - 1] ?? 31)) range('day');
  if (hour > 23) range('hour');
  if (min > 59) range('minute');
  if (sec > 59) range('second');
  const localSec = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  if (zoneOffset !== undefined) {
    const utcSec = localSec - zoneOffset;
    const z = loc.lookup(utcSec);
    if (z.offset === zoneOffset && (zoneName === undefined || z.name === zoneName))
      return new GoTime(utcSec, nsec, loc);
    return new GoTime(utcSec, nsec, new Location('', { name: '', offset: zoneOffset }));
  }
  if (zoneName !== undefined) {
    const guess = loc.lookup(localSec - loc.lookup(localSec).offset);
    if (guess.name === zoneName) return new GoTime(localSec - guess.offset, nsec, loc);
    if (zoneName === 'UTC') return new GoTime(localSec, nsec, UTC);
    return new GoTime(localSec, nsec, new Location('', { name: zoneName, offset: 0 }));
  }
  // Local time in loc: Go looks up the offset at (local - offset) and corrects once.
  let off = loc.lookup(localSec).offset;
  const z2 = loc.lookup(localSec - off);
  if (z2.offset !== off) off = z2.offset;
  return new GoTime(localSec - off, nsec, loc);
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** time.ParseDuration; throws `time: invalid duration "…"` and the other Go errors. */
export function parseDuration(s: string): bigint {
  const orig = s;
  const bad = (): never => {
    throw new Error(`time: invalid duration ${goQuoteSimple(orig)}`);
  };
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') bad();
  let total = 0;
  let d = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const intPart = m[1] ?? '';
    const frac = m[2];
    if (intPart === '' && (frac === undefined || frac === '')) bad();
    s = s.slice(m[0].length);
    const u = /^[^\d.]*/.exec(s)?.[0] ?? '';
    if (u === '') throw new Error(`time: missing unit in duration ${goQuoteSimple(orig)}`);
    const unit = UNITS[u];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${goQuoteSimple(u)} in duration ${goQuoteSimple(orig)}`);
    s = s.slice(u.length);
    let v = BigInt(intPart || '0') * unit;
    if (frac) v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    d += v;
    total++;
    if (d > (1n << 63n) - 1n) bad();
  }
  void total;
  return neg ? -d : d;
}

function fmtFrac(v: bigint, prec: number): { s: string; v: bigint } {
  let s = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) s = String(digit) + s;
    v /= 10n;
  }
  if (print) s = '.' + s;
  return { s, v };
}

/** time.Duration.String. */
export function durationString(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1000000000n) {
    let prec: number;
    let unit: string;
    if (u < 1000n) return (neg ? '-' : '') + String(u) + 'ns';
    if (u < 1000000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const f = fmtFrac(u, prec);
    out = String(f.v) + f.s + unit;
  } else {
    const f = fmtFrac(u, 9);
    u = f.v;
    let s = String(u % 60n) + f.s + 's';
    u /= 60n;
    if (u > 0n) {
      s = String(u % 60n) + 'm' + s;
      u /= 60n;
      if (u > 0n) s = String(u) + 'h' + s;
    }
    out = s;
  }
  return (neg ? '-' : '') + out;
}

/** time.Duration.Round(m). */
export function durationRound(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    return d - m + r;
  }
  if (r + r < m) return d - r;
  return d + m - r;
}
