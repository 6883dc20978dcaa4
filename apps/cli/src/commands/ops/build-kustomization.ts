/**
 * `build kustomization` and `diff kustomization` (flux2 `cmd/flux/build_kustomization.go`, `diff_kustomization.go`,
 * `internal/build`): the local directory built as kustomize-controller would build it for the Kustomization (its
 * generated kustomization.yaml, spec merge, commonMetadata, postBuild substitution, the owner labels, SOPS data
 * masked), then either printed or compared with the cluster by server-side dry-run apply.
 */
import * as fs from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { createIgnoreFilter, readPatterns, type IgnoreFilter } from '@flux-ts/artifact';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import {
  KUSTOMIZATION_FILE_NAMES,
  applyCommonMetadata,
  build,
  emitDocument,
  generateKustomizationFiles,
  mergeFluxSpec,
  substituteResource,
  toYaml,
} from '@flux-ts/kustomize';
import type { FluxKustomizeSpec, KObject, KustomizeFs, YamlValue } from '@flux-ts/kustomize';
import { errMessage, isNotFound } from '@flux-ts/runtime';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import {
  formatSubject,
  hasDrifted,
  isReconcileDisabled,
  objMetadataOf,
  objMetadataToId,
  parseObjMetadataId,
} from '@flux-ts/ssa';
import type { CommandContext } from '../../context.ts';
import { EXIT_DIFF, EXIT_DIFF_FAILED, ExitCodeError } from '../../errors.ts';
import { collect } from './components.ts';
import { commandSignal } from './wait.ts';

/** The Kustomization fields a local build reads. */
export type KustomizationObject = KubeObject & {
  spec: FluxKustomizeSpec & {
    path?: string;
    prune?: boolean;
    postBuild?: {
      substitute?: Record<string, string>;
      substituteFrom?: { kind: string; name: string; optional?: boolean }[];
      substituteStrategy?: string;
    };
    commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  status?: { inventory?: { entries?: { id: string; v: string }[] } };
};

const KUSTOMIZATION = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' };
/** flux's SOPS mask (`internal/build` `mask`). */
export const SOPS_MASK = '**SOPS**';
/** The field manager of kustomize-controller, whose apply the diff dry-runs. */
const CONTROLLER = 'kustomize-controller';

/** Options of {@link buildKustomization}. */
export interface BuildKustomizationOptions {
  /** The Kustomization (live, or from `--kustomization-file`). */
  readonly kustomization: KustomizationObject;
  /** The local directory (`--path`). */
  readonly path: string;
  /** Reads substituteFrom ConfigMaps and Secrets; absent with `--dry-run`, as flux's. */
  readonly client?: KubeClient | undefined;
  readonly strictSubstitute?: boolean;
  /** `--ignore-paths`: gitignore patterns the generated kustomization.yaml leaves out. */
  readonly ignorePaths?: readonly string[];
  readonly signal?: AbortSignal;
}

function listFiles(dir: string, ignored?: IgnoreFilter, root = dir): { path: string; docs?: unknown[] }[] {
  const out: { path: string; docs?: unknown[] }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const rel = relative(root, full).split(sep).join('/');
    if (ignored?.(rel, entry.isDirectory())) continue;
    if (entry.isDirectory()) out.push(...listFiles(full, ignored, root));
    else if (entry.isFile()) {
      const path = rel;
      if (!/\.ya?ml$/.test(entry.name)) out.push({ path });
      else out.push({ path, docs: parseAllDocuments(fs.readFileSync(full, 'utf8')).map((d) => d.toJS() as unknown) });
    }
  }
  return out;
}

/** node:fs with one file replaced in memory: the build never writes into the user's directory. */
function overlayFs(file: string, content: string): KustomizeFs {
  return {
    readFileSync: (p) => (p === file ? Buffer.from(content) : fs.readFileSync(p)),
    statSync: (p) => (p === file ? { isDirectory: () => false, isFile: () => true } : fs.statSync(p)),
    realpathSync: (p) => (p === file ? p : fs.realpathSync(p)),
  };
}

async function postBuildVars(opts: BuildKustomizationOptions): Promise<Record<string, string> | undefined> {
  const pb = opts.kustomization.spec.postBuild;
  if (!pb) return undefined;
  const vars: Record<string, string> = {};
  if (opts.client) {
    for (const ref of pb.substituteFrom ?? []) {
      const kind = ref.kind === 'Secret' ? 'Secret' : 'ConfigMap';
      let src: KubeObject & { data?: Record<string, string> };
      try {
        src = await opts.client.get(
          { apiVersion: 'v1', kind },
          { namespace: opts.kustomization.metadata.namespace ?? '', name: ref.name },
          { signal: opts.signal },
        );
      } catch (err) {
        if (isNotFound(err) && ref.optional) continue;
        throw new Error(`substitute from '${kind}/${ref.name}' failed: ${errMessage(err)}`, { cause: err });
      }
      for (const [k, v] of Object.entries(src.data ?? {}))
        vars[k] = kind === 'Secret' ? Buffer.from(v, 'base64').toString('utf8') : v;
    }
  }
  for (const [k, v] of Object.entries(pb.substitute ?? {})) vars[k] = v.replaceAll('\n', '');
  return vars;
}

const isSopsText = (s: string) => s.includes('sops') && s.includes('ENC[');

/** flux2 `maskSopsData`: a SOPS-encrypted Secret's values become `**SOPS**` (base64 in `data`). */
export function maskSopsData(o: KObject): KObject {
  if (o['kind'] !== 'Secret') return o;
  const data = (o['data'] ?? {}) as Record<string, string>;
  const stringData = (o['stringData'] ?? {}) as Record<string, string>;
  const masked = Buffer.from(SOPS_MASK).toString('base64');
  const copy: KObject = { ...o };
  const whole = 'sops' in o && JSON.stringify(o['sops']).includes('ENC[');
  if (whole) delete copy['sops'];
  const isDockerConfig = o['type'] === 'kubernetes.io/dockerconfigjson';
  const maskJson = JSON.stringify({ mask: SOPS_MASK });
  const mapValues = (m: Record<string, string>, encode: boolean) =>
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => {
        if (whole)
          return [
            k,
            isDockerConfig
              ? encode
                ? Buffer.from(maskJson).toString('base64')
                : maskJson
              : encode
                ? masked
                : SOPS_MASK,
          ];
        const text = encode ? Buffer.from(v, 'base64').toString('utf8') : v;
        return [k, isSopsText(text) ? masked : v];
      }),
    );
  if (o['data'] !== undefined) copy['data'] = mapValues(data, true);
  if (o['stringData'] !== undefined) copy['stringData'] = mapValues(stringData, false);
  return copy;
}

/**
 * flux2 `Builder.Build`: the objects of the local directory as the Kustomization would apply them.
 * @throws Error `kustomize build failed: …`, `var substitution failed for '<name>': …`
 */
export async function buildKustomization(opts: BuildKustomizationOptions): Promise<KubeObject[]> {
  const dir = resolve(opts.path);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`invalid resource path "${opts.path}"`);
  const spec = opts.kustomization.spec;
  const file = KUSTOMIZATION_FILE_NAMES.find((f) => fs.existsSync(join(dir, f)));
  let kustomization: KObject;
  if (file !== undefined) {
    const parsed: unknown = parseYaml(fs.readFileSync(join(dir, file), 'utf8'));
    kustomization = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as KObject;
  } else {
    // flux's NewGeneratorWithIgnore: the patterns, one per line, filter the scan of the directory.
    const patterns = readPatterns((opts.ignorePaths ?? []).join('\n'));
    const ignored = patterns.length > 0 ? createIgnoreFilter([{ domain: '', patterns }]) : undefined;
    kustomization = generateKustomizationFiles({ files: listFiles(dir, ignored) }) ?? {};
  }
  const merged = mergeFluxSpec(kustomization, spec, { componentExists: (p) => fs.existsSync(join(dir, p)) });
  const kfile = join(dir, file ?? 'kustomization.yaml');
  let objects: KObject[];
  try {
    objects = await build(dir, { fs: overlayFs(kfile, stringify(merged)), loadRestrictions: 'none' });
  } catch (err) {
    throw new Error(`kustomize build failed: ${errMessage(err)}`, { cause: err });
  }
  if (spec.commonMetadata) objects = applyCommonMetadata(objects, spec.commonMetadata);
  const vars = await postBuildVars(opts);
  if (vars !== undefined) {
    const always = spec.postBuild?.substituteStrategy === 'Always';
    objects = objects.map((o) => {
      try {
        return substituteResource(o, vars, { strict: opts.strictSubstitute ?? false, always });
      } catch (err) {
        const meta = (o['metadata'] ?? {}) as { name?: string };
        throw new Error(`var substitution failed for '${meta.name ?? ''}': ${errMessage(err)}`, { cause: err });
      }
    });
  }
  const owner = {
    'kustomize.toolkit.fluxcd.io/name': opts.kustomization.metadata.name ?? '',
    'kustomize.toolkit.fluxcd.io/namespace': opts.kustomization.metadata.namespace ?? '',
  };
  return objects.map((o) => {
    const meta = (o['metadata'] ?? {}) as KObject & { labels?: Record<string, string> };
    return maskSopsData({ ...o, metadata: { ...meta, labels: { ...meta.labels, ...owner } } }) as unknown as KubeObject;
  });
}

/** Reads the Kustomization `name` from `--kustomization-file` (flux2 `unMarshallKustomization`). */
export function kustomizationFromFile(file: string, name: string, namespace: string): KustomizationObject {
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const k = doc.toJS() as KustomizationObject | null;
    if (
      k?.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/') &&
      k.kind === 'Kustomization' &&
      k.metadata?.name === name &&
      (k.metadata.namespace === namespace || k.metadata.namespace === undefined)
    )
      return { ...k, metadata: { ...k.metadata, namespace } };
  }
  throw new Error(`failed find kustomization with name '${name}' and namespace '${namespace}' in file '${file}'`);
}

async function loadKustomization(
  ctx: CommandContext,
  cmd: Command,
  name: string,
  o: { kustomizationFile?: string; dryRun?: boolean },
  signal: AbortSignal,
): Promise<{ kustomization: KustomizationObject; client: KubeClient | undefined }> {
  const ns = ctx.globals(cmd).namespace;
  if (o.dryRun) {
    if (o.kustomizationFile === undefined) throw new Error('dry-run mode requires a kustomization file');
    return { kustomization: kustomizationFromFile(o.kustomizationFile, name, ns), client: undefined };
  }
  const { client } = ctx.connect(cmd);
  if (o.kustomizationFile !== undefined)
    return { kustomization: kustomizationFromFile(o.kustomizationFile, name, ns), client };
  try {
    return {
      kustomization: await client.get<KustomizationObject>(KUSTOMIZATION, { namespace: ns, name }, { signal }),
      client,
    };
  } catch (err) {
    throw new Error(`failed to get kustomization object: ${errMessage(err)}`, { cause: err });
  }
}

/** ssa's secret sanitizing (fluxcd/pkg `SanitizeUnstructuredData`): values masked, changed ones marked before/after. */
function sanitizeSecrets(live: KObject, merged: KObject): void {
  if (live['kind'] !== 'Secret') return;
  for (const field of ['data', 'stringData']) {
    const a = (live[field] ?? undefined) as Record<string, string> | undefined;
    const b = (merged[field] ?? undefined) as Record<string, string> | undefined;
    for (const k of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
      const changed = a?.[k] !== b?.[k];
      if (a && k in a) a[k] = changed ? '*** (before)' : '***';
      if (b && k in b) b[k] = changed ? '*** (after)' : '***';
    }
  }
}

const stripped = (o: KubeObject): KObject => {
  const { metadata, ...rest } = o as unknown as KObject & { metadata: KObject };
  const {
    managedFields: _m,
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    ...meta
  } = metadata as Record<string, unknown>;
  return { ...rest, metadata: meta as KObject } as KObject;
};

const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
];

/** gonvenience/text `Plural`: `one map entry`, `two map entries`, `13 list entries`. */
const plural = (n: number, what: string): string =>
  `${NUMBER_WORDS[n] ?? String(n)} ${n === 1 ? what : what.replace(/y$/, 'ie') + 's'}`;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const named = (v: unknown[]): v is Record<string, unknown>[] =>
  v.length > 0 && v.every((x) => isMap(x) && typeof x['name'] === 'string');

/**
 * The changes between two documents as flux prints them (dyff's human report without header, as flux2
 * `printers.DyffPrinter`): per difference a blank line, the dot path (list entries with a `name` by that name),
 * then `± value change` with `- old` and `+ new`, or the map/list entries removed and added as YAML.
 */
export function dyffReport(from: KObject, to: KObject): string {
  const out: string[] = [];
  const block = (v: unknown) =>
    emitDocument(v as YamlValue)
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`);
  const entries = (sign: '-' | '+', what: string, items: unknown, n: number) => [
    `${sign} ${plural(n, what)} ${sign === '-' ? 'removed' : 'added'}:`,
    ...block(items),
  ];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const where = path.join('.') || '(root level)';
    if (isMap(a) && isMap(b)) {
      const removed = Object.keys(a).filter((k) => !(k in b));
      const added = Object.keys(b).filter((k) => !(k in a));
      if (removed.length > 0 || added.length > 0)
        out.push(
          '',
          where,
          ...(removed.length > 0
            ? entries('-', 'map entry', Object.fromEntries(removed.map((k) => [k, a[k]])), removed.length)
            : []),
          ...(added.length > 0
            ? entries('+', 'map entry', Object.fromEntries(added.map((k) => [k, b[k]])), added.length)
            : []),
        );
      for (const k of Object.keys(a)) if (k in b) walk(a[k], b[k], [...path, k]);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (named(a) && named(b)) {
        const nameOf = (x: Record<string, unknown>) => String(x['name']);
        const removed = a.filter((x) => !b.some((y) => nameOf(y) === nameOf(x)));
        const added = b.filter((y) => !a.some((x) => nameOf(x) === nameOf(y)));
        if (removed.length > 0 || added.length > 0)
          out.push(
            '',
            where,
            ...(removed.length > 0 ? entries('-', 'list entry', removed, removed.length) : []),
            ...(added.length > 0 ? entries('+', 'list entry', added, added.length) : []),
          );
        for (const x of a) {
          const y = b.find((e) => nameOf(e) === nameOf(x));
          if (y !== undefined) walk(x, y, [...path, nameOf(x)]);
        }
        return;
      }
      if (a.length === b.length) {
        a.forEach((x, i) => walk(x, b[i], [...path, String(i)]));
        return;
      }
      const removed = a.filter((x) => !b.some((y) => JSON.stringify(x) === JSON.stringify(y)));
      const added = b.filter((y) => !a.some((x) => JSON.stringify(x) === JSON.stringify(y)));
      out.push(
        '',
        where,
        ...(removed.length > 0 ? entries('-', 'list entry', removed, removed.length) : []),
        ...(added.length > 0 ? entries('+', 'list entry', added, added.length) : []),
      );
      return;
    }
    if (isMap(a) || isMap(b) || Array.isArray(a) || Array.isArray(b)) {
      out.push(
        '',
        where,
        '± type change',
        ...block(a).map((l) => `-${l.slice(1)}`),
        ...block(b).map((l) => `+${l.slice(1)}`),
      );
      return;
    }
    out.push('', where, '± value change', `- ${String(a)}`, `+ ${String(b)}`);
  };
  walk(from, to, []);
  return out.length > 0 ? `${out.join('\n')}\n\n` : '';
}

/**
 * flux2 `Builder.Diff`: each object dry-run applied as kustomize-controller would (`► <subject> created`,
 * `► <subject> drifted` and its changes), then the inventory's objects the build no longer has (`► <subject>
 * deleted`) when the Kustomization prunes.
 */
export async function diffKustomization(
  client: KubeClient,
  kustomization: KustomizationObject,
  objects: readonly KubeObject[],
  signal: AbortSignal,
  recursion?: DiffRecursion,
): Promise<{ output: string; changed: boolean }> {
  let output = '';
  let changed = false;
  const errors: string[] = [];
  const ids = new Set<string>();
  for (const obj of objects) {
    const meta = objMetadataOf(obj);
    ids.add(objMetadataToId(meta));
    if (isReconcileDisabled(obj)) continue;
    const subject = formatSubject(meta);
    const gvk = { apiVersion: obj.apiVersion, kind: obj.kind };
    const key = {
      name: obj.metadata.name ?? '',
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    };
    let live: KubeObject | undefined;
    try {
      live = await client.get(gvk, key, { signal });
    } catch (err) {
      if (!isNotFound(err)) {
        errors.push(`${subject} query failed: ${errMessage(err)}`);
        continue;
      }
    }
    let dryRun: KubeObject;
    try {
      dryRun = await client.apply(obj, { fieldManager: CONTROLLER, force: true, dryRun: true, signal });
    } catch (err) {
      errors.push(`${subject} dry-run failed: ${errMessage(err)}`);
      continue;
    }
    if (live === undefined) {
      output += `► ${subject} created\n`;
      changed = true;
      continue;
    }
    if (hasDrifted(live, dryRun)) {
      const from = stripped(live);
      const to = stripped(dryRun);
      sanitizeSecrets(from, to);
      output += `► ${subject} drifted\n${dyffReport(from, to)}`;
      changed = true;
    }
    if (recursion !== undefined && isKustomization(obj) && !sameObject(obj, kustomization)) {
      const child = obj as KustomizationObject & { spec: { kubeConfig?: unknown } };
      if (child.spec.kubeConfig !== undefined && child.spec.kubeConfig !== null) {
        output += `⚠️ ${subject} skipped: diff not supported for remote clusters\n`;
        continue;
      }
      try {
        const sub = await diffChildKustomization(client, child, signal, recursion);
        if (sub.changed) {
          changed = true;
          output += `📁 ${subject} changed\n${sub.output}`;
        }
      } catch (err) {
        errors.push(errMessage(err));
      }
    }
  }
  if (kustomization.spec.prune && errors.length === 0) {
    for (const e of kustomization.status?.inventory?.entries ?? []) {
      if (ids.has(e.id)) continue;
      const meta = parseObjMetadataId(e.id);
      output += `► ${formatSubject(meta)} deleted\n`;
      changed = true;
    }
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return { output, changed };
}

/** The flags of `diff kustomization`. */
interface DiffFlags {
  path?: string;
  kustomizationFile?: string;
  strictSubstitute: boolean;
  ignorePaths?: string[];
  recursive: boolean;
  localSources?: Record<string, string>;
}

/** `diff kustomization --recursive`: where nested Kustomizations' sources are checked out, and the build flags. */
export interface DiffRecursion {
  /** `--local-sources`: `Kind/namespace/name` to a local directory. */
  readonly localSources: Readonly<Record<string, string>>;
  readonly ignorePaths?: readonly string[];
  readonly strictSubstitute?: boolean;
}

const isKustomization = (o: KubeObject): boolean =>
  o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');

const sameObject = (a: KubeObject, b: KubeObject): boolean =>
  a.metadata.name === b.metadata.name && (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');

/**
 * flux2 `Builder.kustomizationDiff`: the nested Kustomization's source looked up in `--local-sources` (`cannot get
 * local path for <Kind/ns/name> of kustomization <name>` when absent), its `spec.path` built from there against its
 * live object, and diffed, recursively.
 */
async function diffChildKustomization(
  client: KubeClient,
  child: KustomizationObject & { spec: { sourceRef?: { kind?: string; name?: string; namespace?: string } } },
  signal: AbortSignal,
  recursion: DiffRecursion,
): Promise<{ output: string; changed: boolean }> {
  const ref = child.spec.sourceRef ?? {};
  const namespace = child.metadata.namespace ?? '';
  const sourceKey = `${ref.kind ?? ''}/${ref.namespace || namespace}/${ref.name ?? ''}`;
  const localPath = recursion.localSources[sourceKey];
  if (localPath === undefined)
    throw new Error(`cannot get local path for ${sourceKey} of kustomization ${child.metadata.name ?? ''}`);
  let live: KustomizationObject;
  try {
    live = await client.get<KustomizationObject>(
      KUSTOMIZATION,
      { namespace, name: child.metadata.name ?? '' },
      { signal },
    );
  } catch (err) {
    throw new Error(`failed to get kustomization object: ${errMessage(err)}`, { cause: err });
  }
  const objects = await buildKustomization({
    kustomization: live,
    path: join(localPath, child.spec.path ?? ''),
    client,
    ...(recursion.strictSubstitute !== undefined ? { strictSubstitute: recursion.strictSubstitute } : {}),
    ...(recursion.ignorePaths !== undefined ? { ignorePaths: recursion.ignorePaths } : {}),
    signal,
  });
  return diffKustomization(client, live, objects, signal, recursion);
}

/** pflag's `stringToString` (`--local-sources a=b,c=d`), accumulated over repeated flags. */
function parseStringToString(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const out = { ...previous };
  for (const pair of value.split(',')) {
    if (pair === '') continue;
    const i = pair.indexOf('=');
    if (i < 0)
      throw new Error(`invalid argument "${value}" for "--local-sources" flag: ${pair} must be formatted as key=value`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** Registers `build kustomization` and `diff kustomization`. */
export function registerBuildDiffKustomization(build: Command, diff: Command, ctx: CommandContext): void {
  const buildCmd = build
    .command('kustomization')
    .alias('ks')
    .argument('<name>')
    .summary('Build Kustomization')
    .description(
      'The build command queries the Kubernetes API and fetches the specified Flux Kustomization.\nIt then uses the fetched in cluster flux kustomization to perform needed transformation on the local kustomization.yaml\npointed at by --path. The local kustomization.yaml is generated if it does not exist. Finally it builds the overlays using the local kustomization.yaml, and write the resulting multi-doc YAML to stdout.',
    )
    .option('--path <path>', 'Path to the manifests location.')
    .option('--kustomization-file <file>', 'Path to the Flux Kustomization YAML file.')
    .option('--dry-run', 'Dry run mode.', false)
    .addOption(new Option('--ignore-paths <paths>', 'set paths to ignore in .gitignore format').argParser(collect))
    .option(
      '--strict-substitute',
      'When enabled, the post build substitutions will fail if a var without a default value is declared in files but is missing from the input vars.',
      false,
    )
    .action(
      async (
        name: string,
        o: {
          path?: string;
          kustomizationFile?: string;
          dryRun: boolean;
          strictSubstitute: boolean;
          ignorePaths?: string[];
        },
      ) => {
        if (!o.path) throw new Error('invalid resource path ""');
        const signal = commandSignal(ctx.io.signal, ctx.globals(buildCmd).timeoutMs);
        const { kustomization, client } = await loadKustomization(ctx, buildCmd, name, o, signal);
        const objects = await buildKustomization({
          kustomization,
          path: resolve(ctx.io.cwd, o.path),
          client,
          strictSubstitute: o.strictSubstitute,
          ...(o.ignorePaths !== undefined ? { ignorePaths: o.ignorePaths } : {}),
          signal,
        });
        ctx.io.stdout.write(toYaml(objects as unknown as KObject[]));
      },
    );

  const diffCmd = diff
    .command('kustomization')
    .alias('ks')
    .argument('<name>')
    .summary('Diff Kustomization')
    .description(
      'The diff command does a build, then it performs a server-side dry-run and prints the diff.\nExit status: 0 No differences were found. 1 Differences were found. >1 diff failed with an error.',
    )
    .option('--path <path>', 'Path to a local directory that matches the specified Kustomization.spec.path.')
    .option('--kustomization-file <file>', 'Path to the Flux Kustomization YAML file.')
    .addOption(new Option('--ignore-paths <paths>', 'set paths to ignore in .gitignore format').argParser(collect))
    .option('-r, --recursive', 'Recursively diff Kustomizations', false)
    // Accepted for flux's scripts; flux-ts draws no spinner either way.
    .option('--progress-bar', 'Boolean to set the progress bar. The default value is true.', true)
    .addOption(
      new Option(
        '--local-sources <sources>',
        'Comma-separated list of repositories in format: Kind/namespace/name=path',
      ).argParser(parseStringToString),
    )
    .option(
      '--strict-substitute',
      'When enabled, the post build substitutions will fail if a var without a default value is declared in files but is missing from the input vars.',
      false,
    )
    .action(async (name: string, o: DiffFlags) => {
      // flux's RequestError: drift exits 1 with a warning, any failure exits 2.
      try {
        await runDiff(name, o);
      } catch (err) {
        if (err instanceof ExitCodeError) throw err;
        ctx.logger.failuref(errMessage(err));
        throw new ExitCodeError(EXIT_DIFF_FAILED, errMessage(err));
      }
    });
  const runDiff = async (name: string, o: DiffFlags): Promise<void> => {
    if (!o.path) throw new Error('invalid resource path ""');
    const signal = commandSignal(ctx.io.signal, ctx.globals(diffCmd).timeoutMs);
    const { kustomization, client } = await loadKustomization(ctx, diffCmd, name, o, signal);
    if (client === undefined) throw new Error('internal error: no cluster client');
    const objects = await buildKustomization({
      kustomization,
      path: resolve(ctx.io.cwd, o.path),
      client,
      strictSubstitute: o.strictSubstitute,
      ...(o.ignorePaths !== undefined ? { ignorePaths: o.ignorePaths } : {}),
      signal,
    });
    const localSources = Object.fromEntries(
      Object.entries(o.localSources ?? {}).map(([k, v]) => [k, resolve(ctx.io.cwd, v)]),
    );
    const recursion: DiffRecursion | undefined = o.recursive
      ? {
          localSources,
          strictSubstitute: o.strictSubstitute,
          ...(o.ignorePaths !== undefined ? { ignorePaths: o.ignorePaths } : {}),
        }
      : undefined;
    const { output, changed } = await diffKustomization(client, kustomization, objects, signal, recursion);
    ctx.io.stdout.write(output);
    if (changed) {
      ctx.logger.warningf('identified at least one change, exiting with non-zero exit code');
      throw new ExitCodeError(EXIT_DIFF);
    }
  };
}
