// helm 3.18.0's pkg/releaseutil/manifest_sorter.go: SortManifests splits every rendered file into documents, sorts
// them into hooks (the `helm.sh/hook` annotation) and plain manifests, then sorts both by kind.
import { goQuote } from '../template/fmt.ts';
import { compareGoStrings } from '../template/values.ts';
import { INSTALL_ORDER, sortByKind, type KindSortOrder } from './kind-sorter.ts';
import { goTrimSpace, splitManifestList } from './manifest.ts';
import { readSimpleHead, type SimpleHead } from './simple-head.ts';

/** release.HookAnnotation. */
export const HOOK_ANNOTATION = 'helm.sh/hook';
/** release.HookWeightAnnotation. */
export const HOOK_WEIGHT_ANNOTATION = 'helm.sh/hook-weight';
/** release.HookDeleteAnnotation. */
export const HOOK_DELETE_ANNOTATION = 'helm.sh/hook-delete-policy';

/** release.HookEvent values. */
export type HookEvent =
  | 'pre-install'
  | 'post-install'
  | 'pre-delete'
  | 'post-delete'
  | 'pre-upgrade'
  | 'post-upgrade'
  | 'pre-rollback'
  | 'post-rollback'
  | 'test';

/** The hook names SortManifests knows (`test-success` is Helm 2's name of `test`). */
export const HOOK_EVENTS: ReadonlyMap<string, HookEvent> = new Map<string, HookEvent>([
  ['pre-install', 'pre-install'],
  ['post-install', 'post-install'],
  ['pre-delete', 'pre-delete'],
  ['post-delete', 'post-delete'],
  ['pre-upgrade', 'pre-upgrade'],
  ['post-upgrade', 'post-upgrade'],
  ['pre-rollback', 'pre-rollback'],
  ['post-rollback', 'post-rollback'],
  ['test', 'test'],
  ['test-success', 'test'],
]);

/** release.Hook as SortManifests makes it. */
export interface Hook {
  name: string;
  kind: string;
  /** The template the hook came from (`chart/templates/x.yaml`). */
  path: string;
  manifest: string;
  events: HookEvent[];
  weight: number;
  /** Lower-cased, trimmed values of `helm.sh/hook-delete-policy`, not checked (as Helm). */
  deletePolicies: string[];
}

/** releaseutil.Manifest: a document that is not a hook. */
export interface Manifest {
  /** The template it came from. */
  name: string;
  content: string;
  head: SimpleHead;
}

/** The result of {@link sortManifests}. */
export interface SortedManifests {
  hooks: Hook[];
  manifests: Manifest[];
}

/** Options of {@link sortManifests}. */
export interface SortManifestsOptions {
  /** Kind order (default INSTALL_ORDER). */
  ordering?: KindSortOrder;
  /** Helm's log lines (`info: skipping unknown hook: "x"`); Helm prints them on stderr. */
  log?: (line: string) => void;
}

/** Go's strconv.Atoi (0 when it fails, as calculateHookWeight). */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0;
  const n = BigInt(s);
  // Atoi is ParseInt(s, 10, 0): out of int64 range is an error
  if (n > 9223372036854775807n || n < -9223372036854775808n) return 0;
  return Number(n);
}

/** The error SortManifests returns for a document it cannot read; `hooks`/`manifests` hold what was sorted before. */
export class ManifestParseError extends Error {
  override name = 'ManifestParseError';
}

function sortFile(path: string, content: string, result: SortedManifests, log: (line: string) => void): void {
  for (const m of splitManifestList(content)) {
    let head: SimpleHead;
    try {
      head = readSimpleHead(m);
    } catch (e) {
      throw new ManifestParseError(`YAML parse error on ${path}: ${(e as Error).message}`, { cause: e });
    }
    const annotations = head.metadata?.annotations;
    if (annotations === null || annotations === undefined || Object.keys(annotations).length === 0) {
      result.manifests.push({ name: path, content: m, head });
      continue;
    }
    const hookTypes = annotations[HOOK_ANNOTATION];
    if (hookTypes === undefined) {
      result.manifests.push({ name: path, content: m, head });
      continue;
    }
    const hook: Hook = {
      name: head.metadata?.name ?? '',
      kind: head.kind,
      path,
      manifest: m,
      events: [],
      weight: atoi(annotations[HOOK_WEIGHT_ANNOTATION] ?? ''),
      deletePolicies: [],
    };
    let unknown = false;
    for (const t of hookTypes.split(',')) {
      const e = HOOK_EVENTS.get(goTrimSpace(t).toLowerCase());
      if (e === undefined) {
        unknown = true;
        break;
      }
      hook.events.push(e);
    }
    if (unknown) {
      log(`info: skipping unknown hook: ${goQuote(hookTypes)}`);
      continue;
    }
    result.hooks.push(hook);
    const dps = annotations[HOOK_DELETE_ANNOTATION];
    if (dps !== undefined) for (const dp of dps.split(',')) hook.deletePolicies.push(goTrimSpace(dp).toLowerCase());
  }
}

/**
 * releaseutil.SortManifests: files in name order (partials `_*` and blank files skipped), each split into documents
 * whose heads are read; documents with a known `helm.sh/hook` become hooks (an unknown hook name drops the
 * document), the others manifests; both are then sorted by kind. Throws {@link ManifestParseError}
 * (`YAML parse error on <file>: …`) on the first document that is not valid YAML or has a head of the wrong shape.
 */
export function sortManifests(files: ReadonlyMap<string, string>, opts: SortManifestsOptions = {}): SortedManifests {
  const result: SortedManifests = { hooks: [], manifests: [] };
  const log = opts.log ?? (() => {});
  const paths = [...files.keys()].sort(compareGoStrings);
  for (const path of paths) {
    const content = files.get(path) ?? '';
    if (path.slice(path.lastIndexOf('/') + 1).startsWith('_')) continue;
    if (goTrimSpace(content) === '') continue;
    sortFile(path, content, result, log);
  }
  const ordering = opts.ordering ?? INSTALL_ORDER;
  return {
    hooks: sortByKind(result.hooks, (h) => h.kind, ordering),
    manifests: sortByKind(result.manifests, (m) => m.head.kind, ordering),
  };
}
