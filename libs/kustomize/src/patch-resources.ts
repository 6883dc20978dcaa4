// Patches and replacements on the build's resource wrappers (keeping their previous ids), shared by the
// field-derived transformers (patches, patchesStrategicMerge, patchesJson6902, replacements) and the builtin plugins.
import * as path from 'node:path';
import type { Loader } from './loader.ts';
import type { TypeInfoLookup } from './openapi.ts';
import {
  applyPatchEntry,
  parsePatch,
  fromPatchesJson6902,
  fromPatchesStrategicMerge,
  type PatchEntry,
  type ResId as SelResId,
  type SelectOptions,
} from './patches/index.ts';
import { applyReplacements, type Replacement } from './replacements/index.ts';
import { idOf, isMap, KustomizeError, parseYamlStream, type KObject, type ResId, type Resource } from './resource.ts';
import { emitDocument, type YamlValue } from './yaml-emit.ts';

function str(v: YamlValue | undefined): string {
  return v === undefined || v === null ? '' : String(v);
}

/** Two resource ids are the same (an empty namespace is `default`). */
export function sameId(a: ResId, b: ResId): boolean {
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.kind === b.kind &&
    a.name === b.name &&
    (a.namespace || 'default') === (b.namespace || 'default')
  );
}

/** Selection hooks that let selectors match a resource's earlier ids. */
export function previousIdsHook(resources: Resource[]): SelectOptions {
  const byObj = new Map<object, Resource>(resources.map((r) => [r.obj, r]));
  return {
    previousIds: (o): readonly SelResId[] => byObj.get(o)?.prevIds ?? [],
  };
}

/** Applies a `patches` entry to the resource wrappers, keeping their bookkeeping. */
export function patchResources(
  resources: Resource[],
  entry: PatchEntry,
  source: string | undefined,
  typeInfoFor: TypeInfoLookup | undefined,
): Resource[] {
  const opts = { ...previousIdsHook(resources), source, typeInfoFor };
  if (entry.target) {
    const out: Resource[] = [];
    for (const r of resources) {
      const res = applyPatchEntry([r.obj], entry, opts);
      const obj = res[0];
      if (!obj) continue;
      trackPatchedId(r, obj);
      out.push(r);
    }
    return out;
  }
  const objs = resources.map((r) => r.obj);
  const res = applyPatchEntry(objs, entry, opts);
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
  r.obj = obj;
}

/** The text of a patch entry: its `path` file, its inline `patch`, or a legacy file/inline string. */
export function loadPatchText(ldr: Loader, p: KObject | string, prefix?: string): { text: string; source?: string } {
  if (typeof p === 'string') {
    // legacy patchesStrategicMerge: a file path or an inline patch
    if (!p.includes('\n') && !p.trim().startsWith('{') && !p.includes(': ')) {
      return { text: ldr.readText(p), source: p };
    }
    return { text: p };
  }
  if (typeof p['path'] === 'string' && p['path'] !== '') {
    try {
      return { text: ldr.readText(p['path']), source: p['path'] };
    } catch (err) {
      throw new KustomizeError(
        `${prefix ?? patchConfigPrefix(p)}failed to get the patch file from path(${p['path']}): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return { text: str(p['patch']) };
}

/** kustomize's prefix for PatchTransformer configuration errors: the entry as YAML (`path` entries only). */
export function patchConfigPrefix(p: KObject): string {
  // go-yaml of kustomize's types.Patch: fields in struct order, the target's too
  let yaml = '';
  for (const f of ['path', 'patch'] as const) {
    if (p[f] !== undefined && p[f] !== null && p[f] !== '') yaml += emitDocument({ [f]: p[f] as YamlValue });
  }
  const t = p['target'];
  if (isMap(t)) {
    yaml += 'target:\n';
    for (const k of ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector']) {
      if (t[k] !== undefined && t[k] !== null && t[k] !== '') yaml += `  ${emitDocument({ [k]: t[k] as YamlValue })}`;
    }
  }
  if (isMap(p['options'])) yaml += emitDocument({ options: p['options'] }).replace(/^/gm, '').trimEnd() + '\n';
  return `trouble configuring builtin PatchTransformer with config: \`\n${yaml}\`: `;
}

/** A patch `target` as a selector of strings. */
export function asSelector(v: YamlValue | undefined): PatchEntry['target'] {
  if (!isMap(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined) out[k] = String(val);
  return out;
}

/** Runs a kustomization's patches: `patchesStrategicMerge` + `patches`, or `patchesJson6902`. */
export function runPatches(
  ti: TypeInfoLookup | undefined,
  ldr: Loader,
  kust: KObject,
  resources: Resource[],
  which: 'sm+patches' | 'json6902',
  /** Error prefix of a PatchTransformer plugin (default: the kustomization field's). */
  prefix?: string,
): Resource[] {
  let list = resources;
  if (which === 'sm+patches') {
    for (const p of Array.isArray(kust['patchesStrategicMerge']) ? kust['patchesStrategicMerge'] : []) {
      if (typeof p !== 'string') continue;
      const { text, source } = loadPatchText(ldr, p, prefix);
      for (const e of fromPatchesStrategicMerge([text])) {
        try {
          list = patchResources(list, e, source, ti);
        } catch (err) {
          // the legacy field reports the resource-map error without the PatchTransformer's prefix
          const msg = (err as Error).message.replace(/^no resource matches strategic merge patch "[^"]*": /, '');
          throw new KustomizeError(msg, { cause: err });
        }
      }
    }
    for (const p of Array.isArray(kust['patches']) ? kust['patches'] : []) {
      if (!isMap(p)) continue;
      const { text, source } = loadPatchText(ldr, p, prefix);
      const options = isMap(p['options'])
        ? {
            allowNameChange: p['options']['allowNameChange'] === true,
            allowKindChange: p['options']['allowKindChange'] === true,
          }
        : undefined;
      // an unparsable patch: kustomize names the entry, not the YAML error
      try {
        parsePatch(text, source);
      } catch (err) {
        const from = source !== undefined ? `path: "${source}"` : `patch: ${JSON.stringify(text)}`;
        throw new KustomizeError(`${prefix ?? patchConfigPrefix(p)}unable to parse SM or JSON patch from [${from}]`, {
          cause: err,
        });
      }
      list = patchResources(list, { patch: text, target: asSelector(p['target']), options }, source, ti);
    }
    return list;
  }
  for (const p of Array.isArray(kust['patchesJson6902']) ? kust['patchesJson6902'] : []) {
    if (!isMap(p)) continue;
    const { text, source } = loadPatchText(ldr, p, prefix);
    const target = (asSelector(p['target']) ?? {}) as {
      group?: string;
      version?: string;
      kind?: string;
      name?: string;
      namespace?: string;
    };
    for (const e of fromPatchesJson6902([{ target, patch: text }])) list = patchResources(list, e, source, ti);
  }
  return list;
}

/** Runs a kustomization's `replacements` (inline or `path` entries). */
export function runReplacements(ldr: Loader, kust: KObject, resources: Resource[]): void {
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
  );
  resources.forEach((r, i) => (r.obj = out[i] as KObject));
}
