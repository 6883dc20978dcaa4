import { Option, type Command } from 'commander';
import { formatGoDuration, parseGoDuration } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { fluxKindByKind } from '../shared/kinds.ts';

/** flux's `createCmd` persistent flags, as every `create` subcommand reads them. */
export interface CreateFlags {
  /** `--export`: print the object as YAML instead of applying it. */
  readonly export: boolean;
  /** `--interval` as Go prints it (`1m0s`). */
  readonly interval: string;
  /** `--label`, parsed. */
  readonly labels: Readonly<Record<string, string>> | undefined;
}

/** The flags flux declares on `create` itself (`cmd/flux/create.go`). */
export function addCreatePersistentFlags(create: Command): void {
  create
    .addOption(new Option('--export', 'export in YAML format to stdout').default(false))
    .addOption(new Option('--interval <duration>', 'source sync interval').default('1m0s'))
    .addOption(
      new Option(
        '--label <key=value>',
        'set labels on the resource (can specify multiple labels with commas: label1=value1,label2=value2)',
      ).argParser(collect),
    );
}

/** Splits pflag's StringSlice values (`--x=a,b --x c`). */
export function stringSlice(v: unknown): string[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? (v as unknown[]) : [v];
  return items.flatMap((s) => String(s).split(',')).filter((s) => s !== '');
}

/** A `Collect` argument parser for repeatable StringSlice flags. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The `create` flags as `cmd` sees them. */
export function createFlags(cmd: Command): CreateFlags {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  const interval = typeof o['interval'] === 'string' ? o['interval'] : '1m0s';
  let ms: number;
  try {
    ms = parseGoDuration(interval);
  } catch (err) {
    throw new Error(`invalid argument "${interval}" for "--interval" flag: time: invalid duration "${interval}"`, {
      cause: err,
    });
  }
  return { export: o['export'] === true, interval: formatGoDuration(ms), labels: parseLabels(stringSlice(o['label'])) };
}

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** flux's `parseLabels`: `key=value` pairs with Kubernetes-valid keys. */
export function parseLabels(items: readonly string[]): Record<string, string> | undefined {
  if (items.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i < 0) throw new Error(`invalid label format '${item}', must be key=value`);
    const key = item.slice(0, i);
    if (!LABEL_KEY.test(key)) throw new Error(`invalid label '${key}'`);
    labels[key] = item.slice(i + 1);
  }
  return labels;
}

/** Parses a Go duration flag into Go's printed form, with pflag's error text. */
export function durationFlag(flag: string, value: string): string {
  try {
    return formatGoDuration(parseGoDuration(value));
  } catch (err) {
    throw new Error(`invalid argument "${value}" for "--${flag}" flag: time: invalid duration "${value}"`, {
      cause: err,
    });
  }
}

/** The object name argument, with flux's error when it is missing. */
export function requireName(name: string | undefined): string {
  if (name === undefined || name === '') throw new Error('name is required');
  return name;
}

/** `metadata` as flux sets it on a created object (labels only when given). */
export function objectMeta(
  name: string,
  namespace: string,
  labels?: Readonly<Record<string, string>>,
): { name: string; namespace: string; labels?: Readonly<Record<string, string>> } {
  return { name, namespace, ...(labels !== undefined ? { labels } : {}) };
}

/** `Kind/name[.namespace]` as flux's source flags parse it. */
export interface KindNameRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/**
 * Parses `<kind>/<name>[.<namespace>]` with the kind matched case-insensitively against `kinds` (flux's
 * `flags.*Source.Set`), returning the canonical kind.
 */
export function parseKindRef(value: string, kinds: readonly string[], what: string, defaultKind?: string): KindNameRef {
  const parts = value.split('/');
  let kind: string;
  let rest: string;
  if (parts.length === 1 && defaultKind !== undefined) {
    kind = defaultKind;
    rest = value;
  } else if (parts.length === 2) {
    kind = parts[0] as string;
    rest = parts[1] as string;
  } else {
    throw new Error(`invalid ${what} '${value}', must be in format <kind>/<name>`);
  }
  const canonical = kinds.find((k) => k.toLowerCase() === kind.toLowerCase());
  if (canonical === undefined)
    throw new Error(`${what} kind '${kind}' is not supported, must be one of: ${kinds.join(', ')}`);
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  const namespace = dot < 0 ? undefined : rest.slice(dot + 1);
  if (name === '') throw new Error(`name cannot be empty`);
  return { kind: canonical, name, ...(namespace !== undefined && namespace !== '' ? { namespace } : {}) };
}

/** flux's `utils.MakeDependsOn`: `name` or `namespace/name`. */
export function makeDependsOn(items: readonly string[]): { name: string; namespace?: string }[] | undefined {
  if (items.length === 0) return undefined;
  return items.map((d) => {
    const i = d.indexOf('/');
    return i < 0 ? { name: d } : { namespace: d.slice(0, i), name: d.slice(i + 1) };
  });
}

/** Writes a command's output to stdout. */
export function print(ctx: CommandContext, text: string): void {
  ctx.io.stdout.write(text);
}

/**
 * Lets boolean flags take pflag's explicit values (`--prune=true`, `--insecure=false`) on `cmd` and its
 * subcommands; commander's booleans take no value.
 */
export function acceptGoBoolValues(cmd: Command): void {
  for (const sub of cmd.commands) acceptGoBoolValues(sub);
  const booleans = new Set(
    [...cmd.options, ...(cmd.parent?.options ?? [])]
      .filter((o) => !o.required && !o.optional && !o.negate && o.long !== undefined)
      .map((o) => o.long as string),
  );
  if (booleans.size === 0) return;
  const parse = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (args: string[]) => {
    const rewritten = args.flatMap((a) => {
      const m = /^(--[\w-]+)=(true|false)$/.exec(a);
      if (m === null || !booleans.has(m[1] as string)) return [a];
      return m[2] === 'true' ? [m[1] as string] : [];
    });
    return parse(rewritten);
  };
}

/** The API version flux's CLI writes a kind in (its storage version, from the shared kind table). */
export function apiVersionOf(kind: string): string {
  const k = fluxKindByKind(kind);
  if (k === undefined) throw new Error(`unknown Flux kind ${kind}`);
  return k.apiVersion;
}
