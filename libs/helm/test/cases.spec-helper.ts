// The Go-template table: cases from fixtures/template-cases.txt, the data they run on (the same values Helm gets
// from fixtures/template-values.yaml and SET_ARGS) and the fixture of expected results produced by the real helm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatFloat } from '../src/template/fmt.ts';
import { GO_TYPE, GoInt, JsonNumber } from '../src/template/values.ts';

/** Directory of the table's fixtures. */
export const FIXTURES = join(import.meta.dirname, 'fixtures');
/** The file with the expected results (written by scripts/gen-template-fixture.ts). */
export const EXPECTED_FILE = join(FIXTURES, 'template-cases.expected.json');
/** The chart's name; templates are named `t/templates/_<case>.tpl` as Helm names them. */
export const CHART = 't';

/** One case of the table. */
export interface TemplateCase {
  name: string;
  template: string;
  /** Hint that the case fails (it is then rendered alone); the result always comes from helm. */
  error: boolean;
}

/** What helm produced for a case: the output bytes, or the error message (without `Error: `). */
export interface Expected {
  name: string;
  output?: string;
  error?: string;
}

/** The fixture file's content. */
export interface ExpectedFile {
  helm: string;
  cases: Expected[];
}

/** `--set` arguments given to helm, and the values they become in Helm (strvals: int64, bool, string). */
export const SET_ARGS: readonly string[] = [
  'set.i=5',
  'set.neg=-7',
  'set.big=9223372036854775807',
  'set.s=hi',
  'set.b=true',
  'set.f=2.5',
  'set.z=0',
];

function setValues(): Record<string, unknown> {
  return {
    i: new GoInt('int64', 5n),
    neg: new GoInt('int64', -7n),
    big: new GoInt('int64', 9223372036854775807n),
    s: 'hi',
    b: true,
    f: '2.5',
    z: new GoInt('int64', 0n),
  };
}

/** The Sprig table's expected results (scripts/gen-template-fixture.ts sprig). */
export const SPRIG_EXPECTED_FILE = join(FIXTURES, 'sprig-cases.expected.json');

/** Parses fixtures/template-cases.txt (or another case file of the same format, e.g. sprig-cases.txt). */
export function loadCases(file = 'template-cases.txt'): TemplateCase[] {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const cases: TemplateCase[] = [];
  let cur: { name: string; error: boolean; lines: string[] } | undefined;
  const flush = (): void => {
    if (cur) cases.push({ name: cur.name, error: cur.error, template: cur.lines.join('\n') });
  };
  for (const line of text.split('\n')) {
    const m = /^=== ([a-z0-9-]+)( \(error\))?$/.exec(line);
    if (m) {
      flush();
      cur = { name: m[1] ?? '', error: m[2] !== undefined, lines: [] };
    } else if (cur) cur.lines.push(line);
  }
  flush();
  if (cases.length > 0 && text.endsWith('\n')) {
    const last = cases[cases.length - 1] as TemplateCase;
    if (last.template.endsWith('\n')) last.template = last.template.slice(0, -1);
  }
  return cases;
}

/** The values file given to helm. */
export function valuesYaml(): string {
  return readFileSync(join(FIXTURES, 'template-values.yaml'), 'utf8');
}

/** encoding/json's text of a float64. */
function jsonFloat(x: number): string {
  const abs = Math.abs(x);
  const e = abs !== 0 && (abs < 1e-6 || abs >= 1e21);
  let s = formatFloat(x, e ? 'e' : 'f', -1);
  if (e) s = s.replace(/e([+-])0(\d)$/, 'e$1$2');
  return s;
}

/**
 * Values as Helm 3.18.0 has them: YAML 1.1 (go-yaml: `y`, `yes`, `on` are booleans, also as keys), then JSON, whose
 * numbers are json.Number (sigs.k8s.io/yaml → JSON, decoded with UseNumber).
 */
function toHelmValue(v: unknown): unknown {
  if (typeof v === 'bigint') return new JsonNumber(v.toString());
  if (typeof v === 'number')
    return new JsonNumber(Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : jsonFloat(v));
  if (Array.isArray(v)) return v.map(toHelmValue);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, toHelmValue(e)]));
  }
  return v;
}

/** The data a case's template runs on: Helm's top-level object with `.Values`. */
export function caseData(): Record<string, unknown> {
  const values = toHelmValue(parse(valuesYaml(), { intAsBigInt: true, version: '1.1' })) as Record<
    string | symbol,
    unknown
  >;
  values['set'] = setValues();
  values[GO_TYPE] = 'chartutil.Values';
  return { Values: values, [GO_TYPE]: 'chartutil.Values' };
}

/** The template name of a case, as Helm names the file. */
export function templateName(c: { name: string }): string {
  return `${CHART}/templates/_${c.name}.tpl`;
}

/** Reads the committed fixture. */
export function readExpected(file = EXPECTED_FILE): ExpectedFile {
  return JSON.parse(readFileSync(file, 'utf8')) as ExpectedFile;
}
