// Sprig's semver.go: `semver` and `semverCompare` on @flux-ts/semver (Masterminds/semver v3.3.0, what Sprig v3.3.0
// uses in Helm 3.18), and the template value of a *semver.Version.
import {
  checkConstraint,
  compareVersions,
  newConstraint,
  newVersion,
  versionString,
  type Version,
} from '@flux-ts/semver';
import { GoFunc, GoInt, GoStruct, type FuncMap } from '../template/values.ts';
import { S } from './util.ts';

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

/** semver.go's functions: semver (a *semver.Version) and semverCompare. */
export function semverFuncs(): FuncMap {
  const semver = (v: string): GoStruct => {
    const ver = newVersion(v);
    const s = versionValue(ver);
    (s as unknown as Record<symbol, unknown>)[VERSION] = ver;
    return s;
  };
  const semverCompare = (c: string, v: string): boolean => checkConstraint(newConstraint(c), newVersion(v));
  return {
    semver: new GoFunc([S], semver),
    semverCompare: new GoFunc([S, S], semverCompare),
  };
}
