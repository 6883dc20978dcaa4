// The table against the fixture the real helm rendered (scripts/gen-fixture.ts, re-checked by
// differential.int.spec.ts): every constraint check, parsed version and comparison answers what Sprig's
// semverCompare / semver (Masterminds/semver v3.3.0 inside helm 3.18.0) answered, errors word for word.
import { describe, expect, it } from 'vitest';
import { caseKey, evaluate, loadCases, readExpected, type Result } from '../test/cases.spec-helper.ts';

describe('semver table vs helm (fixture)', () => {
  const cases = loadCases();
  const expected = new Map(readExpected().cases.map((c) => [caseKey(c), c]));

  it('has a helm result for every case, at least 150 constraint checks, and no duplicates', () => {
    expect(cases.filter((c) => c.kind === 'check').length).toBeGreaterThanOrEqual(150);
    expect(cases.filter((c) => !expected.has(caseKey(c))).map(caseKey)).toEqual([]);
    expect(new Set(cases.map(caseKey)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [caseKey(c).replaceAll('\t', ' ⇥ '), c] as const))('%s', (_name, c) => {
    expect(evaluate(c)).toEqual(expected.get(caseKey(c)) as Result);
  });
});
