/**
 * Pure decisions of the GitRepository reconciler: whether the content configuration that produced the stored
 * artifact (ignore rules, includes, sparse checkout, submodules, verification) changed, how include sets compare,
 * and the short commit message used in events (source-controller `gitContentConfigChanged`, `artifactSet.Diff`,
 * `git.Commit.ShortMessage`).
 */
import type { GitRepository } from '@flux-ts/api';

/** An artifact as recorded in `status.artifact` / `status.includedArtifacts`. */
export type RecordedArtifact = NonNullable<NonNullable<GitRepository['status']>['artifact']>;

/** One `spec.include` entry. */
export type GitRepositoryInclude = NonNullable<GitRepository['spec']['include']>[number];

/** `spec.verify.mode` with the `head` alias folded into `HEAD` (Flux `GetMode`). */
export function verificationMode(obj: Pick<GitRepository, 'spec'>): string | undefined {
  const verify = obj.spec.verify;
  if (!verify) return undefined;
  const mode = verify.mode ?? 'HEAD';
  return mode === 'head' ? 'HEAD' : mode;
}

/** True when the include sets differ: another length, or an artifact of `a` whose revision is not in `b`. */
export function includesDiffer(a: readonly RecordedArtifact[], b: readonly RecordedArtifact[] | undefined): boolean {
  const other = b ?? [];
  if (a.length !== other.length) return true;
  return a.some((x) => !other.some((y) => y.revision === x.revision));
}

/** Whether two `spec.include` entries are the same (repository name, fromPath, toPath as written). */
export function includeEqual(a: GitRepositoryInclude, b: GitRepositoryInclude | undefined): boolean {
  return (
    b !== undefined &&
    a.repository.name === b.repository.name &&
    (a.fromPath ?? '') === (b.fromPath ?? '') &&
    (a.toPath ?? '') === (b.toPath ?? '')
  );
}

/**
 * Whether the repository must be verified again: verification is configured and the last verified mode differs
 * or the SourceVerified condition is missing; or verification was removed while a mode is still recorded.
 */
export function requiresVerification(obj: Pick<GitRepository, 'spec' | 'status'>, hasSourceVerified: boolean): boolean {
  const mode = verificationMode(obj);
  const observed = obj.status?.sourceVerificationMode;
  if (mode === undefined) return observed !== undefined && observed !== '';
  return observed !== mode || !hasSourceVerified;
}

/**
 * Whether the content configuration differs from what produced the current artifact, given the include artifacts
 * just fetched (in `spec.include` order). When false, an unchanged remote revision means nothing to do.
 */
export function contentConfigChanged(
  obj: Pick<GitRepository, 'spec' | 'status'>,
  includes: readonly RecordedArtifact[],
  hasSourceVerified: boolean,
): boolean {
  const { spec } = obj;
  const status = obj.status ?? {};
  if ((spec.ignore ?? undefined) !== (status.observedIgnore ?? undefined)) return true;
  if ((spec.recurseSubmodules ?? false) !== (status.observedRecurseSubmodules ?? false)) return true;
  const include = spec.include ?? [];
  const observedInclude = status.observedInclude ?? [];
  if (include.length !== observedInclude.length) return true;
  if (requiresVerification(obj, hasSourceVerified)) return true;
  const sparse = spec.sparseCheckout ?? [];
  const observedSparse = status.observedSparseCheckout ?? [];
  if (sparse.length !== observedSparse.length || sparse.some((d, i) => d !== observedSparse[i])) return true;
  const included = status.includedArtifacts ?? [];
  if (include.length !== includes.length || include.length !== included.length) return true;
  return include.some((incl, i) => {
    if (!includeEqual(incl, observedInclude[i])) return true;
    const now = includes[i];
    const before = included[i];
    return now?.revision !== before?.revision || now?.digest !== before?.digest;
  });
}

/** First line of a commit message, cut to 50 characters plus `...` (go-git client `Commit.ShortMessage`). */
export function shortMessage(message: string): string {
  const subject = message.split('\n')[0] ?? '';
  const chars = [...subject];
  return chars.length > 50 ? `${chars.slice(0, 50).join('')}...` : subject;
}

/** The `toPath` of an include (default: the included repository's name). */
export function includeToPath(incl: GitRepositoryInclude): string {
  return incl.toPath !== undefined && incl.toPath !== '' ? incl.toPath : incl.repository.name;
}

/** The `fromPath` of an include (default: the root of the artifact). */
export function includeFromPath(incl: GitRepositoryInclude): string {
  return incl.fromPath ?? '';
}
