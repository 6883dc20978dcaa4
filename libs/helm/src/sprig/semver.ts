// Sprig's `semver` and `semverCompare` on @flux-ts/semver (Masterminds/semver v3.3.0, what Sprig v3.3.0 uses in
// Helm 3.18); this file only adds the template value of a *semver.Version.
import { compareVersions, versionString, type Version } from '@flux-ts/semver';
import { GoFunc, GoInt, GoStruct } from '../template/values.ts';

export { checkConstraint, newConstraint, newVersion } from '@flux-ts/semver';

/** A *semver.Version value for templates: Major, Minor, Patch (uint64), Prerelease, Metadata, Original, String. */
export function versionValue(v: Version): GoStruct {
  const u = (n: bigint): GoInt => new GoInt('uint64', n);
  return new GoStruct('*semver.Version', new Map(), {
    Major: new GoFunc([], () => u(v.major)),
    Minor: new GoFunc([], () => u(v.minor)),
    Patch: new GoFunc([], () => u(v.patch)),
    Prerelease: new GoFunc([], () => v.pre),
    Metadata: new GoFunc([], () => v.metadata),
    Original: new GoFunc([], () => v.original),
    String: new GoFunc([], () => versionString(v)),
    Compare: new GoFunc(['any'], (o: unknown) => {
      const ov = (o as { [VERSION]?: Version })[VERSION];
      if (ov === undefined) throw new Error('wrong type');
      return BigInt(compareVersions(v, ov));
    }),
  });
}

/** The Version behind a versionValue. */
export const VERSION: unique symbol = Symbol('semver.Version');
