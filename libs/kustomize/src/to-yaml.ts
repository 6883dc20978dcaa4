import type { KObject } from './resource.ts';
import { emitDocument } from './yaml-emit.ts';

/** Serialises resources exactly as `kubectl kustomize` prints them (documents separated by `---`). */
export function toYaml(resources: readonly KObject[]): string {
  return resources.map((r) => emitDocument(r)).join('---\n');
}
