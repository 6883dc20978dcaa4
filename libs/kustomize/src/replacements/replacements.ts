/** kustomize `replacements` (api/filters/replacement) on plain resource objects. */
import type { ResId, ResIdSelector, SelectOptions, Selector } from '../patches/index.ts';
import type { KObject } from '../resource.ts';
import { compileSelector, effectiveNamespace, resIdOf } from '../patches/index.ts';
import type { CreateKind } from './field-path.ts';
import { matchFieldPath, splitFieldPath } from './field-path.ts';

/** `options` of a replacement source or target. */
export interface ReplacementFieldOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

/** `source` of a replacement: an exact resource id plus the field to copy (default `metadata.name`). */
export interface ReplacementSource extends ResIdSelector {
  fieldPath?: string;
  options?: ReplacementFieldOptions;
}

/** One `targets` entry. `select`/`reject` id fields match exactly, as in kustomize v5.5. */
export interface ReplacementTarget {
  select?: Selector;
  reject?: Selector[];
  fieldPaths?: string[];
  options?: ReplacementFieldOptions;
}

/** One `replacements` entry (inline; a `path:` entry is loaded by the caller). */
export interface Replacement {
  source?: ReplacementSource;
  targets?: ReplacementTarget[];
}

const DEFAULT_FIELD_PATH = 'metadata.name';

const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** kustomize's ResId string, e.g. `ConfigMap.[noVer].[noGrp]/settings.[noNs]`. */
const fmtSource = (s: ReplacementSource): string =>
  `${s.kind || '[noKind]'}.${s.version || '[noVer]'}.${s.group || '[noGrp]'}/${s.name || '[noName]'}.${s.namespace || '[noNs]'}`;

const scalarText = (v: unknown): string => (typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v));

/** kustomize's exact `ResId.IsSelectedBy` for sources (no regexes). */
const idSelectedBy = (id: ResId, sel: ResIdSelector, options: SelectOptions): boolean =>
  (!sel.name || sel.name === id.name) &&
  (!sel.namespace ||
    effectiveNamespace({ ...id, namespace: sel.namespace }, options) === effectiveNamespace(id, options)) &&
  (!sel.group || sel.group === id.group) &&
  (!sel.version || sel.version === id.version) &&
  (!sel.kind || sel.kind === id.kind);

const selectSource = (resources: readonly KObject[], source: ReplacementSource, options: SelectOptions): KObject => {
  const matches = resources.filter((r) =>
    [resIdOf(r), ...(options.previousIds?.(r) ?? [])].some((id) => idSelectedBy(id, source, options)),
  );
  if (matches.length > 1)
    throw new Error(`multiple matches for selector ${fmtSource(source)}:${source.fieldPath ?? ''}`);
  const hit = matches[0];
  if (hit === undefined) throw new Error(`nothing selected by ${fmtSource(source)}:${source.fieldPath ?? ''}`);
  return hit;
};

const sourceValue = (resources: readonly KObject[], source: ReplacementSource, options: SelectOptions): unknown => {
  const node = selectSource(resources, source, options);
  const fieldPath = source.fieldPath ?? DEFAULT_FIELD_PATH;
  const refs = matchFieldPath(node, splitFieldPath(fieldPath));
  const ref = refs[0];
  const value = ref === undefined ? undefined : (ref.parent as Record<string | number, unknown>)[ref.key];
  if (value === undefined)
    throw new Error(`fieldPath \`${fieldPath}\` is missing for replacement source ${fmtSource(source)}`);
  const opts = source.options;
  if (opts === undefined || !opts.delimiter) return structuredClone(value);
  if (isObject(value) || Array.isArray(value)) throw new Error('delimiter option can only be used with scalar nodes');
  const parts = scalarText(value).split(opts.delimiter);
  const index = opts.index ?? 0;
  if (index < 0 || index >= parts.length)
    throw new Error(`options.index ${index} is out of bounds for value ${scalarText(value)}`);
  return parts[index];
};

/** kyaml keeps a scalar target's tag and only copies the text: convert the value to the target's JS type. */
const asTargetType = (current: unknown, text: string): unknown => {
  if (typeof current === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (typeof current === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
};

const kindOf = (v: unknown): CreateKind => (isObject(v) ? 'map' : Array.isArray(v) ? 'list' : 'scalar');

const setValue = (
  slot: Record<string | number, unknown>,
  key: string | number,
  value: unknown,
  opts: ReplacementFieldOptions | undefined,
): void => {
  const current = slot[key];
  let v: unknown = structuredClone(value);
  if (opts?.delimiter) {
    if (isObject(current) || Array.isArray(current))
      throw new Error('delimiter option can only be used with scalar nodes');
    const parts = scalarText(current).split(opts.delimiter);
    const text = scalarText(v);
    const index = opts.index ?? 0;
    if (index < 0) parts.unshift(text);
    else if (index >= parts.length) parts.push(text);
    else parts[index] = text;
    v = parts.join(opts.delimiter);
  }
  if (
    current !== null &&
    current !== undefined &&
    !isObject(current) &&
    !Array.isArray(current) &&
    !isObject(v) &&
    !Array.isArray(v)
  ) {
    slot[key] = asTargetType(current, scalarText(v));
    return;
  }
  slot[key] = v;
};

const copyToTarget = (resource: KObject, value: unknown, target: ReplacementTarget): void => {
  for (const fp of target.fieldPaths ?? [DEFAULT_FIELD_PATH]) {
    const create = target.options?.create ? kindOf(value) : undefined;
    const refs = matchFieldPath(resource, splitFieldPath(fp), create, true);
    if (refs.length === 0)
      throw new Error(
        create
          ? `unable to find or create field "${fp}" in replacement target`
          : `unable to find field "${fp}" in replacement target`,
      );
    for (const ref of refs) setValue(ref.parent as Record<string | number, unknown>, ref.key, value, target.options);
  }
};

/**
 * Applies `replacements` in order and returns new resources (inputs untouched). Sources are selected by exact
 * id (exactly one must match); targets by exact `select` ids minus `reject`, and label and annotation selectors.
 */
export const applyReplacements = (
  resources: readonly KObject[],
  replacements: readonly Replacement[],
  options: SelectOptions = {},
): KObject[] => {
  const out = resources.map((r) => structuredClone(r));
  // previousIds is keyed by the caller's objects: look ids up through the originals of our copies
  const originals = new Map<KObject, KObject>(out.map((c, i) => [c, resources[i] as KObject]));
  const callerPrev = options.previousIds;
  options = callerPrev ? { ...options, previousIds: (r) => callerPrev(originals.get(r) ?? r) } : options;
  for (const r of replacements) {
    if (r.source === undefined) throw new Error('replacement source must be specified');
    const value = sourceValue(out, r.source, options);
    for (const t of r.targets ?? []) {
      if (t.select === undefined) throw new Error('target must specify resources to select');
      const select = t.select;
      const selectMeta = compileSelector(
        { labelSelector: select.labelSelector, annotationSelector: select.annotationSelector },
        options,
      );
      const rejectMeta = (t.reject ?? [])
        .filter((s) => s.labelSelector || s.annotationSelector)
        .map((s) =>
          compileSelector({ labelSelector: s.labelSelector, annotationSelector: s.annotationSelector }, options),
        );
      const rejectIds = (t.reject ?? []).filter((s) =>
        [s.group, s.version, s.kind, s.name, s.namespace].some((f) => f !== undefined && f !== ''),
      );
      for (const res of out) {
        // kustomize v5.5: label/annotation selectors first, then exact ids (current or previous), each id
        // rejected only by a reject entry that selects that same id (no regexes here, unlike patch targets).
        if (!selectMeta.matches(res) || rejectMeta.some((m) => m.matches(res))) continue;
        const ids = [resIdOf(res), ...(options.previousIds?.(res) ?? [])];
        if (
          !ids.some(
            (id) => idSelectedBy(id, select, options) && !rejectIds.some((rej) => idSelectedBy(id, rej, options)),
          )
        )
          continue;
        copyToTarget(res, value, t);
      }
    }
  }
  return out;
};
