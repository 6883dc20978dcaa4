// kustomize's builtin plugins configured explicitly (`generators:`, `transformers:`, `validators:` entries): the
// config objects (`apiVersion: builtin`, a builtin kind) become generators or transformers over the build's
// resources, reusing the engine's implementations of the field-derived transformers. As with Flux (kustomize's
// PluginRestrictionsBuiltinsOnly, helm off) every other plugin is refused with kustomize's own errors.
import * as path from 'node:path';
import type { FieldSpec } from './field-specs.ts';
import { runGenerators } from './generators.ts';
import { hashResource } from './hash.ts';
import type { Loader } from './loader.ts';
import type { TypeInfoLookup } from './openapi.ts';
import { previousIdsHook, runPatches, runReplacements } from './patch-resources.ts';
import { selectTargets, type Selector } from './patches/index.ts';
import {
  gvkOf,
  idOf,
  idString,
  isMap,
  KustomizeError,
  newResource,
  parseYamlStream,
  type KObject,
  type Resource,
} from './resource.ts';
import { sortResources } from './sort.ts';
import {
  applyAffixTransformer,
  applyImageTag,
  applyNamespaceTransformer,
  applyReplicaCount,
  setMapEntries,
  toFieldSpec,
  toStringMap,
} from './transformers.ts';
import type { YamlValue } from './yaml-emit.ts';

/** What a plugin may use of the kustomization that configures it. */
export interface PluginHelpers {
  /** Loader of the kustomization whose `generators`/`transformers`/`validators` list the config. */
  ldr: Loader;
  /** Strategic-merge facts of the build's `openapi` schema, if any. */
  typeInfoFor?: TypeInfoLookup;
}

/** A configured builtin generator. */
export interface PluginGenerator {
  /** Generates resources (absorbed with their `behavior` by the caller). */
  generate(): Resource[];
}

/** A configured builtin transformer. */
export interface PluginTransformer {
  /** Transforms the resources in place or returns the new list (patches may delete resources). */
  transform(resources: Resource[]): Resource[];
}

/** The apiVersion kustomize requires of builtin plugin configs (konfig.BuiltinPluginApiVersion). */
export const BUILTIN_PLUGIN_API_VERSION = 'builtin';

const GENERATOR_KINDS = new Set([
  'ConfigMapGenerator',
  'SecretGenerator',
  'IAMPolicyGenerator',
  'HelmChartInflationGenerator',
]);

const TRANSFORMER_KINDS = new Set([
  'AnnotationsTransformer',
  'HashTransformer',
  'ImageTagTransformer',
  'LabelTransformer',
  'NamespaceTransformer',
  'PatchJson6902Transformer',
  'PatchStrategicMergeTransformer',
  'PatchTransformer',
  'PrefixSuffixTransformer',
  'PrefixTransformer',
  'ReplacementTransformer',
  'ReplicaCountTransformer',
  'SuffixTransformer',
  'ValueAddTransformer',
]);

const str = (v: YamlValue | undefined): string => (v === undefined || v === null ? '' : String(v));

function fieldSpecs(cfg: KObject): FieldSpec[] {
  return Array.isArray(cfg['fieldSpecs']) ? cfg['fieldSpecs'].filter(isMap).map(toFieldSpec) : [];
}

/** kustomize's Gvk.String(): `Kind.version.group` with placeholders for empty parts. */
function gvkString(cfg: KObject): string {
  const g = gvkOf(cfg);
  return `${g.kind || '[noKind]'}.${g.version || '[noVer]'}.${g.group || '[noGrp]'}`;
}

/** Checks that `cfg` names a builtin plugin kustomize would load, with kustomize's errors otherwise. */
function builtinKind(cfg: KObject): string {
  const kind = str(cfg['kind']);
  if (cfg['apiVersion'] !== BUILTIN_PLUGIN_API_VERSION) {
    // exec and Go plugins, KRM functions (config.kubernetes.io/function): kustomize's PluginRestrictionsBuiltinsOnly
    throw new KustomizeError(`external plugins disabled; unable to load external plugin '${kind}'`);
  }
  if (!GENERATOR_KINDS.has(kind) && !TRANSFORMER_KINDS.has(kind)) {
    throw new KustomizeError(`unable to load builtin ${gvkString(cfg)}`);
  }
  return kind;
}

function configError(cfg: KObject, err: unknown): KustomizeError {
  return new KustomizeError(`plugin ${idString(idOf(cfg))} fails configuration: ${(err as Error).message}`, {
    cause: err,
  });
}

/** Configures a builtin generator from its config object (kustomize's LoadGenerator). */
export function configureGenerator(cfg: KObject, h: PluginHelpers): PluginGenerator {
  const kind = builtinKind(cfg);
  const gen = configure(cfg, () => configureGeneratorKind(kind, cfg, h));
  if (!gen) throw new KustomizeError(`plugin ${idString(idOf(cfg))} not a generator`);
  return gen;
}

/** Configures a builtin transformer from its config object (kustomize's LoadTransformer). */
export function configureTransformer(cfg: KObject, h: PluginHelpers): PluginTransformer {
  const kind = builtinKind(cfg);
  if (GENERATOR_KINDS.has(kind)) {
    configure(cfg, () => configureGeneratorKind(kind, cfg, h));
    throw new KustomizeError(`plugin ${idString(idOf(cfg))} not a transformer`);
  }
  return configure(cfg, () => configureTransformerKind(kind, cfg, h));
}

function configure<T>(cfg: KObject, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw configError(cfg, err);
  }
}

function configureGeneratorKind(kind: string, cfg: KObject, h: PluginHelpers): PluginGenerator | undefined {
  const md = isMap(cfg['metadata']) ? cfg['metadata'] : {};
  switch (kind) {
    case 'ConfigMapGenerator':
    case 'SecretGenerator': {
      // the generator arguments sit at the top level; name and namespace default to the config's metadata
      const entry: KObject = { ...cfg };
      if (str(entry['name']) === '') entry['name'] = str(md['name']);
      if (str(entry['namespace']) === '' && str(md['namespace']) !== '') entry['namespace'] = str(md['namespace']);
      const field = kind === 'ConfigMapGenerator' ? 'configMapGenerator' : 'secretGenerator';
      return { generate: () => runGenerators(h.ldr, { [field]: [entry] }) };
    }
    case 'IAMPolicyGenerator':
      return { generate: () => [newResource(iamPolicy(cfg))] };
    case 'HelmChartInflationGenerator':
      // Flux runs kustomize without --enable-helm
      throw new KustomizeError('must specify --enable-helm');
    default:
      return undefined;
  }
}

/** IAMPolicyGenerator: a GKE workload-identity ServiceAccount. */
function iamPolicy(cfg: KObject): KObject {
  const cloud = str(cfg['cloud']);
  if (cloud !== 'gke') throw new KustomizeError(`cloud provider ${cloud} not supported yet`);
  const ks = isMap(cfg['kubernetesService']) ? cfg['kubernetesService'] : {};
  const sa = isMap(cfg['serviceAccount']) ? cfg['serviceAccount'] : {};
  const metadata: KObject = {
    annotations: {
      'iam.gke.io/gcp-service-account': `${str(sa['name'])}@${str(sa['projectId'])}.iam.gserviceaccount.com`,
    },
    name: str(ks['name']),
  };
  if (str(ks['namespace']) !== '') metadata['namespace'] = str(ks['namespace']);
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata };
}

function configureTransformerKind(kind: string, cfg: KObject, h: PluginHelpers): PluginTransformer {
  const specs = fieldSpecs(cfg);
  const each = (f: (resources: Resource[]) => void): PluginTransformer => ({
    transform: (resources) => {
      f(resources);
      return resources;
    },
  });
  switch (kind) {
    case 'AnnotationsTransformer':
    case 'LabelTransformer': {
      const entries = toStringMap(cfg[kind === 'LabelTransformer' ? 'labels' : 'annotations']);
      return each((rs) => {
        if (Object.keys(entries).length > 0) setMapEntries(rs, entries, specs);
      });
    }
    case 'ImageTagTransformer': {
      const img = isMap(cfg['imageTag']) ? cfg['imageTag'] : {};
      return each((rs) => applyImageTag(rs, img, specs));
    }
    case 'NamespaceTransformer': {
      const md = isMap(cfg['metadata']) ? cfg['metadata'] : {};
      const mode = str(cfg['setRoleBindingSubjects']);
      if (mode !== '' && mode !== 'defaultOnly' && mode !== 'none' && mode !== 'allServiceAccounts') {
        throw new KustomizeError(
          `invalid value "${mode}" for setRoleBindingSubjects: must be one of "defaultOnly", "none" or "allServiceAccounts"`,
        );
      }
      const opts = { unsetOnly: cfg['unsetOnly'] === true, setRoleBindingSubjects: mode };
      return each((rs) => applyNamespaceTransformer(rs, str(md['namespace']), specs, opts));
    }
    case 'PrefixSuffixTransformer':
    case 'PrefixTransformer':
    case 'SuffixTransformer': {
      const prefix = kind === 'SuffixTransformer' ? '' : str(cfg['prefix']);
      const suffix = kind === 'PrefixTransformer' ? '' : str(cfg['suffix']);
      return each((rs) => applyAffixTransformer(rs, prefix, suffix, specs));
    }
    case 'ReplicaCountTransformer': {
      const rep = isMap(cfg['replica']) ? cfg['replica'] : {};
      return each((rs) => applyReplicaCount(rs, rep, specs));
    }
    case 'PatchTransformer': {
      const patch = str(cfg['patch']).trim();
      const p = str(cfg['path']);
      if (patch === '' && p === '') throw new KustomizeError('must specify one of patch and path');
      if (patch !== '' && p !== '') throw new KustomizeError("patch and path can't be set at the same time");
      const prefix = `plugin ${idString(idOf(cfg))} fails configuration: `;
      const entry: KObject = { ...(p ? { path: p } : { patch }) };
      if (cfg['target'] !== undefined) entry['target'] = cfg['target'];
      if (cfg['options'] !== undefined) entry['options'] = cfg['options'];
      return { transform: (rs) => runPatches(h.typeInfoFor, h.ldr, { patches: [entry] }, rs, 'sm+patches', prefix) };
    }
    case 'PatchStrategicMergeTransformer': {
      const paths = Array.isArray(cfg['paths']) ? cfg['paths'].map(str) : [];
      const patches = str(cfg['patches']);
      if (paths.length === 0 && patches === '') throw new KustomizeError('empty file path and empty patch content');
      const list = [...paths, ...(patches ? [patches] : [])];
      return {
        transform: (rs) => runPatches(h.typeInfoFor, h.ldr, { patchesStrategicMerge: list }, rs, 'sm+patches'),
      };
    }
    case 'PatchJson6902Transformer': {
      const p = str(cfg['path']);
      const op = str(cfg['jsonOp']);
      if (p === '' && op === '') throw new KustomizeError('empty file path and empty jsonOp');
      if (p !== '' && op !== '') throw new KustomizeError('must specify a file path or jsonOp, not both');
      const entry: KObject = { ...(p ? { path: p } : { patch: op }) };
      if (cfg['target'] !== undefined) entry['target'] = cfg['target'];
      return {
        transform: (rs) => {
          if (!isMap(cfg['target'])) throw new KustomizeError(`must specify a target for patch ${op}`);
          return runPatches(h.typeInfoFor, h.ldr, { patchesJson6902: [entry] }, rs, 'json6902');
        },
      };
    }
    case 'ReplacementTransformer': {
      const reps = Array.isArray(cfg['replacements']) ? cfg['replacements'] : [];
      for (const r of reps) {
        if (isMap(r) && str(r['path']) !== '' && (r['source'] !== undefined || r['targets'] !== undefined)) {
          throw new KustomizeError('cannot specify both path and inline replacement');
        }
      }
      return each((rs) => runReplacements(h.ldr, { replacements: reps }, rs));
    }
    case 'HashTransformer':
      return each((rs) => {
        for (const r of rs) {
          if (!r.needsHash) continue;
          const hash = hashResource(r.obj);
          r.prevIds.push(idOf(r.obj));
          const m = r.obj['metadata'] as KObject;
          m['name'] = `${str(m['name'])}-${hash}`;
        }
      });
    case 'SortOrderTransformer': {
      const so = cfg['sortOptions'];
      if (!isMap(so)) return { transform: (rs) => rs };
      const opts: KObject = { ...so, order: str(so['order']) || 'legacy' };
      // validate now, as kustomize's Config does
      sortResources([], opts);
      return { transform: (rs) => sortResources(rs, opts) };
    }
    case 'ValueAddTransformer':
      return valueAdd(cfg, h);
    default:
      throw new KustomizeError(`unable to load builtin ${gvkString(cfg)}`);
  }
}

interface ValueAddTarget {
  selector?: Selector;
  fieldPath: string;
  filePathPosition: number;
}

/** ValueAddTransformer: sets `value` at each target's field path (in a file path at `filePathPosition`). */
function valueAdd(cfg: KObject, h: PluginHelpers): PluginTransformer {
  const value = str(cfg['value']).trim() || path.basename(h.ldr.root);
  const raw: YamlValue[] = Array.isArray(cfg['targets']) ? [...cfg['targets']] : [];
  const tfp = str(cfg['targetFilePath']);
  if (tfp !== '') {
    const doc = parseYamlStream(h.ldr.readText(tfp), path.resolve(h.ldr.root, tfp))[0];
    if (isMap(doc) && Array.isArray(doc['targets'])) raw.push(...doc['targets']);
  }
  if (raw.length === 0) throw new KustomizeError('must specify at least one target');
  const targets: ValueAddTarget[] = raw.filter(isMap).map((t) => ({
    selector: isMap(t['selector']) ? (toStringMap(t['selector']) as Selector) : undefined,
    fieldPath: str(t['fieldPath']),
    filePathPosition: typeof t['filePathPosition'] === 'number' ? t['filePathPosition'] : 0,
  }));
  for (const t of targets) {
    if (t.fieldPath === '') throw new KustomizeError('fieldPath cannot be empty');
    if (t.filePathPosition < 0) {
      throw new KustomizeError(`value of FilePathPosition (${t.filePathPosition}) cannot be negative`);
    }
  }
  return {
    transform: (rs) => {
      for (const t of targets) {
        const chosen = t.selector
          ? new Set(
              selectTargets(
                rs.map((r) => r.obj),
                t.selector,
                previousIdsHook(rs),
              ),
            )
          : undefined;
        for (const r of rs) {
          if (chosen && !chosen.has(r.obj)) continue;
          if (t.fieldPath === 'metadata/namespace') {
            // kustomize's namespace filter with no field specs: metadata.namespace and default RoleBinding subjects
            applyNamespaceTransformer([r], value, []);
            continue;
          }
          setValueAt(r.obj, t, value);
        }
      }
      return rs;
    },
  };
}

/** valueadd.Filter: LookupCreate along the path ('\/' escapes a slash), then set the scalar. */
function setValueAt(obj: KObject, t: ValueAddTarget, value: string): void {
  const fields: string[] = [];
  for (const f of t.fieldPath.split('/')) {
    const last = fields[fields.length - 1];
    if (last !== undefined && last.endsWith('\\')) fields[fields.length - 1] = `${last.slice(0, -1)}/${f}`;
    else fields.push(f);
  }
  let node: KObject = obj;
  for (let i = 0; i < fields.length - 1; i++) {
    const f = fields[i] as string;
    let next = node[f];
    if (next === undefined || next === null) {
      next = {};
      node[f] = next;
    }
    // kyaml's PathGetter: a sequence is entered by index or `[key=value]`
    if (Array.isArray(next) && i + 1 < fields.length - 1) {
      const el = seqElement(next, fields[i + 1] as string);
      if (!isMap(el)) return;
      i++;
      node = el;
      continue;
    }
    if (!isMap(next)) throw new KustomizeError(`wrong node kind: expected MappingNode but got ${nodeKind(next)}`);
    node = next;
  }
  const key = fields[fields.length - 1] as string;
  const cur = node[key];
  if (isMap(cur) || Array.isArray(cur)) {
    throw new KustomizeError(`wrong node kind: expected ScalarNode but got ${nodeKind(cur)}`);
  }
  node[key] = t.filePathPosition > 0 ? insertPathPart(str(cur), t.filePathPosition - 1, value) : value;
}

function nodeKind(v: YamlValue | undefined): string {
  return Array.isArray(v) ? 'SequenceNode' : isMap(v) ? 'MappingNode' : 'ScalarNode';
}

function seqElement(seq: YamlValue[], f: string): YamlValue | undefined {
  if (/^\d+$/.test(f)) return seq[Number(f)];
  const m = /^\[([^=]+)=(.*)\]$/.exec(f);
  if (!m) return undefined;
  return seq.find((el) => isMap(el) && str(el[m[1] as string]) === m[2]);
}

/** kyaml's filesys.InsertPathPart: inserts `part` at position `pos` of a slash path, keeping it absolute. */
function insertPathPart(p: string, pos: number, part: string): string {
  const parts = p.split('/').filter((x) => x !== '');
  parts.splice(Math.min(Math.max(pos, 0), parts.length), 0, part);
  return `${p.startsWith('/') ? '/' : ''}${parts.join('/')}`;
}
