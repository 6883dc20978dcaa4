// Chart versions, dependency ranges and kubeVersion checks use Masterminds/semver v3 through @flux-ts/semver.
export { isCompatibleRange, parseConstraint, parseVersion, satisfies } from '@flux-ts/semver';
export type { Constraints, Version } from '@flux-ts/semver';
