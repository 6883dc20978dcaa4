// `helm template` output against the fixture produced by the real helm (scripts/gen-releaseutil-fixture.ts,
// differential.int.spec.ts): stdout byte for byte, stderr, the exit code and the files of --output-dir, for charts
// exercising manifest splitting, hooks, kind order, crds/, NOTES.txt, subcharts, --show-only and errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  RELEASEUTIL_CASES,
  RELEASEUTIL_EXPECTED_FILE,
  type CliExpectedFile,
} from '../../test/releaseutil-cases.spec-helper.ts';
import { oursCliCase } from '../../test/releaseutil-harness.spec-helper.ts';

describe('helm template output vs helm (fixture)', () => {
  const file = JSON.parse(readFileSync(RELEASEUTIL_EXPECTED_FILE, 'utf8')) as CliExpectedFile;
  const expected = new Map(file.cases.map((c) => [c.name, c]));

  it('has a helm result for every case, at least 20 of them rendering', () => {
    expect(RELEASEUTIL_CASES.map((c) => c.name).filter((n) => !expected.has(n))).toEqual([]);
    expect(file.cases.filter((c) => c.code === 0).length).toBeGreaterThanOrEqual(20);
  });

  it.each(RELEASEUTIL_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    expect(oursCliCase(c)).toEqual(expected.get(c.name));
  });
});
