// Hand-written rather than node:util parseArgs: parseArgs cannot express Go pflag semantics such as
// `--bool=false`, Go's single-dash long flags (`-metrics-addr`), repeatable string arrays and `--feature-gates k=v,k2=v2`.
import { formatGoDuration, parseGoDuration } from './duration.ts';
import { parseListenAddress } from './address.ts';
import type { ListenAddress } from './address.ts';

/** Environment variables as handed to `main` (never read from `process.env` here). */
export type Env = Readonly<Record<string, string | undefined>>;

interface FlagSpecBase {
  /** Upstream flag name without dashes, e.g. `metrics-addr` or `receiverAddr`. */
  readonly name: string;
  /** Upstream usage string, printed verbatim by {@link formatHelp}. */
  readonly usage: string;
  /** Environment variable used as the default when set and non-empty (Go `envOrDefault`). */
  readonly env?: string;
}

/** `--x`, `--x=true|false` (a following argument is never consumed, as in pflag). */
export interface BoolFlagSpec extends FlagSpecBase {
  readonly type: 'bool';
  readonly default: boolean;
}
/** A plain string flag. */
export interface StringFlagSpec extends FlagSpecBase {
  readonly type: 'string';
  readonly default: string;
}
/** Integer/float flags; the type name mirrors the Go flag type (range-checked for uint8/uint16). */
export interface NumberFlagSpec extends FlagSpecBase {
  readonly type: 'int' | 'int64' | 'uint8' | 'uint16' | 'float32';
  readonly default: number;
}
/** A Go duration (`750ms`, `15m`); the default is written in Go syntax, the parsed value is in milliseconds. */
export interface DurationFlagSpec extends FlagSpecBase {
  readonly type: 'duration';
  readonly default: string;
}
/** A listen address (`:9090`, `127.0.0.1:0`, `[::1]:8080`) parsed into `{ host, port }`; shown as `string` in help. */
export interface AddressFlagSpec extends FlagSpecBase {
  readonly type: 'address';
  readonly default: string;
}
/** `stringSlice` splits on commas (pflag StringSlice); `stringArray` keeps each value whole. Both are repeatable. */
export interface ListFlagSpec extends FlagSpecBase {
  readonly type: 'stringSlice' | 'stringArray';
  readonly default: readonly string[];
}
/** `--feature-gates A=true,B=false` (repeatable, merged), validated against the known gates and their defaults. */
export interface FeatureGatesFlagSpec extends FlagSpecBase {
  readonly type: 'featureGates';
  readonly gates: Readonly<Record<string, boolean>>;
}

/** One row of a declarative flag table. */
export type FlagSpec =
  | BoolFlagSpec
  | StringFlagSpec
  | NumberFlagSpec
  | DurationFlagSpec
  | AddressFlagSpec
  | ListFlagSpec
  | FeatureGatesFlagSpec;

/** Converts a kebab-case flag name to its camelCase config key (`watch-all-namespaces` → `watchAllNamespaces`). */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Rest}`
  ? `${Head}${Capitalize<CamelCase<Rest>>}`
  : S;

/** The parsed value type of one flag. */
export type FlagValue<F extends FlagSpec> = F extends { readonly type: 'bool' }
  ? boolean
  : F extends { readonly type: 'string' }
    ? string
    : F extends { readonly type: 'int' | 'int64' | 'uint8' | 'uint16' | 'float32' | 'duration' }
      ? number
      : F extends { readonly type: 'address' }
        ? ListenAddress
        : F extends { readonly type: 'stringSlice' | 'stringArray' }
          ? readonly string[]
          : F extends { readonly type: 'featureGates'; readonly gates: infer G }
            ? Readonly<Record<keyof G & string, boolean>>
            : never;

/** The frozen config object produced by {@link parseFlags} for a flag table. */
export type FlagConfig<T extends readonly FlagSpec[]> = {
  readonly [F in T[number] as CamelCase<F['name']>]: FlagValue<F>;
};

/** A flag-parsing error; `main` maps it to exit code 2 like Go's flag package. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
  /** Process exit code Go's flag.ExitOnError uses for bad flags. */
  readonly exitCode = 2;
}

/** Thrown by {@link parseFlags} when `-h`/`--help` is present (the counterpart of pflag's `ErrHelp`). */
export class HelpRequestedError extends Error {
  override readonly name = 'HelpRequestedError';
  constructor() {
    super('pflag: help requested');
  }
}

/** Converts a kebab-case flag name to its camelCase config key at runtime. */
export function toCamelCase<S extends string>(name: S): CamelCase<S> {
  return name.replace(/-([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase()) as CamelCase<S>;
}

const HELP_ARGS = new Set(['-h', '-help', '--help']);

/** Go strconv.ParseBool accepted spellings. */
const BOOL_VALUES: Readonly<Record<string, boolean>> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

function parseGoBool(text: string): boolean {
  const value = BOOL_VALUES[text];
  if (value === undefined) throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
  return value;
}

/** Go strconv.ParseInt(s, 0, 64) without digit separators: decimal, 0x, 0o, 0b and leading-zero octal. */
function parseGoInt(text: string, unsigned: boolean): number {
  const fn = unsigned ? 'strconv.ParseUint' : 'strconv.ParseInt';
  const syntax = (): Error => new Error(`${fn}: parsing ${JSON.stringify(text)}: invalid syntax`);
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) throw syntax();
  const sign = m[1] ?? '';
  const digits = m[2] ?? '';
  if (unsigned && sign !== '') throw syntax();
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) value = parseInt(digits.slice(2), 8);
  else if (/^0[bB]/.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits.startsWith('0')) value = parseInt(digits.slice(1), 8);
  else value = parseInt(digits, 10);
  if (!Number.isSafeInteger(value)) throw new Error(`${fn}: parsing ${JSON.stringify(text)}: value out of range`);
  return sign === '-' ? -value : value;
}

function parseNumber(spec: NumberFlagSpec, text: string): number {
  switch (spec.type) {
    case 'float32': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
        throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
      }
      return Number(text);
    }
    case 'uint8':
    case 'uint16': {
      const value = parseGoInt(text, true);
      const max = spec.type === 'uint8' ? 255 : 65535;
      if (value > max) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
      return value;
    }
    case 'int':
    case 'int64':
      return parseGoInt(text, false);
  }
}

/** Parses `k=v,k2=v2` into overrides (k8s cliflag.MapStringBool semantics: keys/values trimmed). */
function parseGatePairs(text: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (text.trim() === '') return out;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new Error(`malformed pair ${JSON.stringify(pair)}, expect string=bool`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: boolean;
    try {
      value = parseGoBool(raw);
    } catch (err) {
      throw new Error(`invalid value of ${key}: ${raw}, err: ${(err as Error).message}`, { cause: err });
    }
    out[key] = value;
  }
  return out;
}

/** Converts one raw string to a flag's value (lists and gates return the increment to merge). */
function convert(spec: FlagSpec, text: string): unknown {
  switch (spec.type) {
    case 'bool':
      return parseGoBool(text);
    case 'string':
      return text;
    case 'int':
    case 'int64':
    case 'uint8':
    case 'uint16':
    case 'float32':
      return parseNumber(spec, text);
    case 'duration':
      return parseGoDuration(text);
    case 'address':
      return parseListenAddress(text);
    case 'stringSlice':
      // pflag reads slices as one CSV record; quoting is not supported here (flag values in Flux never need it).
      return text === '' ? [] : text.split(',');
    case 'stringArray':
      return [text];
    case 'featureGates':
      return parseGatePairs(text);
  }
}

function defaultOf(spec: FlagSpec): unknown {
  switch (spec.type) {
    case 'featureGates':
      return {};
    case 'stringSlice':
    case 'stringArray':
      return [...spec.default];
    case 'duration':
    case 'address':
      return convert(spec, spec.default);
    default:
      return spec.default;
  }
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;

/**
 * Declares a flag table. Validates names (unique, not `help`), camelCase keys and that every default parses,
 * and returns the table frozen with its literal types kept for {@link FlagConfig}.
 */
export function defineFlags<const T extends readonly FlagSpec[]>(flags: T): T {
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const spec of flags) {
    if (!NAME_RE.test(spec.name)) throw new Error(`invalid flag table: bad flag name ${JSON.stringify(spec.name)}`);
    if (spec.name === 'help' || spec.name === 'h') throw new Error('invalid flag table: --help is built in');
    if (names.has(spec.name)) throw new Error(`invalid flag table: duplicate flag --${spec.name}`);
    const key = toCamelCase(spec.name);
    if (keys.has(key)) throw new Error(`invalid flag table: duplicate config key ${key} (--${spec.name})`);
    names.add(spec.name);
    keys.add(key);
    try {
      defaultOf(spec);
    } catch (err) {
      throw new Error(`invalid flag table: bad default for --${spec.name}: ${(err as Error).message}`, { cause: err });
    }
  }
  return Object.freeze([...flags]) as unknown as T;
}

/**
 * Returns the rows of `table` except those named in `names`, so a controller can drop or redefine
 * common flags it does not bind upstream (or binds with another default/usage).
 */
export function withoutFlags<const T extends readonly FlagSpec[], const K extends T[number]['name']>(
  table: T,
  names: readonly K[],
): ReadonlyArray<Exclude<T[number], { readonly name: K }>> {
  const drop = new Set<string>(names);
  for (const name of drop) {
    if (!table.some((f) => f.name === name)) throw new Error(`withoutFlags: no flag --${name} in table`);
  }
  return table.filter((f) => !drop.has(f.name)) as Array<Exclude<T[number], { readonly name: K }>>;
}

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

interface FlagState {
  value: unknown;
  /** Set once the command line touched the flag: the first CLI value of a list/map replaces the default. */
  changed: boolean;
}

/** Whether argv asks for help (`-h`, `-help`, `--help` before a `--` terminator). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (HELP_ARGS.has(arg)) return true;
  }
  return false;
}

/**
 * Parses `argv` (without the program name) against a flag table the way Go pflag does and returns a deeply
 * frozen config object with camelCase keys. Defaults come from the table, then from `env` where a flag
 * declares `env`, then from argv (last one wins; lists append; feature gates merge).
 * @throws HelpRequestedError when `-h`/`--help` is present
 * @throws FlagError on an unknown flag, a missing or invalid value, a stray argument or an unknown feature gate
 */
export function parseFlags<const T extends readonly FlagSpec[]>(
  table: T,
  argv: readonly string[],
  env: Env,
): FlagConfig<T> {
  if (wantsHelp(argv)) throw new HelpRequestedError();
  const byName = new Map<string, FlagSpec>(table.map((f) => [f.name, f]));
  const state = new Map<string, FlagState>();
  for (const spec of table) {
    const st: FlagState = { value: defaultOf(spec), changed: false };
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (spec.env !== undefined && fromEnv !== undefined && fromEnv !== '') {
      try {
        st.value = convert(spec, fromEnv);
      } catch (err) {
        throw new FlagError(
          `invalid value ${JSON.stringify(fromEnv)} in environment variable ${spec.env} for "--${spec.name}" flag: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    state.set(spec.name, st);
  }

  const set = (spec: FlagSpec, shown: string, raw: string): void => {
    let parsed: unknown;
    try {
      parsed = convert(spec, raw);
    } catch (err) {
      throw new FlagError(`invalid argument ${JSON.stringify(raw)} for "${shown}" flag: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const st = state.get(spec.name) as FlagState;
    if (spec.type === 'stringSlice' || spec.type === 'stringArray') {
      st.value = st.changed ? [...(st.value as string[]), ...(parsed as string[])] : parsed;
    } else if (spec.type === 'featureGates') {
      st.value = st.changed ? { ...(st.value as object), ...(parsed as object) } : parsed;
    } else {
      st.value = parsed;
    }
    st.changed = true;
  };

  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const dashes = arg.startsWith('--') ? '--' : '-';
    const body = arg.slice(dashes.length);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) throw new FlagError(`bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const shown = `${dashes}${name}`;
    const spec = byName.get(name);
    if (spec === undefined) throw new FlagError(`unknown flag: ${shown}`);
    if (eq >= 0) {
      set(spec, shown, body.slice(eq + 1));
    } else if (spec.type === 'bool') {
      set(spec, shown, 'true');
    } else {
      if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: ${shown}`);
      set(spec, shown, argv[++i] as string);
    }
  }
  if (positional.length > 0) {
    throw new FlagError(
      `unexpected argument ${JSON.stringify(positional[0])}: this command takes flags only (booleans are set with --flag=false)`,
    );
  }

  const config: Record<string, unknown> = {};
  for (const spec of table) {
    let value = (state.get(spec.name) as FlagState).value;
    if (spec.type === 'featureGates') {
      const overrides = value as Record<string, boolean>;
      const known = Object.keys(spec.gates);
      for (const gate of Object.keys(overrides)) {
        if (!Object.hasOwn(spec.gates, gate)) {
          throw new FlagError(
            `invalid argument for "--${spec.name}" flag: feature-gate '${gate}' not supported (supported: ${known.sort().join(', ') || 'none'})`,
          );
        }
      }
      value = { ...spec.gates, ...overrides };
    }
    config[toCamelCase(spec.name)] = value;
  }
  return deepFreeze(config) as FlagConfig<T>;
}

/** pflag's type column (`UnquoteUsage`): bool has none, int64 shows as int, slices as `strings`. */
function typeName(spec: FlagSpec): string {
  switch (spec.type) {
    case 'bool':
      return '';
    case 'int64':
      return 'int';
    case 'address':
      return 'string';
    case 'stringSlice':
      return 'strings';
    case 'featureGates':
      return 'mapStringBool';
    default:
      return spec.type;
  }
}

/** pflag prints ` (default X)` only for non-zero defaults; strings are Go-quoted, durations Go-formatted. */
function defaultSuffix(spec: FlagSpec): string {
  switch (spec.type) {
    case 'bool':
      return spec.default ? ' (default true)' : '';
    case 'string':
    case 'address':
      return spec.default === '' ? '' : ` (default ${JSON.stringify(spec.default)})`;
    case 'int':
    case 'int64':
    case 'uint8':
    case 'uint16':
    case 'float32':
      return spec.default === 0 ? '' : ` (default ${spec.default})`;
    case 'duration': {
      const ms = parseGoDuration(spec.default);
      return ms === 0 ? '' : ` (default ${formatGoDuration(ms)})`;
    }
    case 'stringSlice':
    case 'stringArray':
      return spec.default.length === 0 ? '' : ` (default [${spec.default.join(',')}])`;
    case 'featureGates':
      return '';
  }
}

/** Options for {@link formatHelp}. */
export interface FormatHelpOptions {
  /** Program name for the `Usage of <program>:` line. */
  readonly program: string;
  /** Lines printed before the usage listing (e.g. an implementation-status notice). */
  readonly preamble?: string;
}

/**
 * Renders a pflag-style usage listing (`Usage of x:` then flags sorted by name, usage column aligned,
 * non-zero defaults appended), followed by the known feature gates with their defaults.
 */
export function formatHelp(table: readonly FlagSpec[], options: FormatHelpOptions): string {
  const rows = [...table]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((spec) => {
      const type = typeName(spec);
      const envNote = spec.env === undefined ? '' : ` (env ${spec.env})`;
      return {
        left: `      --${spec.name}${type === '' ? '' : ` ${type}`}`,
        right: `${spec.usage}${defaultSuffix(spec)}${envNote}`,
      };
    });
  rows.push({ left: '  -h, --help', right: `help for ${options.program}` });
  const width = Math.max(...rows.map((r) => r.left.length));
  const lines: string[] = [];
  if (options.preamble !== undefined) lines.push(options.preamble, '');
  lines.push(`Usage of ${options.program}:`);
  for (const r of rows) lines.push(`${r.left.padEnd(width)}   ${r.right}`);
  for (const spec of table) {
    if (spec.type !== 'featureGates') continue;
    const gates = Object.entries(spec.gates).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    lines.push('', `Feature gates for --${spec.name} (name=default):`);
    const gw = Math.max(0, ...gates.map(([g]) => g.length));
    for (const [gate, on] of gates) lines.push(`      ${gate.padEnd(gw)}   ${on}`);
  }
  return `${lines.join('\n')}\n`;
}
