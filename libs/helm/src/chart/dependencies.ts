// chartutil's dependencies.go: enabling subcharts by `condition` (the first path that resolves to a bool wins) and
// `tags`, aliases (a copy of the subchart under the alias), and `import-values` (both forms) into the parent's values;
// action.CheckDependencies.
import {
  coalesceTables,
  coalesceValues,
  deepCopy,
  isPlainMap,
  mergeChartValues,
  mergeTables,
  pathValue,
  table,
  type Printf,
} from '../values/coalesce.ts';
import type { Values } from '../values/yaml.ts';
import type { Chart } from './chart.ts';
import type { Dependency } from './metadata.ts';
import { isCompatibleRange } from './semver.ts';

const noop: Printf = () => {};

function getAliasDependency(charts: readonly Chart[], dep: Dependency): Chart | undefined {
  for (const c of charts) {
    if (c.name() !== dep.name) continue;
    if (!isCompatibleRange(dep.version, c.metadata.version)) continue;
    const out = c.copy();
    if (dep.alias !== '') out.metadata.name = dep.alias;
    return out;
  }
  return undefined;
}

function processDependencyConditions(reqs: readonly Dependency[], cvals: Values, cpath: string, printf: Printf): void {
  for (const r of reqs) {
    for (const c of r.condition.trim().split(',')) {
      if (c.length === 0) continue;
      let res: { found: boolean; value?: unknown };
      try {
        res = pathValue(cvals, cpath + c);
      } catch (e) {
        printf(`Warning: PathValue returned error ${(e as Error).message}`);
        continue;
      }
      if (!res.found) continue;
      if (typeof res.value === 'boolean') {
        r.enabled = res.value;
        break;
      }
      printf(`Warning: Condition path '${c}' for chart ${r.name} returned non-bool value`);
    }
  }
}

function processDependencyTags(reqs: readonly Dependency[], cvals: Values, printf: Printf): void {
  const vt = table(cvals, 'tags');
  if (vt === undefined) return;
  for (const r of reqs) {
    let hasTrue = false;
    let hasFalse = false;
    for (const k of r.tags ?? []) {
      if (!Object.prototype.hasOwnProperty.call(vt, k)) continue;
      const b = vt[k];
      if (typeof b === 'boolean') {
        if (b) hasTrue = true;
        else hasFalse = true;
      } else printf(`Warning: Tag '${k}' for chart ${r.name} returned non-bool value`);
    }
    if (!hasTrue && hasFalse) r.enabled = false;
    else r.enabled = true;
  }
}

function processDependencyEnabled(c: Chart, v: Values, path: string, printf: Printf): void {
  if (c.metadata.dependencies === null) return;
  const reqs = c.metadata.dependencies.filter((d): d is Dependency => d !== null);
  const chartDependencies: Chart[] = [];
  outer: for (const existing of c.dependencies()) {
    for (const req of reqs) {
      if (existing.name() === req.name && isCompatibleRange(req.version, existing.metadata.version)) continue outer;
    }
    chartDependencies.push(existing);
  }
  for (const req of reqs) {
    const cd = getAliasDependency(c.dependencies(), req);
    if (cd !== undefined) chartDependencies.push(cd);
    if (req.alias !== '') req.name = req.alias;
  }
  c.setDependencies(...chartDependencies);
  for (const lr of reqs) lr.enabled = true;
  const cvals = coalesceValues(c, v, printf);
  processDependencyTags(reqs, cvals, printf);
  processDependencyConditions(reqs, cvals, path, printf);
  const rm = new Set(reqs.filter((r) => !r.enabled).map((r) => r.name));
  const cd = c.dependencies().filter((n) => !rm.has(n.metadata.name));
  const cdMetadata = c.metadata.dependencies.filter((n) => n === null || !rm.has(n.name));
  for (const t of cd) processDependencyEnabled(t, cvals, `${path}${t.metadata.name}.`, printf);
  c.metadata.dependencies = cdMetadata;
  c.setDependencies(...cd);
}

function pathToMap(path: string, data: Values): Values {
  if (path === '.') return data;
  let cur: Values = data;
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 0; i--) cur = { [parts[i] as string]: cur };
  return cur;
}

function processImportValues(c: Chart, merge: boolean, printf: Printf): void {
  if (c.metadata.dependencies === null) return;
  let cvals = merge ? mergeChartValues(c, null, printf) : coalesceValues(c, null, printf);
  let b: Values = {};
  for (const r of c.metadata.dependencies) {
    if (r === null) continue;
    const outiv: unknown[] = [];
    for (const riv of r.importValues ?? []) {
      if (isPlainMap(riv)) {
        const child = riv['child'];
        const parent = riv['parent'];
        if (typeof child !== 'string' || typeof parent !== 'string') {
          throw new Error(
            `interface conversion: interface {} is ${child === undefined || child === null ? 'nil' : typeof child}, not string`,
          );
        }
        outiv.push({ child, parent });
        const vv = table(cvals, `${r.name}.${child}`);
        if (vv === undefined) {
          printf(`Warning: ImportValues missing table from chart ${r.name}: no table named "${child}"`);
          continue;
        }
        const m = pathToMap(parent, deepCopy(vv));
        b = (merge ? mergeTables(b, m) : coalesceTables(b, m)) as Values;
      } else if (typeof riv === 'string') {
        const child = `exports.${riv}`;
        outiv.push({ child, parent: '.' });
        const vm = table(cvals, `${r.name}.${child}`);
        if (vm === undefined) {
          printf(`Warning: ImportValues missing table: no table named "${riv}"`);
          continue;
        }
        b = (merge ? mergeTables(b, deepCopy(vm)) : coalesceTables(b, deepCopy(vm))) as Values;
      }
    }
    r.importValues = outiv;
  }
  if (merge) {
    cvals = deepCopy(cvals);
    c.values = mergeTables(cvals, b) as Values;
  } else {
    c.values = coalesceTables(cvals, b) as Values;
  }
}

function processDependencyImportValues(c: Chart, merge: boolean, printf: Printf): void {
  for (const d of c.dependencies()) processDependencyImportValues(d, merge, printf);
  processImportValues(c, merge, printf);
}

/** chartutil.ProcessDependencies (merge false) / ProcessDependenciesWithMerge (merge true, what install uses). */
export function processDependencies(c: Chart, v: Values, opts: { merge?: boolean; printf?: Printf } = {}): void {
  const printf = opts.printf ?? noop;
  processDependencyEnabled(c, v, '', printf);
  processDependencyImportValues(c, opts.merge ?? true, printf);
}

/** action.CheckDependencies: every dependency of Chart.yaml present in charts/. */
export function checkDependencies(c: Chart): void {
  const missing: string[] = [];
  for (const r of c.metadata.dependencies ?? []) {
    if (r === null) continue;
    if (!c.dependencies().some((d) => d.name() === r.name)) missing.push(r.name);
  }
  if (missing.length > 0) {
    throw new Error(`found in Chart.yaml, but missing in charts/ directory: ${missing.join(', ')}`);
  }
}
