// Custom transformer configurations (`configurations:` files): extra field specs for the builtin transformers,
// merged upward from nested kustomizations like kustomize's ResAccumulator.MergeConfig.
import type { FieldSpec } from './field-specs.ts';
import type { NameRefSpec } from './name-reference.ts';
import { isMap, KustomizeError, type KObject } from './resource.ts';
import type { YamlValue } from './yaml-emit.ts';

/** Field specs added on top of kustomize's defaults. */
export interface TransformerConfig {
  nameReference: NameRefSpec[];
  commonLabels: FieldSpec[];
  templateLabels: FieldSpec[];
  commonAnnotations: FieldSpec[];
  namespace: FieldSpec[];
  images: FieldSpec[];
  replicas: FieldSpec[];
  varReference: FieldSpec[];
  namePrefix: FieldSpec[];
  nameSuffix: FieldSpec[];
}

/** An empty configuration. */
export function emptyConfig(): TransformerConfig {
  return {
    nameReference: [],
    commonLabels: [],
    templateLabels: [],
    commonAnnotations: [],
    namespace: [],
    images: [],
    replicas: [],
    varReference: [],
    namePrefix: [],
    nameSuffix: [],
  };
}

const LIST_FIELDS = [
  'commonLabels',
  'templateLabels',
  'commonAnnotations',
  'namespace',
  'images',
  'replicas',
  'varReference',
  'namePrefix',
  'nameSuffix',
] as const;
const KNOWN = new Set<string>([...LIST_FIELDS, 'nameReference']);

function toFieldSpec(o: KObject): FieldSpec {
  const s = (k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  return {
    path: s('path') ?? '',
    kind: s('kind'),
    group: s('group'),
    version: s('version'),
    create: o['create'] === true,
  };
}

function specs(v: YamlValue | undefined): FieldSpec[] {
  return Array.isArray(v) ? v.filter(isMap).map(toFieldSpec) : [];
}

/** Parses one configurations file's content. */
export function parseConfig(doc: YamlValue, file: string): TransformerConfig {
  const cfg = emptyConfig();
  if (!isMap(doc)) return cfg;
  for (const k of Object.keys(doc)) {
    if (!KNOWN.has(k)) throw new KustomizeError(`failed to load configuration ${file}: unknown field "${k}"`);
  }
  for (const f of LIST_FIELDS) cfg[f] = specs(doc[f]);
  const nr = doc['nameReference'];
  if (Array.isArray(nr)) {
    for (const e of nr) {
      if (!isMap(e)) continue;
      const s = (k: string): string | undefined =>
        typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined;
      cfg.nameReference.push({
        target: { kind: s('kind') ?? '', group: s('group'), version: s('version') },
        referrers: specs(e['fieldSpecs']),
      });
    }
  }
  return cfg;
}

/** Merges `src` into `dst` (in place). */
export function mergeConfig(dst: TransformerConfig, src: TransformerConfig): void {
  for (const f of LIST_FIELDS) dst[f].push(...src[f]);
  dst.nameReference.push(...src.nameReference);
}
