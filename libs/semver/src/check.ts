// Non-throwing forms of NewVersion/NewConstraint and Helm's chartutil.IsCompatibleRange.
import { checkConstraint, newConstraint, type Constraints } from './constraints.ts';
import { newVersion, type Version } from './version.ts';

/** semver.NewVersion, or undefined when the text is not a version. */
export function parseVersion(s: string): Version | undefined {
  try {
    return newVersion(s);
  } catch {
    return undefined;
  }
}

/** semver.NewConstraint, or undefined when the text is not a constraint. */
export function parseConstraint(s: string): Constraints | undefined {
  try {
    return newConstraint(s);
  } catch {
    return undefined;
  }
}

/** Whether the version satisfies the constraints (Constraints.Check). */
export function satisfies(c: Constraints, v: Version): boolean {
  return checkConstraint(c, v);
}

/** Helm's chartutil.IsCompatibleRange: NewVersion, NewConstraint, Check; false when either does not parse. */
export function isCompatibleRange(constraint: string, version: string): boolean {
  const v = parseVersion(version);
  if (v === undefined) return false;
  const c = parseConstraint(constraint);
  return c !== undefined && checkConstraint(c, v);
}
