// Unit tests of what the helm table cannot reach (StrictNewVersion, the non-throwing helpers) and a few spot
// checks of the rules the table pins down.
import { describe, expect, it } from 'vitest';
import {
  checkConstraint,
  compareVersions,
  constraintsString,
  isCompatibleRange,
  newConstraint,
  newVersion,
  parseConstraint,
  parseVersion,
  satisfies,
  strictNewVersion,
  versionString,
} from './index.ts';

const ok = (c: string, v: string): boolean => checkConstraint(newConstraint(c), newVersion(v));

describe('NewVersion', () => {
  it('is lenient like Masterminds', () => {
    expect(versionString(newVersion('v1.2'))).toBe('1.2.0');
    expect(versionString(newVersion('01.002.3'))).toBe('1.2.3');
    expect(newVersion('v1.2.3-rc.1+build.5')).toEqual({
      major: 1n,
      minor: 2n,
      patch: 3n,
      pre: 'rc.1',
      metadata: 'build.5',
      original: 'v1.2.3-rc.1+build.5',
    });
    expect(newVersion('18446744073709551615.0.0').major).toBe(18446744073709551615n);
  });

  it('throws Masterminds’ errors', () => {
    expect(() => newVersion('1.2.3.4')).toThrow('Invalid Semantic Version');
    expect(() => newVersion('1.2.3-01')).toThrow('Version segment starts with 0');
    expect(() => newVersion('18446744073709551616')).toThrow(
      'Error parsing version segment: strconv.ParseUint: parsing "18446744073709551616": value out of range',
    );
    expect(parseVersion('release-1')).toBeUndefined();
  });
});

describe('StrictNewVersion', () => {
  it('accepts only X.Y.Z[-pre][+meta]', () => {
    expect(versionString(strictNewVersion('1.2.3-beta.1+b.01'))).toBe('1.2.3-beta.1+b.01');
    expect(() => strictNewVersion('')).toThrow('Version string empty');
    expect(() => strictNewVersion('1.2')).toThrow('Invalid Semantic Version');
    expect(() => strictNewVersion('v1.2.3')).toThrow('Invalid characters in version');
    expect(() => strictNewVersion('1.02.3')).toThrow('Version segment starts with 0');
    expect(() => strictNewVersion('1.2.3-01')).toThrow('Version segment starts with 0');
    expect(() => strictNewVersion('1.2.3-a_b')).toThrow('Invalid Prerelease string');
    expect(() => strictNewVersion('1.2.3+a_b')).toThrow('Invalid Metadata string');
    expect(() => strictNewVersion('1..3')).toThrow('strconv.ParseUint: parsing "": invalid syntax');
  });
});

describe('Compare', () => {
  it('orders prereleases as Masterminds v3.3.0 does and ignores metadata', () => {
    const c = (a: string, b: string): number => compareVersions(newVersion(a), newVersion(b));
    expect(c('1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1);
    expect(c('1.0.0-alpha.beta', '1.0.0-alpha')).toBe(1);
    expect(c('1.0.0-beta.2', '1.0.0-beta.11')).toBe(-1);
    expect(c('1.0.0-1', '1.0.0-alpha')).toBe(-1);
    expect(c('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(c('1.0.0+a', '1.0.0+b')).toBe(0);
  });
});

describe('constraints', () => {
  it('applies the operators, wildcards, ranges and OR', () => {
    expect(ok('>=1.2.3 <2 || 3.x', '3.4.0')).toBe(true);
    expect(ok('~1.2.x', '1.3.0')).toBe(false);
    expect(ok('^0.2.3', '0.3.0')).toBe(false);
    expect(ok('~1', '1.9.0')).toBe(true);
    expect(ok('1.2 - 1.4.5', '1.4.6')).toBe(false);
    expect(constraintsString(newConstraint('1.2 - 1.4.5 || ~2'))).toBe('>=1.2 <=1.4.5 || ~2');
  });

  it('excludes a prerelease unless the constraint itself names one (per constraint, `!=` aside)', () => {
    expect(ok('>=1.0.0', '1.2.0-beta')).toBe(false);
    expect(ok('>=1.0.0-0', '1.2.0-beta')).toBe(true);
    expect(ok('>=1.2.3-0 <2', '1.9.0-rc.1')).toBe(false);
    expect(ok('!=1.2.3', '1.2.3-beta')).toBe(true);
    expect(ok('1.2.x-0', '1.2.3-alpha')).toBe(true);
  });

  it('throws Masterminds’ errors', () => {
    expect(() => newConstraint('>1 ||')).toThrow('improper constraint: ');
    expect(() => newConstraint('foo')).toThrow('improper constraint: foo');
    expect(() => newConstraint('>=1.2.3-01')).toThrow('constraint Parser Error');
    expect(parseConstraint('')).toBeUndefined();
  });

  it('has non-throwing forms and IsCompatibleRange', () => {
    expect(satisfies(parseConstraint('^1.2')!, parseVersion('1.9.0')!)).toBe(true);
    expect(isCompatibleRange('>=1.20.0-0', 'v1.33.0')).toBe(true);
    expect(isCompatibleRange('', '1.0.0')).toBe(false);
    expect(isCompatibleRange('>=1', 'x')).toBe(false);
  });
});
