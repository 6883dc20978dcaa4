// Charts and values against the fixture produced by the real helm (scripts/gen-chart-fixture.ts,
// differential.int.spec.ts): for every case our loader, values flags, dependency processing and coalescing give
// exactly the objects helm's templates saw (.Values with their Go types, .Chart, .Release, .Template,
// .Capabilities, .Files, .Subcharts), or helm's error message.
import { describe, expect, it } from 'vitest';
import { CHART_CASES_ALL } from '../../test/chart-cases.spec-helper.ts';
import { readChartExpected } from '../../test/chart-generate.spec-helper.ts';
import { oursCase, type ChartExpected } from '../../test/chart-harness.spec-helper.ts';

describe('charts and values vs helm template (fixture)', () => {
  const expected = new Map(readChartExpected().cases.map((c) => [c.name, c]));

  it('has a helm result for every case, and at least 40 --set cases', () => {
    expect(CHART_CASES_ALL.map((c) => c.name).filter((n) => !expected.has(n))).toEqual([]);
    expect(CHART_CASES_ALL.filter((c) => c.name.startsWith('set-')).length).toBeGreaterThanOrEqual(40);
  });

  it.each(CHART_CASES_ALL.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const exp = expected.get(c.name) as ChartExpected;
    expect(oursCase(c)).toEqual(exp);
  });
});
