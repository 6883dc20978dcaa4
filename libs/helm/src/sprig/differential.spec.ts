// The Sprig table against the fixture produced by the real helm binary (scripts/gen-template-fixture.ts sprig and
// differential.int.spec.ts): every case renders byte for byte what helm rendered, or fails with Go's error.
import { describe, expect, it } from 'vitest';
import {
  SPRIG_EXPECTED_FILE,
  caseData,
  loadCases,
  readExpected,
  templateName,
  type Expected,
} from '../../test/cases.spec-helper.ts';
import { cleanupParseError } from '../engine/errors.ts';
import { ExecError, Template } from '../template/exec.ts';
import { ParseError } from '../template/parse.ts';
import { sprigFuncs } from './index.ts';

const INCLUDE = 'error calling include: ';
const FUNCS = sprigFuncs({ local: 'UTC' });

function render(name: string, text: string, data: unknown): Expected {
  try {
    const t = new Template(name).option('missingkey=zero').funcs(FUNCS);
    t.parse(text);
    return { name, output: t.execute(data) };
  } catch (e) {
    if (e instanceof ParseError) return { name, error: cleanupParseError(name, e.message) };
    if (e instanceof ExecError) return { name, error: e.message };
    throw e;
  }
}

function expectedGo(exp: Expected): Expected {
  if (exp.error === undefined) return exp;
  const i = exp.error.indexOf(INCLUDE);
  return i >= 0 ? { name: exp.name, error: exp.error.slice(i + INCLUDE.length) } : exp;
}

describe('Sprig table vs helm template (fixture)', () => {
  const cases = loadCases('sprig-cases.txt');
  const expected = new Map(readExpected(SPRIG_EXPECTED_FILE).cases.map((c) => [c.name, c]));
  const data = caseData();

  it('has a helm result for every case, and at least 300 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(cases.map((c) => c.name).filter((n) => !expected.has(n))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const exp = expected.get(c.name) as Expected;
    const got = render(templateName(c), c.template, data);
    expect({ ...got, name: c.name }).toEqual(expectedGo(exp));
  });
});
