// Helm 3.18.0's pkg/engine: one template set for every template of the chart tree, parsed in Helm's order, Helm's
// functions, `<no value>` replacement and Helm's error reformatting (cleanupParseError, reformatExecErrorMsg).
import type { Chart } from '../chart/chart.ts';
import { asValues, prepareRender, type PrepareOptions, type Renderable } from '../chart/render.ts';
import type { SprigOptions } from '../sprig/index.ts';
import { ExecError, Template } from '../template/exec.ts';
import { ParseError } from '../template/parse.ts';
import type { Values } from '../values/yaml.ts';
import { cleanupParseError } from './errors.ts';
import { initFunMap, warnMessage } from './funcs.ts';

/** The `lookup` function's backend: the object (or list) as a JSON-like map; `helm template` always gives `{}`. */
export type LookupFunc = (apiVersion: string, kind: string, namespace: string, name: string) => Record<string, unknown>;

/** Options of {@link renderChart}: the release and capabilities, plus strict mode and the lookup backend. */
export interface RenderOptions extends PrepareOptions {
  /** `missingkey=error` instead of `missingkey=zero` (engine.Strict, as `helm lint --strict`). */
  strict?: boolean;
  /** The `lookup` backend; without one, lookup returns an empty map as `helm template` does. */
  lookup?: LookupFunc;
  /** Lint mode (engine.LintMode): `required` and `fail` don't fail. */
  lintMode?: boolean;
  /** I/O of Sprig's non-deterministic functions (clock, local zone, randomness). */
  sprig?: SprigOptions;
}

/** A template to render: its name, text, the chart's shared objects and its base path. */
export interface EngineTemplate {
  name: string;
  text: string;
  vals: Record<string, unknown>;
  basePath: string;
}

function slashes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}

function compareBytes(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/** engine.sortTemplates: deeper paths first, then by name descending (sort.Reverse of byPathLen). */
export function sortTemplates(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const ca = slashes(a);
    const cb = slashes(b);
    if (ca !== cb) return cb - ca;
    return compareBytes(b, a);
  });
}

/** reformatExecErrorMsg: `execution error at (LOCATION): MSG` for `required`/`fail` messages, else Go's error. */
export function reformatExecError(filename: string, err: unknown): Error {
  if (!(err instanceof ExecError)) return err instanceof Error ? err : new Error(String(err));
  const msg = err.message;
  const i = msg.indexOf(': ');
  const j = i < 0 ? -1 : msg.indexOf(': ', i + 2);
  if (i < 0 || j < 0) return new Error(`execution error in (${filename}): ${msg}`, { cause: err });
  const location = msg.slice(i + 2, j);
  const warn = warnMessage(msg.slice(j + 2));
  if (warn !== undefined) return new Error(`execution error at (${location}): ${warn}`, { cause: err });
  return err;
}

/** engine.render: parses every template into one set and executes the non-partials. */
export function renderTemplates(
  tpls: readonly EngineTemplate[],
  opts: { strict?: boolean; lookup?: LookupFunc; lintMode?: boolean; sprig?: SprigOptions } = {},
): Map<string, string> {
  const strict = opts.strict ?? false;
  const t = new Template('gotpl').option(strict ? 'missingkey=error' : 'missingkey=zero');
  initFunMap(t, { strict, lintMode: opts.lintMode ?? false, lookup: opts.lookup }, opts.sprig ?? {});
  const byName = new Map(tpls.map((r) => [r.name, r]));
  const keys = sortTemplates([...byName.keys()]);
  for (const filename of keys) {
    const r = byName.get(filename) as EngineTemplate;
    try {
      t.new(filename).parse(r.text);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      throw new Error(cleanupParseError(filename, e.message), { cause: e });
    }
  }
  const rendered = new Map<string, string>();
  for (const filename of keys) {
    if (filename.slice(filename.lastIndexOf('/') + 1).startsWith('_')) continue;
    const r = byName.get(filename) as EngineTemplate;
    r.vals['Template'] = asValues({ Name: filename, BasePath: r.basePath });
    let out: string;
    try {
      out = t.executeTemplate(filename, r.vals);
    } catch (e) {
      throw reformatExecError(filename, e);
    }
    rendered.set(filename, out.split('<no value>').join(''));
  }
  return rendered;
}

/**
 * engine.Render after what `helm template`/`install` does first (prepareRender: dependencies, coalescing, schema,
 * kubeVersion): the output per template name (`<chart>/templates/x.yaml`, subcharts
 * `<chart>/charts/<sub>/templates/…`), partials (`_*`) excluded, NOTES.txt included. Throws Helm's errors.
 */
export function renderChart(chart: Chart, userValues: Values, opts: RenderOptions): Map<string, string> {
  const prep = prepareRender(chart, userValues, opts);
  return renderTemplates(prep.templates.map(toEngineTemplate), opts);
}

function toEngineTemplate(r: Renderable): EngineTemplate {
  return { name: r.name, text: r.text, vals: r.vals, basePath: r.basePath };
}
