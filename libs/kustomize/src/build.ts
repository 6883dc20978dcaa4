// The kustomize build pipeline (kustomize's KustTarget): accumulate resources and components, run generators,
// run the builtin transformers in kustomize's order, then (top level only) add hash suffixes, fix name references,
// resolve vars and sort.
import * as path from 'node:path';
import { runGenerators } from './generators.ts';
import { defaultFs, Loader, type KustomizeFs, type LoadRestrictions } from './loader.ts';
import { fixNameReferences } from './name-reference.ts';
import {
  applyPatchEntry,
  fromPatchesJson6902,
  fromPatchesStrategicMerge,
  type PatchEntry,
  type ResId as SelResId,
  type SelectOptions,
} from './patches/index.ts';
import { applyReplacements, type Replacement } from './replacements/index.ts';
import { resolveVars, type Var } from './vars/index.ts';
import { hashResource } from './hash.ts';
import {
  clone,
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
  /** Remote resource fetcher; when absent, remote resources are refused. */
  remote?: RemoteFetcher;
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

function sameId(a: ResId, b: ResId): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.name === b.name &&
    (a.namespace || 'default') === (b.namespace || 'default')
  );
}

function appendUnique(list: Resource[], add: Resource[]): void {
  for (const r of add) {
    const id = idOf(r.obj);
    if (list.some((x) => sameId(idOf(x.obj), id))) {
      throw new KustomizeError(`may not add resource with an already registered id: ${idString(id)}`);
    }
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
      if (isRemote(entry)) {
        if (!ctx.opts.remote) throw new KustomizeError(`remote resources are disabled: ${entry}`);
        const local = await ctx.opts.remote(entry);
        const child = ldr.child(ldr.isDir(local) ? local : path.dirname(local));
        if (ldr.isDir(local)) appendUnique(into, await buildDir(ctx, child, cfg));
        else appendUnique(into, readResourceFile(child, path.basename(local)));
        continue;
      }
      const abs = ldr.realPath(entry);
      if (ldr.isDir(abs)) {
        appendUnique(into, await buildDir(ctx, ldr.child(abs), cfg));
      } else {
        ldr.checkRestriction(abs);
        appendUnique(into, readResourceFile(ldr, entry));
      }
    } catch (err) {
      throw new KustomizeError(
        `accumulating resources: accumulation err='accumulating resources from '${entry}': ${(err as Error).message}'`,
        { cause: err },
      );
    }
  }
}

function readResourceFile(ldr: Loader, rel: string): Resource[] {
  const abs = path.resolve(ldr.root, rel);
  const docs = parseYamlStream(ldr.readText(rel), abs);
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
    if (d['kind'] === 'Kustomization' || d['kind'] === 'Component') {
      throw new KustomizeError(`${abs}: a ${d['kind']} cannot be used as a resource file`);
    }
    out.push(newResource(d));
  };
  for (const d of docs) addObj(d);
  return out;
}

function previousIdsHook(resources: Resource[]): SelectOptions {
  const byObj = new Map<object, Resource>(resources.map((r) => [r.obj, r]));
  return {
    previousIds: (o): readonly SelResId[] => byObj.get(o)?.prevIds ?? [],
  };
}

/** Applies a `patches` entry to the resource wrappers, keeping their bookkeeping. */
function patchResources(resources: Resource[], entry: PatchEntry, source: string | undefined): Resource[] {
  const opts = { ...previousIdsHook(resources), source };
  if (entry.target) {
    const out: Resource[] = [];
    for (const r of resources) {
      const res = applyPatchEntry([r.obj], entry, opts);
      const obj = res[0] as KObject | undefined;
      if (!obj) continue;
      trackPatchedId(r, obj);
      out.push(r);
    }
    return out;
  }
  const objs = resources.map((r) => r.obj);
  const res = applyPatchEntry(objs, entry, opts) as KObject[];
  if (res.length === resources.length) {
    resources.forEach((r, i) => trackPatchedId(r, res[i] as KObject));
    return resources;
  }
  // a `$patch: delete` dropped resources: keep the wrappers whose objects survived (unchanged or re-matched by id)
  const out: Resource[] = [];
  let j = 0;
  for (const r of resources) {
    const next = res[j];
    if (next && (next === r.obj || sameId(idOf(next), idOf(r.obj)))) {
      trackPatchedId(r, next);
      out.push(r);
      j++;
    }
  }
  return out;
}

function trackPatchedId(r: Resource, obj: KObject): void {
  const before = idOf(r.obj);
  const after = idOf(obj);
  if (before.name !== after.name || before.kind !== after.kind) r.prevIds.push(before);
  r.obj = obj as KObject;
}

function loadPatchText(ldr: Loader, p: KObject | string): { text: string; source?: string } {
  if (typeof p === 'string') {
    // legacy patchesStrategicMerge: a file path or an inline patch
    if (!p.includes('\n') && !p.trim().startsWith('{') && !p.includes(': ')) {
      return { text: ldr.readText(p), source: p };
    }
    return { text: p };
  }
  if (typeof p['path'] === 'string' && p['path'] !== '') return { text: ldr.readText(p['path']), source: p['path'] };
  return { text: str(p['patch']) };
}

function asSelector(v: YamlValue | undefined): PatchEntry['target'] {
  if (!isMap(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined) out[k] = String(val);
  return out;
}

function runPatches(ldr: Loader, kust: KObject, resources: Resource[], which: 'sm+patches' | 'json6902'): Resource[] {
  let list = resources;
  if (which === 'sm+patches') {
    for (const p of Array.isArray(kust['patchesStrategicMerge']) ? kust['patchesStrategicMerge'] : []) {
      if (typeof p !== 'string') continue;
      const { text, source } = loadPatchText(ldr, p);
      for (const e of fromPatchesStrategicMerge([text])) list = patchResources(list, e, source);
    }
    for (const p of Array.isArray(kust['patches']) ? kust['patches'] : []) {
      if (!isMap(p)) continue;
      const { text, source } = loadPatchText(ldr, p);
      const options = isMap(p['options'])
        ? {
            allowNameChange: p['options']['allowNameChange'] === true,
            allowKindChange: p['options']['allowKindChange'] === true,
          }
        : undefined;
      list = patchResources(list, { patch: text, target: asSelector(p['target']), options }, source);
    }
    return list;
  }
  for (const p of Array.isArray(kust['patchesJson6902']) ? kust['patchesJson6902'] : []) {
    if (!isMap(p)) continue;
    const { text, source } = loadPatchText(ldr, p);
    const target = (asSelector(p['target']) ?? {}) as {
      group?: string;
      version?: string;
      kind?: string;
      name?: string;
      namespace?: string;
    };
    for (const e of fromPatchesJson6902([{ target, patch: text }])) list = patchResources(list, e, source);
  }
  return list;
}

function runReplacements(ldr: Loader, kust: KObject, resources: Resource[]): void {
  const entries = Array.isArray(kust['replacements']) ? kust['replacements'] : [];
  if (entries.length === 0) return;
  const reps: Replacement[] = [];
  for (const e of entries) {
    if (!isMap(e)) continue;
    if (typeof e['path'] === 'string') {
      const docs = parseYamlStream(ldr.readText(e['path']), path.resolve(ldr.root, e['path']));
      for (const d of docs) {
        if (Array.isArray(d)) reps.push(...(d as unknown as Replacement[]));
        else reps.push(d as unknown as Replacement);
      }
    } else reps.push(e as unknown as Replacement);
  }
  const out = applyReplacements(
    resources.map((r) => r.obj),
    reps,
    previousIdsHook(resources),
  ) as KObject[];
  resources.forEach((r, i) => (r.obj = out[i] as KObject));
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
      throw new KustomizeError(`id ${idString(gid)} does not exist; cannot merge or replace`);
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
    old.needsHash = old.needsHash || g.needsHash;
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
  for (const comp of strings(kust['components'])) {
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
  // builtin transformers, in kustomize's order
  resources = runPatches(ldr, kust, resources, 'sm+patches');
  const ns = str(kust['namespace']);
  if (ns) applyNamespace(resources, ns, cfg.namespace);
  const prefix = str(kust['namePrefix']);
  const suffix = str(kust['nameSuffix']);
  if (prefix || suffix) applyPrefixSuffix(resources, prefix, suffix);
  applyCommonLabels(resources, kust['commonLabels'], cfg.commonLabels);
  applyLabels(resources, kust['labels'], cfg);
  applyCommonAnnotations(resources, kust['commonAnnotations'], cfg.commonAnnotations);
  resources = runPatches(ldr, kust, resources, 'json6902');
  applyReplicas(resources, kust['replicas'], cfg.replicas);
  applyImages(resources, kust['images'], cfg.images);
  runReplacements(ldr, kust, resources);
  // vars are merged after this level's transformers and resolved at the top, after name references
  if (Array.isArray(kust['vars'])) {
    for (const v of kust['vars']) {
      if (!isMap(v)) continue;
      const name = str(v['name']);
      if (ctx.vars.some((x) => x.name === name)) throw new KustomizeError(`var '${name}' already encountered`);
      ctx.vars.push(v as unknown as Var);
    }
  }
  for (const f of ['crds', 'generators', 'transformers', 'validators', 'helmCharts', 'openapi'] as const) {
    const v = kust[f];
    if ((Array.isArray(v) && v.length > 0) || isMap(v)) {
      throw new KustomizeError(`'${f}' is not supported yet by @flux-ts/kustomize`);
    }
  }
  return resources;
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
    const { kust } = loadKustomization(ldr);
    if (kust['kind'] === 'Component') {
      throw new KustomizeError(`expected kind != 'Component' for path '${ldr.root}'`);
    }
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
  const ctx: Ctx = { opts: { loadRestrictions: 'rootOnly', ...options }, fs, stack: [], vars: [] };
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
    ) as KObject[];
    resources.forEach((r, i) => (r.obj = out[i] as KObject));
  }
  // kustomize drops an empty metadata.annotations map from every resource on output
  for (const r of resources) {
    const m = r.obj['metadata'];
    if (isMap(m) && isMap(m['annotations']) && Object.keys(m['annotations']).length === 0) delete m['annotations'];
  }
  return sortResources(resources, kust['sortOptions']).map((r) => r.obj);
}
