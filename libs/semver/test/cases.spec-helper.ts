// The differential table: cases from fixtures/cases.txt, the committed results the real helm rendered for them
// (fixtures/cases.expected.json, written by scripts/gen-fixture.ts) and how this library answers each case.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConstraint, compareVersions, newConstraint, newVersion, versionString } from '../src/index.ts';

/** Directory of the table's fixtures. */
export const FIXTURES = join(import.meta.dirname, 'fixtures');
/** The case file. */
export const CASES_FILE = join(FIXTURES, 'cases.txt');
/** The file with the expected results. */
export const EXPECTED_FILE = join(FIXTURES, 'cases.expected.json');

/** What a case asks: `semverCompare c v`, the fields of `semver v`, or `(semver a).Compare (semver b)`. */
export type CaseKind = 'check' | 'version' | 'compare';

/** One case of the table. */
export interface SemverCase {
  /** `c001`…, from the position in the file: the template and values key helm renders it under. */
  id: string;
  kind: CaseKind;
  args: string[];
}

/** What helm (or this library) produced for a case: the output text, or the error message. */
export interface Result {
  kind: CaseKind;
  args: string[];
  output?: string;
  error?: string;
}

/** The fixture file's content. */
export interface ExpectedFile {
  helm: string;
  cases: Result[];
}

const ARITY: Record<CaseKind, number> = { check: 2, version: 1, compare: 2 };

/** Parses fixtures/cases.txt: `kind<TAB>arg[<TAB>arg]` lines; `#` comments and blank lines are skipped. */
export function loadCases(file = CASES_FILE): SemverCase[] {
  const out: SemverCase[] = [];
  for (const [i, line] of readFileSync(file, 'utf8').split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const [kind, ...args] = line.split('\t');
    if (kind !== 'check' && kind !== 'version' && kind !== 'compare') throw new Error(`line ${i + 1}: kind ${kind}`);
    if (args.length !== ARITY[kind]) throw new Error(`line ${i + 1}: ${kind} takes ${ARITY[kind]} fields`);
    out.push({ id: `c${String(out.length + 1).padStart(3, '0')}`, kind, args });
  }
  return out;
}

/** Reads the committed fixture. */
export function readExpected(file = EXPECTED_FILE): ExpectedFile {
  return JSON.parse(readFileSync(file, 'utf8')) as ExpectedFile;
}

/** The fixture file's exact text. */
export function fixtureText(file: ExpectedFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

/** The key a case is matched by between the table and the fixture. */
export function caseKey(c: { kind: string; args: readonly string[] }): string {
  return [c.kind, ...c.args].join('\t');
}

/** The fields helm prints for `semver v` (a JSON list), from a parsed version. */
export function versionFields(text: string): string {
  const v = newVersion(text);
  return JSON.stringify([
    versionString(v),
    String(v.major),
    String(v.minor),
    String(v.patch),
    v.pre,
    v.metadata,
    v.original,
  ]);
}

/** This library's answer to a case, in the form helm's answer is recorded (Sprig's semverCompare/semver). */
export function evaluate(c: SemverCase): Result {
  const [a = '', b = ''] = c.args;
  try {
    let output: string;
    if (c.kind === 'check') output = String(checkConstraint(newConstraint(a), newVersion(b)));
    else if (c.kind === 'version') output = versionFields(a);
    else output = String(compareVersions(newVersion(a), newVersion(b)));
    return { kind: c.kind, args: c.args, output };
  } catch (e) {
    return { kind: c.kind, args: c.args, error: (e as Error).message };
  }
}
