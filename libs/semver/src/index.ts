// @flux-ts/semver: Masterminds/semver v3.3.0 in TypeScript, the semantics Helm 3.18 (Sprig's semver functions,
// Chart.yaml versions, dependency and kubeVersion ranges) and Flux (GitRepository `ref.semver`) use.

/** A parsed version (major/minor/patch as bigint, prerelease, metadata, original text). */
export type { Version } from './version.ts';
/** Parsed constraints (OR groups of AND constraints) and one parsed constraint. */
export type { Constraint, Constraints } from './constraints.ts';
export {
  /** semver.NewVersion (lenient); throws Masterminds' errors. */
  newVersion,
  /** semver.StrictNewVersion; throws Masterminds' errors. */
  strictNewVersion,
  /** Version.String. */
  versionString,
  /** Version.Compare (-1, 0, 1; metadata ignored). */
  compareVersions,
  /** The prerelease ordering Compare uses. */
  comparePrerelease,
  /** Masterminds' version error texts. */
  ERR_INVALID_SEMVER,
  ERR_EMPTY_STRING,
  ERR_INVALID_CHARACTERS,
  ERR_SEGMENT_STARTS_ZERO,
  ERR_INVALID_METADATA,
  ERR_INVALID_PRERELEASE,
} from './version.ts';
export {
  /** semver.NewConstraint; throws `improper constraint: …`. */
  newConstraint,
  /** Constraints.Check. */
  checkConstraint,
  /** Constraints.String. */
  constraintsString,
} from './constraints.ts';

export {
  /** semver.NewVersion, or undefined when invalid. */
  parseVersion,
  /** semver.NewConstraint, or undefined when invalid. */
  parseConstraint,
  /** Constraints.Check. */
  satisfies,
  /** chartutil.IsCompatibleRange. */
  isCompatibleRange,
} from './check.ts';
