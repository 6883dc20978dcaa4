/** kustomize's `patches` entries (PatchTransformer) and the legacy `patchesStrategicMerge` / `patchesJson6902`. */
import { parseAllDocuments } from 'yaml';
import type { Json6902Op } from './json6902.ts';
import type { SmpTypeInfo } from './type-info.ts';
import { applyJson6902, toJson6902Ops } from './json6902.ts';
import type { ResId, SelectOptions, Selector } from './selector.ts';
import { compileSelector, effectiveNamespace, resIdOf } from './selector.ts';
import type { KObject } from '../resource.ts';
import { applyStrategicMerge } from './strategic-merge.ts';

/** One entry of `patches:`. `patch` is the inline text (or the content of `path`, loaded by the caller). */
export interface PatchEntry {
  patch: string;
  target?: Selector;
  options?: { allowNameChange?: boolean; allowKindChange?: boolean };
}

/** A parsed patch: strategic-merge documents or RFC 6902 operations. */
export type ParsedPatch = { type: 'strategic-merge'; patches: KObject[] } | { type: 'json6902'; ops: Json6902Op[] };

/** Options of {@link applyPatchEntry}. */
export interface ApplyPatchOptions extends SelectOptions {
  /** Where the patch came from (a file path), for error messages. */
  source?: string;
  /** Strategic-merge facts per kind (default: the built-in table); e.g. from a custom OpenAPI schema. */
  typeInfoFor?: (apiVersion: string, kind: string) => SmpTypeInfo;
}

const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a patch and detects its type like kustomize: a YAML/JSON list is a JSON 6902 patch, one or more
 * YAML mappings are strategic-merge patches.
 */
export const parsePatch = (text: string, source = 'inline patch'): ParsedPatch => {
  let docs: unknown[];
  try {
    const parsed = parseAllDocuments(text);
    if (!Array.isArray(parsed)) throw new Error('empty document');
    docs = [];
    for (const d of parsed) {
      if (d.errors.length > 0) throw d.errors[0] as Error;
      const v: unknown = d.toJS();
      if (v !== null && v !== undefined) docs.push(v);
    }
  } catch (err) {
    throw new Error(`failed to parse patch ${source}: ${(err as Error).message}`, { cause: err });
  }
  // kustomize reads a patch starting with `[` as JSON only (a YAML flow list fails both parsers)
  if (text.trimStart().startsWith('[')) {
    try {
      return { type: 'json6902', ops: toJson6902Ops(JSON.parse(text)) };
    } catch (err) {
      throw new Error(`unable to parse SM or JSON patch from ${source}`, { cause: err });
    }
  }
  if (docs.length === 1 && Array.isArray(docs[0])) return { type: 'json6902', ops: toJson6902Ops(docs[0]) };
  if (docs.length === 0 || !docs.every(isObject)) throw new Error(`unable to parse SM or JSON patch from ${source}`);
  return { type: 'strategic-merge', patches: docs };
};

const metaOf = (r: KObject): KObject => (isObject(r['metadata']) ? r['metadata'] : {});

const setMeta = (r: KObject, field: 'name' | 'namespace', value: string): KObject => {
  const meta = { ...metaOf(r) };
  if (value === '') delete meta[field];
  else meta[field] = value;
  return { ...r, metadata: meta };
};

/** kustomize's ResId string, e.g. `Deployment.v1.apps/web.[noNs]`. */
const idString = (id: ResId): string =>
  `${id.kind || '[noKind]'}.${id.version || '[noVer]'}.${id.group || '[noGrp]'}/${id.name || '[noName]'}.${id.namespace || '[noNs]'}`;

/** kustomize rewrites annotations after a patch, and an empty annotations map disappears. */
const dropEmptyAnnotations = (r: KObject | null): KObject | null => {
  if (r === null) return r;
  const meta = metaOf(r);
  const ann = meta['annotations'];
  if (!isObject(ann) || Object.keys(ann).length > 0) return r;
  const rest = { ...meta };
  delete rest['annotations'];
  return { ...r, metadata: rest };
};

/** Merges one SMP document into one resource with kustomize's `Resource.ApplySmPatch` rules. */
const applySmpTo = (
  target: KObject,
  patch: KObject,
  entry: PatchEntry,
  typeInfoFor?: ApplyPatchOptions['typeInfoFor'],
): KObject | null => {
  const id = resIdOf(target);
  const copy: KObject = { ...patch };
  const apiVersion = target['apiVersion'];
  if (apiVersion === undefined) delete copy['apiVersion'];
  else copy['apiVersion'] = apiVersion;
  const typeInfo = typeInfoFor?.(String(target['apiVersion'] ?? ''), String(target['kind'] ?? ''));
  const merged = applyStrategicMerge(target, copy, typeInfo ? { typeInfo } : {});
  if (merged === null) return null;
  let out = merged;
  if (!entry.options?.allowKindChange) out = { ...out, kind: id.kind };
  if (!entry.options?.allowNameChange) out = setMeta(out, 'name', id.name);
  return dropEmptyAnnotations(setMeta(out, 'namespace', id.namespace));
};

/** Resources whose current or previous id equals the patch's (kustomize's `GetById`). */
const findById = (resources: readonly KObject[], patch: KObject, options: SelectOptions): number[] => {
  const want = resIdOf(patch);
  const hits: number[] = [];
  resources.forEach((r, i) => {
    const ids = [resIdOf(r), ...(options.previousIds?.(r) ?? [])];
    const ok = ids.some(
      (id) =>
        id.group === want.group &&
        id.version === want.version &&
        id.kind === want.kind &&
        id.name === want.name &&
        effectiveNamespace(id, options) === effectiveNamespace(want, options),
    );
    if (ok) hits.push(i);
  });
  return hits;
};

/**
 * Applies one `patches:` entry to the resources and returns the new list (input untouched; resources a patch
 * deletes are dropped). Strategic-merge patches without a target apply to the resource with their own id;
 * JSON 6902 patches need a target; a target selecting nothing is not an error (as in kustomize).
 */
export const applyPatchEntry = (
  resources: readonly KObject[],
  entry: PatchEntry,
  options: ApplyPatchOptions = {},
): KObject[] => {
  const parsed = parsePatch(entry.patch, options.source ?? 'inline patch');
  let out: (KObject | null)[] = [...resources];
  // previousIds is keyed by the caller's objects: remember the original of every patched copy
  const originals = new Map<KObject, KObject>(resources.map((r) => [r, r]));
  const callerPrev = options.previousIds;
  const track = (from: KObject, to: KObject | null): KObject | null => {
    if (to !== null && to !== from) originals.set(to, originals.get(from) ?? from);
    return to;
  };
  options = callerPrev ? { ...options, previousIds: (r) => callerPrev(originals.get(r) ?? r) } : options;
  if (parsed.type === 'json6902') {
    if (entry.target === undefined)
      throw new Error(
        `must specify a target for JSON patch [${options.source ? `path: ${JSON.stringify(options.source)}` : `patch: ${JSON.stringify(entry.patch)}`}]`,
      );
    const sel = compileSelector(entry.target, options);
    out = out.map((r) =>
      r !== null && sel.matches(r) ? track(r, dropEmptyAnnotations(applyJson6902(r, parsed.ops))) : r,
    );
    return out.filter((r): r is KObject => r !== null);
  }
  if (entry.target === undefined) {
    for (const patch of parsed.patches) {
      const live = out.filter((r): r is KObject => r !== null);
      const hits = findById(live, patch, options);
      const id = idString(resIdOf(patch));
      if (hits.length === 0)
        throw new Error(
          `no resource matches strategic merge patch "${id}": no matches for Id ${id}; failed to find unique target for patch ${id}`,
        );
      if (hits.length > 1)
        throw new Error(`multiple matches for Id ${id}; failed to find unique target for patch ${id}`);
      const target = live[hits[0] as number] as KObject;
      out = out.map((r) => (r === target ? track(r, applySmpTo(r, patch, entry, options.typeInfoFor)) : r));
    }
    return out.filter((r): r is KObject => r !== null);
  }
  const sel = compileSelector(entry.target, options);
  out = out.map((r) => {
    if (r === null || !sel.matches(r)) return r;
    let cur: KObject | null = r;
    for (const patch of parsed.patches) {
      if (cur === null) break;
      cur = track(cur, applySmpTo(cur, patch, entry, options.typeInfoFor));
    }
    return cur;
  });
  return out.filter((r): r is KObject => r !== null);
};

/** One legacy `patchesJson6902` entry: an exact target and the operations (inline `patch` or loaded `path`). */
export interface LegacyJson6902Entry {
  target: { group?: string; version?: string; kind?: string; name?: string; namespace?: string };
  patch: string;
}

/** Converts legacy `patchesStrategicMerge` items (inline text or loaded file content) to `patches:` entries. */
export const fromPatchesStrategicMerge = (items: readonly string[]): PatchEntry[] => items.map((patch) => ({ patch }));

/** Converts legacy `patchesJson6902` items to `patches:` entries with a target. */
export const fromPatchesJson6902 = (items: readonly LegacyJson6902Entry[]): PatchEntry[] =>
  items.map((item) => ({ patch: item.patch, target: { ...item.target } }));
