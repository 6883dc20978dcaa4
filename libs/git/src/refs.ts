import { checkConstraint, compareVersions, newConstraint, parseVersion, strictNewVersion } from '@flux-ts/semver';
import type { Constraints, Version } from '@flux-ts/semver';
import { InvalidInputError, NotFoundError } from './errors.ts';

/** One ref of a remote's advertisement. `peeled` is the commit an annotated tag points at. */
export interface RemoteRef {
  ref: string;
  oid: string;
  peeled?: string;
  /** For symbolic refs (HEAD): the ref it points at. */
  target?: string;
}

/** `spec.ref` of a GitRepository. */
export interface GitRef {
  branch?: string;
  tag?: string;
  semver?: string;
  name?: string;
  commit?: string;
}

/** A ref resolved against a remote's refs: what to fetch and how to name the revision. */
export interface ResolvedRef {
  kind: 'branch' | 'tag' | 'semver' | 'name' | 'commit';
  /** Full ref to fetch (`refs/heads/main`); for a commit: its branch ref, or `''` for a bare commit. */
  refName: string;
  /** Revision prefix before `@sha1:` (`main`, `v1.0.0`, `refs/heads/main`); `''` for a bare commit. */
  revisionName: string;
  /** Commit sha the ref points at (annotated tags peeled); for `commit` the requested sha. */
  commit: string;
  /** Tag object sha when the ref is an annotated tag. */
  tagObject?: string;
}

/** The default branch when `spec.ref` is empty, as in Flux. */
export const DEFAULT_BRANCH = 'master';

/** Formats a Flux revision: `<name>@sha1:<hex>`, or `sha1:<hex>` without a name. */
export function formatRevision(revisionName: string, commit: string): string {
  return revisionName ? `${revisionName}@sha1:${commit}` : `sha1:${commit}`;
}

/**
 * Normalises a stored revision to the current format, as Flux's TransformRevision does: the legacy `main/<hex>` becomes
 * `main@sha1:<hex>` and a bare `<hex>` becomes `sha1:<hex>`; anything else is returned as is.
 */
export function normaliseRevision(revision: string): string {
  if (/^[0-9a-f]{40}$/.test(revision)) return `sha1:${revision}`;
  const legacy = /^(.+)\/([0-9a-f]{40})$/.exec(revision);
  if (legacy && !revision.includes('@')) return `${legacy[1]}@sha1:${legacy[2]}`;
  return revision;
}

/** A tag's version: Masterminds' Version plus `version`, its `X.Y.Z[-pre]` text (no `v`, no metadata). */
export interface TagVersion extends Version {
  version: string;
}

/**
 * Parses a tag name as fluxcd/pkg `version.ParseVersion` does: strict semver after an optional leading `v`
 * (`v1.2.3`, `1.2.3-rc.1`; not `v2` or `1.2`); null when it is not a version.
 */
export function parseTagVersion(tag: string): TagVersion | null {
  try {
    strictNewVersion(tag.startsWith('v') ? tag.slice(1) : tag);
  } catch {
    return null;
  }
  const v = parseVersion(tag);
  if (!v) return null;
  return { ...v, version: `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre}` : ''}` };
}

/** A parsed `ref.semver` constraint (Masterminds/semver v3 via @flux-ts/semver). */
export interface SemverConstraint {
  /** The constraint as written. */
  raw: string;
  constraints: Constraints;
  /** Constraints.Check; a string is parsed with NewVersion first (false when it is not a version). */
  test(version: string | Version): boolean;
}

/**
 * Parses a Masterminds constraint (`,` or space for AND, `||`, `~`, `^`, wildcards, hyphen ranges); a prerelease
 * satisfies a constraint only when the constraint names a prerelease. Throws {@link InvalidInputError}
 * `semver parse error: improper constraint: …` when invalid, as Flux does.
 */
export function parseConstraint(constraint: string): SemverConstraint {
  let constraints: Constraints;
  try {
    constraints = newConstraint(constraint);
  } catch (err) {
    throw new InvalidInputError(`semver parse error: ${(err as Error).message}`, { cause: err });
  }
  return {
    raw: constraint,
    constraints,
    test(version: string | Version): boolean {
      const v = typeof version === 'string' ? parseVersion(version) : version;
      return v !== undefined && checkConstraint(constraints, v);
    },
  };
}

function findRef(refs: readonly RemoteRef[], name: string): RemoteRef | undefined {
  return refs.find((r) => r.ref === name);
}

function tagRef(refs: readonly RemoteRef[], full: string): { commit: string; tagObject?: string } | undefined {
  const r = findRef(refs, full);
  if (!r) return undefined;
  if (r.peeled) return { commit: r.peeled, tagObject: r.oid };
  return { commit: r.oid };
}

/**
 * Resolves a GitRepository ref against a remote's refs with Flux's precedence commit > name > semver > tag > branch
 * (default branch `master`). Semver picks the highest tag matching the constraint (leading `v` allowed; ties broken by
 * tag name). Throws {@link NotFoundError} when nothing matches.
 */
export function resolveRef(refs: readonly RemoteRef[], ref: GitRef = {}): ResolvedRef {
  if (ref.commit) {
    if (!/^[0-9a-f]{40}$/.test(ref.commit))
      throw new InvalidInputError(`invalid commit '${ref.commit}': must be a full 40-character sha1`);
    return {
      kind: 'commit',
      refName: ref.branch ? `refs/heads/${ref.branch}` : '',
      revisionName: ref.branch ?? '',
      commit: ref.commit,
    };
  }
  if (ref.name) {
    if (!ref.name.startsWith('refs/'))
      throw new InvalidInputError(`invalid ref name '${ref.name}': must start with 'refs/'`);
    const plain = findRef(refs, ref.name);
    const r = ref.name.startsWith('refs/tags/') ? tagRef(refs, ref.name) : plain && { commit: plain.oid };
    if (!r) throw new NotFoundError(`unable to resolve ref '${ref.name}' to a specific commit`);
    return { kind: 'name', refName: ref.name, revisionName: ref.name, ...r };
  }
  if (ref.semver) {
    const range = parseConstraint(ref.semver);
    let best: { tag: string; version: Version } | undefined;
    for (const r of refs) {
      if (!r.ref.startsWith('refs/tags/') || r.ref.endsWith('^{}')) continue;
      const tag = r.ref.slice('refs/tags/'.length);
      const v = parseVersion(tag);
      if (!v || !range.test(v)) continue;
      const cmp = best ? compareVersions(v, best.version) : 1;
      if (!best || cmp > 0 || (cmp === 0 && tag > best.tag)) best = { tag, version: v };
    }
    if (!best) throw new NotFoundError(`no match found for semver: ${ref.semver}`);
    return {
      kind: 'semver',
      refName: `refs/tags/${best.tag}`,
      revisionName: best.tag,
      ...tagRef(refs, `refs/tags/${best.tag}`)!,
    };
  }
  if (ref.tag) {
    const r = tagRef(refs, `refs/tags/${ref.tag}`);
    if (!r) throw new NotFoundError(`couldn't find remote ref 'refs/tags/${ref.tag}'`);
    return { kind: 'tag', refName: `refs/tags/${ref.tag}`, revisionName: ref.tag, ...r };
  }
  const branch = ref.branch || DEFAULT_BRANCH;
  const r = findRef(refs, `refs/heads/${branch}`);
  if (!r) throw new NotFoundError(`couldn't find remote ref 'refs/heads/${branch}'`);
  return { kind: 'branch', refName: `refs/heads/${branch}`, revisionName: branch, commit: r.oid };
}
