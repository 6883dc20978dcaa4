// The Go-template table against the fixture produced by the real helm binary (see scripts/gen-template-fixture.ts
// and differential.int.spec.ts): every case renders byte for byte what helm rendered, or fails with Go's error.
import { describe, expect, it } from 'vitest';
import { caseData, loadCases, readExpected, templateName, type Expected } from '../../test/cases.spec-helper.ts';
import { cleanupParseError } from '../engine/errors.ts';
import { ExecError, Template } from './exec.ts';
import { ParseError } from './parse.ts';

const INCLUDE = 'error calling include: ';

function render(name: string, text: string, data: unknown): { output?: string; error?: Error } {
  try {
    const t = new Template(name).option('missingkey=zero');
    t.parse(text);
    return { output: t.execute(data) };
  } catch (e) {
    if (e instanceof ParseError || e instanceof ExecError) return { error: e };
    throw e;
  }
}

/** What our engine must print for helm's result: Go's own error (helm wraps it in include's or its parse format). */
function ours(exp: Expected, got: { output?: string; error?: Error }, name: string): Expected {
  if (got.error === undefined) return { name: exp.name, output: got.output };
  const msg = got.error.message;
  if (got.error instanceof ParseError) return { name: exp.name, error: cleanupParseError(name, msg) };
  return { name: exp.name, error: msg };
}

function expectedGo(exp: Expected): Expected {
  if (exp.error === undefined) return exp;
  const i = exp.error.indexOf(INCLUDE);
  return i >= 0 ? { name: exp.name, error: exp.error.slice(i + INCLUDE.length) } : exp;
}

describe('Go text/template table vs helm template (fixture)', () => {
  const cases = loadCases();
  const expected = new Map(readExpected().cases.map((c) => [c.name, c]));
  const data = caseData();

  it('has a helm result for every case, and at least 200 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(cases.map((c) => c.name).filter((n) => !expected.has(n))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const exp = expected.get(c.name) as Expected;
    const name = templateName(c);
    expect(ours(exp, render(name, c.template, data), name)).toEqual(expectedGo(exp));
  });
});
