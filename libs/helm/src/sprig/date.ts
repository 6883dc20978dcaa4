// Sprig's date.go: ago, date, dateInZone, dateModify, duration, durationRound, htmlDate, toDate, now, unixEpoch, on Go's
// time (./time.ts) with an injected clock and Local zone.
import { GoFunc, GoInt, type FuncMap } from '../template/values.ts';
import { parseGoInt, wrap64 } from './cast.ts';
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
import { A, S, T, n } from './util.ts';

/** Sprig's time.Now and time.Local. */
export interface SprigClock {
  /** The current instant, seconds and nanoseconds since the epoch. */
  instant: () => { sec: number; nsec: number };
  /** The Local zone (named Local, as Go's time.Local). */
  local: Location;
  /** time.Now(): the instant in Local. */
  now: () => GoTime;
}

/** The clock of SprigOptions.now and .local: default Date.now with hrtime nanoseconds, TZ or /etc/localtime. */
export function sprigClock(instant?: () => { sec: number; nsec: number }, zone?: Location | string): SprigClock {
  const local = typeof zone === 'string' ? loadLocation(zone, UTC) : (zone ?? localLocation());
  const localLoc =
    local.name === 'Local'
      ? local
      : new Location('Local', local.lookup(-1e15), (local as unknown as { trans: never[] }).trans);
  const clock =
    instant ??
    (() => {
      const ms = Date.now();
      return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 + Number(process.hrtime.bigint() % 1000000n) };
    });
  const now = (): GoTime => {
    const c = clock();
    return new GoTime(c.sec, c.nsec, localLoc);
  };
  return { instant: clock, local: localLoc, now };
}

/** duration: seconds (an int64 or a numeric string) as a time.Duration string. */
function durationFn(sec: unknown): string {
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
}

/** date.go's functions on the clock. */
export function dateFuncs(clock: SprigClock): FuncMap {
  const { local: localLoc, now } = clock;
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

  return {
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
  };
}
