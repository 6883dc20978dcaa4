// The kustomize build pipeline (kustomize's KustTarget): accumulate resources and components, run generators,
// run the builtin transformers in kustomize's order, then (top level only) add hash suffixes, fix name references,
// resolve vars and sort.
import * as path from 'node:path';
import { runGenerators } from './generators.ts';
import {
  configureGenerator,
  configureTransformer,
  type PluginHelpers,
  type PluginTransformer,
} from './builtin-plugins.ts';
import { defaultFs, Loader, type KustomizeFs, type LoadRestrictions } from './loader.ts';
import { fixNameReferences } from './name-reference.ts';
import { previousIdsHook, runPatches, runReplacements } from './patch-resources.ts';
import { resolveVars, type Var } from './vars/index.ts';
import { hashResource } from './hash.ts';
import {
  clone,
  goResIdString,
  idOf,
  idString,
  isMap,
  KustomizeError,
  newResource,
  parseYamlStream,
  type KObject,
  type ResId,
  type Resource,
} from './resource.ts';
import { sortResources } from './sort.ts';
import { loadCrdConfig } from './crds.ts';
import { openApiTypeInfo, type TypeInfoLookup } from './openapi.ts';
import { createRemoteFetcher } from './remote.ts';
import { emptyConfig, mergeConfig, parseConfig, type TransformerConfig } from './transformer-config.ts';
import { DEFAULT_NAME_REFERENCES } from './name-reference.ts';
import { DEFAULT_VAR_REFERENCE_FIELD_SPECS } from './vars/index.ts';
import {
  applyCommonAnnotations,
  applyCommonLabels,
  applyImages,
  applyLabels,
  applyNamespace,
  applyPrefixSuffix,
  applyReplicas,
} from './transformers.ts';
import type { YamlValue } from './yaml-emit.ts';

/** Fetches a remote resource (git or https URL) into a local directory or file and returns its path. */
export type RemoteFetcher = (url: string) => Promise<string>;

/** Options of {@link build}. */
export interface BuildOptions {
  /** File system to read from; defaults to node:fs. */
  fs?: KustomizeFs;
  /** 'rootOnly' (default, like kustomize) refuses files outside a kustomization's directory. */
  loadRestrictions?: LoadRestrictions;
  /**
   * Remote resources (git URLs, https files): a fetcher returning a local path, `false` to refuse them (Flux's
   * `--no-remote-bases`; the error names the URL), or absent for the default fetcher ({@link createRemoteFetcher}:
   * git clones through @flux-ts/git into a temporary directory removed when the build ends).
   */
  remote?: RemoteFetcher | false;
  /**
   * File system that fetched remote content is read through (default node:fs): a confined file system keeps a
   * remote base's own file references inside the directory it was fetched into.
   */
  remoteFs?: KustomizeFs;
}

/** Accepted kustomization file names, in kustomize's order. */
export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'buildMetadata',
  'imageTags',
]);

const isRemote = (s: string): boolean =>
  /^(https?:\/\/|git@|ssh:\/\/|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(s) ||
  s.includes('.git//') ||
  /\?ref=/.test(s);

interface Ctx {
  opts: Required<Pick<BuildOptions, 'loadRestrictions'>> & BuildOptions;
  fs: KustomizeFs;
  /** kustomization roots currently being built (cycle detection). */
  stack: string[];
  /** `vars` of every kustomization in the build, resolved once at the top. */
  vars: Var[];
  /** Strategic-merge facts from an `openapi` schema (replaces the built-in table). */
  typeInfoFor?: TypeInfoLookup;
  /** Whether a schema was chosen (kyaml's SetSchema: the first kustomization that sets one wins). */
  schemaSet: boolean;
  remote: RemoteFetcher | false;
}

function findKustomizationFile(ldr: Loader): string {
  const found = KUSTOMIZATION_FILE_NAMES.filter((n) => {
    const p = path.join(ldr.root, n);
    return ldr.exists(p) && !ldr.isDir(p);
  });
  if (found.length > 1) throw new KustomizeError(`Found multiple kustomization files under: ${ldr.root}`);
  const f = found[0];
  if (f === undefined) {
    throw new KustomizeError(
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${ldr.root}'`,
    );
  }
  return f;
}

function loadKustomization(ldr: Loader): { kust: KObject; file: string } {
  const file = findKustomizationFile(ldr);
  const abs = path.join(ldr.root, file);
  const text = new TextDecoder().decode(ldr.fs.readFileSync(abs));
  let docs: YamlValue[];
  try {
    docs = parseYamlStream(text, abs);
  } catch (err) {
    throw new KustomizeError(`invalid Kustomization: ${(err as Error).message}`, { cause: err });
  }
  const kust = docs[0] ?? {};
  if (!isMap(kust)) throw new KustomizeError(`invalid Kustomization: ${abs} is not a YAML mapping`);
  if (Object.keys(kust).every((k) => k === 'apiVersion' || k === 'kind')) {
    throw new KustomizeError(`${file} is empty`);
  }
  for (const k of Object.keys(kust)) {
    if (!KNOWN_FIELDS.has(k)) throw new KustomizeError(`invalid Kustomization: json: unknown field "${k}"`);
  }
  // map[string]string fields: Go's JSON decoder reports the first non-string value in sorted key order
  for (const f of ['commonAnnotations', 'commonLabels'] as const) {
    const m = kust[f];
    if (!isMap(m)) continue;
    for (const v of Object.values(m)) {
      if (typeof v === 'number' || typeof v === 'boolean') {
        throw new KustomizeError(
          `invalid Kustomization: json: cannot unmarshal ${typeof v === 'number' ? 'number' : 'bool'} into Go struct field Kustomization.${f} of type string`,
        );
      }
    }
  }
  return { kust, file: abs };
}

function strings(v: YamlValue | undefined): string[] {
  return Array.isArray(v) ? v.map((x) => (x === null ? '' : String(x))) : [];
}

function str(v: YamlValue | undefined): string {
  return v === undefined || v === null ? '' : String(v);
}

function appendUnique(list: Resource[], add: Resource[]): void {
  // ids compared as sameId does (namespace '' = 'default'), through a set: inputs can have thousands of objects
  const key = (id: ResId): string => [id.group, id.version, id.kind, id.name, id.namespace || 'default'].join('\u0000');
  const seen = new Set(list.map((x) => key(idOf(x.obj))));
  for (const r of add) {
    const id = idOf(r.obj);
    const k = key(id);
    if (seen.has(k)) {
      throw new KustomizeError(`may not add resource with an already registered id: ${idString(id)}`);
    }
    seen.add(k);
    list.push(r);
  }
}

async function accumulateResources(
  ctx: Ctx,
  ldr: Loader,
  entries: string[],
  into: Resource[],
  cfg: TransformerConfig,
): Promise<void> {
  for (const entry of entries) {
    try {
      await accumulateEntry(ctx, ldr, entry, into, cfg);
    } catch (err) {
      throw new KustomizeError(`accumulating resources: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** One `resources` entry (also a plugin-config entry): a remote URL or a local file or directory. */
async function accumulateEntry(
  ctx: Ctx,
  ldr: Loader,
  entry: string,
  into: Resource[],
  cfg: TransformerConfig,
): Promise<void> {
  if (!isRemote(entry)) return accumulateLocal(ctx, ldr, entry, into, cfg);
  if (!ctx.remote) throw new KustomizeError(`remote resources are disabled: ${entry}`);
  const local = await ctx.remote(entry);
  // fetched content is on the local disk whatever `fs` the build reads from
  const rl = new Loader(local, ctx.opts.remoteFs ?? defaultFs(), ldr.restrictions);
  const child = rl.child(rl.isDir(local) ? local : path.dirname(local));
  if (rl.isDir(local)) appendUnique(into, await buildDir(ctx, child, cfg));
  else appendUnique(into, readResourceFile(child, path.basename(local)));
}

/**
 * One local `resources` entry, with kustomize's error structure: the entry is tried as a file first (errF), then
 * as a directory (`accumulation err='<errF>': <directory error>`); malformed YAML in an existing file is reported
 * alone.
 */
async function accumulateLocal(
  ctx: Ctx,
  ldr: Loader,
  entry: string,
  into: Resource[],
  cfg: TransformerConfig,
): Promise<void> {
  const abs = path.resolve(ldr.root, entry);
  const from = `accumulating resources from '${entry}'`;
  const wrap = (errF: string, err: unknown): KustomizeError =>
    new KustomizeError(`accumulation err='${errF}': ${(err as Error).message}`, { cause: err });
  if (!ldr.exists(abs)) {
    let msg = '';
    try {
      ldr.realPath(entry);
    } catch (e) {
      msg = (e as Error).message;
    }
    throw wrap(`${from}: ${msg}`, new KustomizeError(`must build at directory: not a valid directory: ${msg}`));
  }
  const real = ldr.realPath(entry);
  if (!ldr.isDir(real)) {
    let resources: Resource[];
    try {
      ldr.checkRestriction(real, abs);
      resources = readResourceFile(ldr, entry);
    } catch (e) {
      if (e instanceof MalformedYamlError) throw new KustomizeError(`${from}: ${e.message}`, { cause: e });
      throw wrap(
        `${from}: ${(e as Error).message}`,
        new KustomizeError(`must build at directory: '${abs}': file is not directory`),
      );
    }
    try {
      appendUnique(into, resources);
    } catch (e) {
      throw wrap(
        `merging resources from '${entry}': ${(e as Error).message}`,
        new KustomizeError(`must build at directory: '${abs}': file is not directory`),
      );
    }
    return;
  }
  const errF = `${from}: '${real}' must resolve to a file`;
  if (ctx.stack.includes(real)) {
    throw wrap(errF, new KustomizeError(`cycle detected: candidate root '${real}' contains visited root '${real}'`));
  }
  let built: Resource[];
  try {
    built = await buildDir(ctx, ldr.child(real), cfg);
  } catch (e) {
    if (e instanceof TargetError) throw wrap(errF, e.cause);
    throw wrap(
      errF,
      new KustomizeError(`recursed accumulation of path '${real}': ${(e as Error).message}`, { cause: e }),
    );
  }
  try {
    appendUnique(into, built);
  } catch (e) {
    throw wrap(errF, e);
  }
}

/** A failure to load a directory's kustomization (reported without "recursed accumulation"). */
class TargetError extends Error {}

/** Malformed YAML in a resource file. */
class MalformedYamlError extends KustomizeError {}

function readResourceFile(ldr: Loader, rel: string): Resource[] {
  const abs = path.resolve(ldr.root, rel);
  let docs: YamlValue[];
  const text = ldr.readText(rel);
  try {
    docs = parseYamlStream(text, abs);
  } catch (e) {
    throw new MalformedYamlError(`MalformedYAMLError: ${(e as Error).message} in File: ${rel}`, { cause: e });
  }
  const out: Resource[] = [];
  const addObj = (d: YamlValue): void => {
    if (!isMap(d)) throw new KustomizeError(`${abs}: expected a YAML mapping per document`);
    if (d['kind'] === 'List' && Array.isArray(d['items'])) {
      for (const item of d['items']) addObj(item);
      return;
    }
    if (typeof d['kind'] !== 'string' || d['kind'] === '') {
      throw new KustomizeError(`missing kind in object ${JSON.stringify(d)} in ${abs}`);
    }
    const md = d['metadata'];
    if (!isMap(md) || typeof md['name'] !== 'string' || md['name'] === '') {
      throw new KustomizeError(`missing metadata.name in object ${goObjectString(d)}`);
    }
    out.push(newResource(d));
  };
  for (const d of docs) addObj(d);
  return out;
}

/** kustomize prints the object it could not name with Go's `%v` of its TypeMeta and ObjectMeta basics. */
function goObjectString(d: KObject): string {
  const md = isMap(d['metadata']) ? d['metadata'] : {};
  const s = (v: YamlValue | undefined): string => (typeof v === 'string' ? v : '');
  const goMap = (v: YamlValue | undefined): string =>
    `map[${
      isMap(v)
        ? Object.keys(v)
            .sort()
            .map((k) => `${k}:${String(v[k])}`)
            .join(' ')
        : ''
    }]`;
  return `{{${s(d['apiVersion'])} ${s(d['kind'])}} {{${s(md['name'])} ${s(md['namespace'])}} ${goMap(md['labels'])} ${goMap(md['annotations'])}}}`;
}

/** Adds generated resources, honouring behavior create/merge/replace. */
function absorbGenerated(list: Resource[], generated: Resource[]): void {
  for (const g of generated) {
    const gid = idOf(g.obj);
    const matches = list.filter((r) => {
      const ids = [...r.prevIds, idOf(r.obj)];
      return ids.some(
        (id) =>
          id.kind === gid.kind &&
          id.name === gid.name &&
          (!gid.namespace || (id.namespace || 'default') === gid.namespace),
      );
    });
    const behavior = g.behavior ?? 'create';
    if (behavior === 'create') {
      appendUnique(list, [g]);
      continue;
    }
    const old = matches[0];
    if (!old || matches.length > 1) {
      throw new KustomizeError(
        `merging from generator: id ${goResIdString(gid)} does not exist; cannot merge or replace`,
      );
    }
    const oldObj = old.obj;
    const merged = clone(g.obj);
    const om = isMap(oldObj['metadata']) ? oldObj['metadata'] : {};
    const nm = isMap(merged['metadata']) ? merged['metadata'] : {};
    for (const f of ['labels', 'annotations'] as const) {
      const a = isMap(om[f]) ? om[f] : {};
      const b = isMap(nm[f]) ? nm[f] : {};
      if (Object.keys(a).length + Object.keys(b).length > 0) nm[f] = { ...a, ...b };
    }
    nm['name'] = om['name'] ?? nm['name'] ?? null;
    if (om['namespace'] !== undefined) nm['namespace'] = om['namespace'];
    merged['metadata'] = nm;
    if (behavior === 'merge') {
      for (const f of ['data', 'binaryData'] as const) {
        const a = isMap(oldObj[f]) ? oldObj[f] : undefined;
        const b = isMap(merged[f]) ? merged[f] : undefined;
        if (a || b) merged[f] = { ...(a ?? {}), ...(b ?? {}) };
      }
    }
    old.obj = merged;
    // needsHash stays the existing resource's: kustomize keeps its build annotations (needs-hash)
  }
}

async function accumulateTarget(
  ctx: Ctx,
  ldr: Loader,
  kust: KObject,
  resources: Resource[],
  cfg: TransformerConfig,
): Promise<Resource[]> {
  await accumulateResources(ctx, ldr, [...strings(kust['bases']), ...strings(kust['resources'])], resources, cfg);
  for (const file of strings(kust['configurations'])) {
    for (const doc of parseYamlStream(ldr.readText(file), path.resolve(ldr.root, file))) {
      mergeConfig(cfg, parseConfig(doc, file));
    }
  }
  const crds = strings(kust['crds']);
  for (const file of crds) {
    let text: string;
    try {
      text = ldr.readText(file);
    } catch (err) {
      throw new KustomizeError(`loading CRDs [${crds.join(' ')}]: ${(err as Error).message}`, { cause: err });
    }
    mergeConfig(cfg, loadCrdConfig(text, file, crds));
  }
  for (const comp of strings(kust['components'])) {
    if (!ldr.exists(path.resolve(ldr.root, comp))) {
      let msg = '';
      try {
        ldr.realPath(comp);
      } catch (e) {
        msg = (e as Error).message;
      }
      throw new KustomizeError(
        `accumulating components: loader.New "must build at directory: not a valid directory: ${msg}"`,
      );
    }
    try {
      const abs = ldr.realPath(comp);
      if (!ldr.isDir(abs))
        throw new KustomizeError(`'${abs}' must be a directory so that it can be used as a component`);
      const child = ldr.child(abs);
      enter(ctx, child.root);
      try {
        const { kust: ck } = loadKustomization(child);
        if (ck['kind'] !== 'Component') {
          throw new KustomizeError(
            `expected kind 'Component' for path '${abs}' but got '${str(ck['kind']) || 'Kustomization'}'`,
          );
        }
        setSchema(ctx, child, ck);
        resources = await accumulateTarget(ctx, child, ck, resources, cfg);
      } finally {
        ctx.stack.pop();
      }
    } catch (err) {
      throw new KustomizeError(
        `accumulating components: accumulation err='accumulating components from '${comp}': ${(err as Error).message}'`,
        { cause: err },
      );
    }
  }
  absorbGenerated(resources, runGenerators(ldr, kust));
  const v = kust['helmCharts'];
  if ((Array.isArray(v) && v.length > 0) || isMap(v)) {
    throw new KustomizeError(`'helmCharts' is not supported yet by @flux-ts/kustomize`);
  }
  const helpers: PluginHelpers = { ldr, typeInfoFor: ctx.typeInfoFor };
  const genEntries = strings(kust['generators']);
  if (genEntries.length > 0) {
    let gens;
    try {
      const configs = await loadPluginConfigs(ctx, ldr, genEntries);
      gens = configs.map((c) => {
        try {
          return configureGenerator(c, helpers);
        } catch (err) {
          throw new KustomizeError(`failed to load generator: ${(err as Error).message}`, { cause: err });
        }
      });
    } catch (err) {
      throw new KustomizeError(`loading generator plugins: ${(err as Error).message}`, { cause: err });
    }
    for (const g of gens) absorbGenerated(resources, g.generate());
  }
  // builtin transformers, in kustomize's order
  resources = runPatches(ctx.typeInfoFor, ldr, kust, resources, 'sm+patches');
  const ns = str(kust['namespace']);
  if (ns) applyNamespace(resources, ns, cfg.namespace);
  const prefix = str(kust['namePrefix']);
  const suffix = str(kust['nameSuffix']);
  if (prefix || suffix) applyPrefixSuffix(resources, prefix, suffix, cfg);
  applyCommonLabels(resources, kust['commonLabels'], cfg.commonLabels);
  applyLabels(resources, kust['labels'], cfg);
  applyCommonAnnotations(resources, kust['commonAnnotations'], cfg.commonAnnotations);
  resources = runPatches(ctx.typeInfoFor, ldr, kust, resources, 'json6902');
  applyReplicas(resources, kust['replicas'], cfg.replicas);
  applyImages(resources, kust['images'], cfg.images);
  runReplacements(ldr, kust, resources);
  // transformer plugins run after the field-derived ones, validators last (kustomize's runTransformers/runValidators)
  const trEntries = strings(kust['transformers']);
  if (trEntries.length > 0) {
    const configs = await loadPluginConfigs(ctx, ldr, trEntries);
    for (const t of configs.map((c) => configureTransformer(c, helpers))) resources = t.transform(resources);
  }
  const valEntries = strings(kust['validators']);
  if (valEntries.length > 0) {
    const configs = await loadPluginConfigs(ctx, ldr, valEntries);
    for (const t of configs.map((c) => configureTransformer(c, helpers))) resources = runValidator(t, resources);
  }
  // vars are merged after this level's transformers and resolved at the top, after name references
  if (Array.isArray(kust['vars'])) {
    for (const v of kust['vars']) {
      if (!isMap(v)) continue;
      const name = str(v['name']);
      if (ctx.vars.some((x) => x.name === name)) throw new KustomizeError(`var '${name}' already encountered`);
      ctx.vars.push(v as unknown as Var);
    }
  }
  return resources;
}

/**
 * The plugin configs of a `generators`/`transformers`/`validators` list (kustomize's configureExternalTransformers):
 * entries that parse as resources are inline configs and come first; the others are files or kustomizations,
 * accumulated like `resources` entries.
 */
async function loadPluginConfigs(ctx: Ctx, ldr: Loader, entries: string[]): Promise<KObject[]> {
  const configs: Resource[] = [];
  const paths: string[] = [];
  for (const e of entries) {
    const inline = inlineResources(e);
    if (inline) appendUnique(configs, inline);
    else paths.push(e);
  }
  for (const p of paths) await accumulateEntry(ctx, ldr, p, configs, emptyConfig());
  return configs.map((r) => r.obj);
}

/** The resources of an inline YAML entry, or undefined when it is not one (kustomize's NewResMapFromBytes). */
function inlineResources(entry: string): Resource[] | undefined {
  let docs: YamlValue[];
  try {
    docs = parseYamlStream(entry, '<inline>');
  } catch {
    return undefined;
  }
  const out: Resource[] = [];
  for (const d of docs) {
    if (d === null) continue;
    if (!isMap(d) || typeof d['kind'] !== 'string' || d['kind'] === '') return undefined;
    const md = d['metadata'];
    if (!isMap(md) || typeof md['name'] !== 'string' || md['name'] === '') return undefined;
    out.push(newResource(d));
  }
  return out;
}

/**
 * kustomize's runValidators: the resources must stay equal (kyaml node equality) once the `validated-by` label is
 * removed again; that only holds when the label was added to an object without labels, any other change fails.
 */
function runValidator(t: PluginTransformer, resources: Resource[]): Resource[] {
  const before = new Map(resources.map((r) => [idString(idOf(r.obj)), { json: JSON.stringify(r.obj), obj: r.obj }]));
  const hadLabels = new Map(resources.map((r) => [r.obj, isMap(r.obj['metadata']) && 'labels' in r.obj['metadata']]));
  const out = t.transform(resources);
  const fail = (msg: string): KustomizeError =>
    new KustomizeError(`validator shouldn't modify the resource map: ${msg}`);
  if (out.length !== before.size) throw fail('lists have different number of entries');
  for (const r of out) {
    const id = idString(idOf(r.obj));
    const was = before.get(id);
    if (was === undefined) throw fail(`id in self matches 0 in other; id: ${id}`);
    const c = clone(r.obj);
    const md = c['metadata'];
    if (!hadLabels.get(r.obj) && isMap(md) && isMap(md['labels'])) {
      delete md['labels']['validated-by'];
      if (Object.keys(md['labels']).length === 0) delete md['labels'];
    }
    if (JSON.stringify(c) !== was.json) throw fail(`nodes unequal: ${id}`);
  }
  return out;
}

/**
 * kustomize's openapi.SetSchema: the top kustomization decides first (`path` or `version`); otherwise the first
 * nested kustomization (depth first, when it is loaded) with an `openapi` field sets the schema for the rest of the
 * build.
 */
function setSchema(ctx: Ctx, ldr: Loader, kust: KObject): void {
  if (ctx.schemaSet) return;
  const oa = kust['openapi'];
  if (!isMap(oa)) return;
  if (typeof oa['path'] === 'string' && oa['path'] !== '') {
    ctx.typeInfoFor = openApiTypeInfo(ldr.readText(oa['path']), oa['path']);
    ctx.schemaSet = true;
  } else if (typeof oa['version'] === 'string' && oa['version'] !== '') {
    if (oa['version'] !== 'v1.21.2') {
      throw new KustomizeError('the specified OpenAPI version is not built in');
    }
    ctx.schemaSet = true;
  }
}

function enter(ctx: Ctx, root: string): void {
  if (ctx.stack.includes(root)) {
    throw new KustomizeError(`cycle detected: candidate root '${root}' contains visited root '${root}'`);
  }
  ctx.stack.push(root);
}

async function buildDir(ctx: Ctx, ldr: Loader, parentCfg: TransformerConfig): Promise<Resource[]> {
  enter(ctx, ldr.root);
  try {
    let kust: KObject;
    try {
      kust = loadKustomization(ldr).kust;
    } catch (e) {
      throw new TargetError((e as Error).message, {
        cause: new KustomizeError(`couldn't make target for path '${ldr.root}': ${(e as Error).message}`, { cause: e }),
      });
    }
    if (kust['kind'] === 'Component') {
      const msg = `expected kind != 'Component' for path '${ldr.root}'`;
      throw new TargetError(msg, { cause: new KustomizeError(msg) });
    }
    setSchema(ctx, ldr, kust);
    const cfg = emptyConfig();
    const out = await accumulateTarget(ctx, ldr, kust, [], cfg);
    mergeConfig(parentCfg, cfg);
    return out;
  } finally {
    ctx.stack.pop();
  }
}

/** Builds the kustomization in `dir` like `kubectl kustomize DIR` and returns the resulting objects in order. */
export async function build(dir: string, options: BuildOptions = {}): Promise<KObject[]> {
  const fs = options.fs ?? defaultFs();
  const own = options.remote === undefined ? createRemoteFetcher() : undefined;
  try {
    return await buildWith(dir, options, fs, own ?? options.remote ?? false);
  } finally {
    own?.close();
  }
}

async function buildWith(
  dir: string,
  options: BuildOptions,
  fs: KustomizeFs,
  remote: RemoteFetcher | false,
): Promise<KObject[]> {
  const ctx: Ctx = {
    opts: { loadRestrictions: 'rootOnly', ...options },
    fs,
    stack: [],
    vars: [],
    remote,
    schemaSet: false,
  };
  let root = path.resolve(dir);
  if (fs.realpathSync) {
    try {
      root = fs.realpathSync(root);
    } catch (err) {
      throw new KustomizeError(`must build at directory: not a valid directory: '${root}' does not exist`, {
        cause: err,
      });
    }
  }
  const ldr = new Loader(root, fs, ctx.opts.loadRestrictions);
  if (!ldr.isDir(root)) throw new KustomizeError(`must build at directory: '${root}': file is not directory`);
  enter(ctx, root);
  let resources: Resource[];
  let kust: KObject;
  const cfg = emptyConfig();
  try {
    kust = loadKustomization(ldr).kust;
    setSchema(ctx, ldr, kust);
    resources = await accumulateTarget(ctx, ldr, kust, [], cfg);
  } finally {
    ctx.stack.pop();
  }
  // top level only: hash suffixes, then name references
  for (const r of resources) {
    if (!r.needsHash) continue;
    const h = hashResource(r.obj);
    r.prevIds.push(idOf(r.obj));
    const m = r.obj['metadata'] as KObject;
    m['name'] = `${str(m['name'])}-${h}`;
  }
  fixNameReferences(resources, [...DEFAULT_NAME_REFERENCES, ...cfg.nameReference]);
  if (ctx.vars.length > 0) {
    const out = resolveVars(
      resources.map((r) => r.obj),
      ctx.vars,
      [...DEFAULT_VAR_REFERENCE_FIELD_SPECS, ...cfg.varReference],
      previousIdsHook(resources),
    );
    resources.forEach((r, i) => (r.obj = out[i] as KObject));
  }
  // kustomize drops an empty metadata.annotations map from every resource on output
  for (const r of resources) {
    const m = r.obj['metadata'];
    if (isMap(m) && isMap(m['annotations']) && Object.keys(m['annotations']).length === 0) delete m['annotations'];
  }
  return sortResources(resources, kust['sortOptions']).map((r) => r.obj);
}
