// values.schema.json validation (chartutil.ValidateAgainstSchema) with ajv, errors reported in the form of the
// gojsonschema library Helm 3.18.0 uses: `- <field>: <description>` under `<chart>:` for each chart in the tree.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { GoFloat, GoInt, JsonNumber } from '../template/values.ts';
import { isPlainMap } from '../values/coalesce.ts';
import type { Values } from '../values/yaml.ts';
import type { Chart } from './chart.ts';

/** The values as JSON (what Helm validates after yaml.Marshal + YAMLToJSON). */
export function toJsonValue(v: unknown): unknown {
  if (v instanceof JsonNumber) return Number(v.value);
  if (v instanceof GoInt) return Number(v.value);
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (isPlainMap(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, toJsonValue(e)]));
  return v;
}

const compiled = new Map<string, ValidateFunction>();

function compile(schemaText: string): ValidateFunction {
  let fn = compiled.get(schemaText);
  if (fn !== undefined) return fn;
  const schema = JSON.parse(schemaText) as unknown;
  if (isPlainMap(schema)) delete schema['$schema'];
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
  fn = ajv.compile(schema as object);
  compiled.set(schemaText, fn);
  return fn;
}

function field(instancePath: string): string {
  if (instancePath === '') return '(root)';
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

function valueAt(root: unknown, instancePath: string): unknown {
  let cur = root;
  if (instancePath === '') return cur;
  for (const seg of instancePath.slice(1).split('/')) {
    const k = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = (cur as Record<string, unknown>)?.[k];
  }
  return cur;
}

function describe(e: ErrorObject, root: unknown): string | undefined {
  const f = field(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${f}: ${String(p['missingProperty'])} is required`;
    case 'type': {
      const t = String(p['type']);
      const expected = t.includes(',') ? `[${t}]` : t;
      return `${f}: Invalid type. Expected: ${expected}, given: ${jsonType(valueAt(root, e.instancePath))}`;
    }
    case 'enum':
      return `${f}: ${f} must be one of the following: ${(p['allowedValues'] as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
    case 'const':
      return `${f}: ${f} does not match: ${JSON.stringify(p['allowedValue'])}`;
    case 'minimum':
      return `${f}: Must be greater than or equal to ${String(p['limit'])}`;
    case 'maximum':
      return `${f}: Must be less than or equal to ${String(p['limit'])}`;
    case 'exclusiveMinimum':
      return `${f}: Must be greater than ${String(p['limit'])}`;
    case 'exclusiveMaximum':
      return `${f}: Must be less than ${String(p['limit'])}`;
    case 'multipleOf':
      return `${f}: Must be a multiple of ${String(p['multipleOf'])}`;
    case 'minLength':
      return `${f}: String length must be greater than or equal to ${String(p['limit'])}`;
    case 'maxLength':
      return `${f}: String length must be less than or equal to ${String(p['limit'])}`;
    case 'pattern':
      return `${f}: Does not match pattern '${String(p['pattern'])}'`;
    case 'format':
      return `${f}: Does not match format '${String(p['format'])}'`;
    case 'minItems':
      return `${f}: Array must have at least ${String(p['limit'])} items`;
    case 'maxItems':
      return `${f}: Array must have at most ${String(p['limit'])} items`;
    case 'uniqueItems':
      return `${f}: array items[${String(p['j'])},${String(p['i'])}] must be unique`;
    case 'minProperties':
      return `${f}: Must have at least ${String(p['limit'])} properties`;
    case 'maxProperties':
      return `${f}: Must have at most ${String(p['limit'])} properties`;
    case 'additionalProperties':
      return `${f}: Additional property ${String(p['additionalProperty'])} is not allowed`;
    case 'anyOf':
      return `${f}: Must validate at least one schema (anyOf)`;
    case 'oneOf':
      return `${f}: Must validate one and only one schema (oneOf)`;
    case 'not':
      return `${f}: Must not validate the schema (not)`;
    case 'if':
      return `${f}: Must validate "${String(p['failingKeyword'])}" as "if" was valid`;
    case 'false schema':
      return `${f}: False always fails validation`;
    case 'dependencies':
    case 'dependentRequired':
      return `${f}: Has a dependency on ${String(p['missingProperty'])}`;
    default:
      return `${f}: ${e.message ?? e.keyword}`;
  }
}

const SIZE = new Set(['minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties']);

/**
 * ajv's errors in gojsonschema's shape: a combinator (anyOf/oneOf) keeps only the errors of its best branch (the
 * first with the fewest errors), after its own; an array's size errors come after its items' errors.
 */
function gojsonschemaOrder(all: readonly ErrorObject[]): ErrorObject[] {
  let errs = all.slice();
  for (const c of all.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')) {
    const prefix = c.schemaPath + '/';
    const branches = new Map<number, ErrorObject[]>();
    for (const e of errs) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const i = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      branches.set(i, [...(branches.get(i) ?? []), e]);
    }
    let best: ErrorObject[] = [];
    let bestN = Infinity;
    for (const i of [...branches.keys()].sort((a, b) => a - b)) {
      const b = branches.get(i) as ErrorObject[];
      if (b.length < bestN) {
        best = b;
        bestN = b.length;
      }
    }
    errs = errs.filter((e) => !e.schemaPath.startsWith(prefix));
    const at = errs.indexOf(c);
    errs.splice(at + 1, 0, ...best);
  }
  for (const e of errs.filter((x) => SIZE.has(x.keyword))) {
    const from = errs.indexOf(e);
    let last = from;
    errs.forEach((x, i) => {
      if (x.instancePath.startsWith(e.instancePath + '/')) last = Math.max(last, i);
    });
    if (last > from) {
      errs.splice(from, 1);
      errs.splice(last, 0, e);
    }
  }
  return errs;
}

/** ValidateAgainstSingleSchema: the `- field: description` lines, or '' when valid. */
export function validateAgainstSingleSchema(values: Values, schema: Buffer | string): string {
  const fn = compile(schema.toString());
  const data = toJsonValue(values);
  if (fn(data)) return '';
  const errs = gojsonschemaOrder(fn.errors ?? []);
  return errs
    .map((e) => describe(e, data))
    .filter((s): s is string => s !== undefined)
    .map((s) => `- ${s}\n`)
    .join('');
}

/** chartutil.ValidateAgainstSchema over the chart tree ('' when every chart's values are valid). */
export function validateAgainstSchema(chart: Chart, values: Values): string {
  let sb = '';
  if (chart.schema !== null) {
    const err = validateAgainstSingleSchema(values, chart.schema);
    if (err !== '') sb += `${chart.name()}:\n${err}`;
  }
  for (const sub of chart.dependencies()) {
    const sv = values[sub.name()];
    sb += validateAgainstSchema(sub, isPlainMap(sv) ? sv : {});
  }
  return sb;
}

/** The error `helm template` reports for invalid values. */
export class SchemaValidationError extends Error {}

/** Throws Helm's error when the values don't meet the schemas. */
export function checkSchemas(chart: Chart, values: Values): void {
  const err = validateAgainstSchema(chart, values);
  if (err !== '') {
    throw new SchemaValidationError(
      `values don't meet the specifications of the schema(s) in the following chart(s):\n${err}`,
    );
  }
}
