// @flux-ts/goyaml: go-yaml's YAML output in TypeScript, byte for byte — the emitter behind sigs.k8s.io/yaml (go-yaml
// v2: kubectl kustomize, Helm's toYaml) and yaml.v3 (Helm's toYamlPretty), its key order and its plain scalar
// resolution (also what Helm's values reader resolves plain scalars with).

/** A document tree for the emitter, and the emitter's options. */
export type { YamlNode, EmitOptions } from './emitter.ts';
export {
  /** Writes one document of a node tree as go-yaml does (no `---`, final newline). */
  emitDocument,
  /** go-yaml v2 as sigs.k8s.io/yaml drives it: folding at 80 columns, indentless sequences, strings re-read from JSON. */
  GO_YAML_V2,
  /** yaml.v3 with SetIndent(2): no folding, sequences indented in mappings. */
  YAML_V3,
} from './emitter.ts';
/** go-yaml's map key order (keyList.Less). */
export { keyLess, sortKeys } from './key-order.ts';
/** go-yaml's plain scalar resolution (resolve.go). */
export { resolve, isBase60Float } from './resolve.ts';
export type { Resolved } from './resolve.ts';
