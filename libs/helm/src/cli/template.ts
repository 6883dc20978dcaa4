// `flux-ts-helm template`: helm 3.18.0's `helm template` command (cmd/helm/template.go, install.go runInstall,
// LocateChart for local charts) with its flags parsed as pflag parses them, its stdout byte for byte and its errors
// as `Error: …` on stderr.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Chart } from '../chart/chart.ts';
import { loadChart } from '../chart/loader.ts';
import { defaultCapabilities, parseKubeVersion } from '../chart/render.ts';
import { helmTemplate, helmTemplateToDir, RenderStepError, type RenderFunc } from '../releaseutil/template.ts';
import { mergeValues, type ValuesOptions } from '../values/options.ts';

/** What a command run printed and its exit code. */
export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** The process environment the command reads. */
export interface CliEnv {
  /** HELM_NAMESPACE: the default of `--namespace`. */
  HELM_NAMESPACE?: string | undefined;
}

/** Options of {@link runCli}. */
export interface CliOptions {
  /** Working directory (relative chart and values paths). */
  cwd: string;
  env?: CliEnv;
  /** The engine (default renderChart). */
  render?: RenderFunc;
}

/** The parsed flags of `helm template`. */
export interface TemplateFlags {
  args: string[];
  values: ValuesOptions & {
    valueFiles: string[];
    values: string[];
    stringValues: string[];
    fileValues: string[];
    jsonValues: string[];
    literalValues: string[];
  };
  namespace: string | undefined;
  includeCrds: boolean;
  skipCrds: boolean;
  noHooks: boolean;
  skipTests: boolean;
  isUpgrade: boolean;
  useReleaseName: boolean;
  skipSchemaValidation: boolean;
  renderSubchartNotes: boolean;
  kubeVersion: string | undefined;
  apiVersions: string[];
  showOnly: string[];
  outputDir: string | undefined;
}

type FlagKind = 'bool' | 'string' | 'array' | 'slice';
interface FlagDef {
  kind: FlagKind;
  set: (f: TemplateFlags, v: string) => void;
}

/** A flag's error as pflag words it. */
class FlagError extends Error {}

function parseBool(name: string, v: string): boolean {
  // strconv.ParseBool
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new FlagError(`invalid argument "${v}" for "${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

/** pflag's StringSlice: the value is a CSV record. */
function csv(v: string): string[] {
  if (v === '') return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (quoted) {
      if (c === '"' && v[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const bool =
  (k: keyof TemplateFlags): FlagDef['set'] =>
  (f, v) => {
    (f as unknown as Record<string, boolean>)[k] = v === 'true';
  };

const FLAGS: Record<string, FlagDef> = {
  values: { kind: 'slice', set: (f, v) => f.values.valueFiles.push(...csv(v)) },
  set: { kind: 'array', set: (f, v) => f.values.values.push(v) },
  'set-string': { kind: 'array', set: (f, v) => f.values.stringValues.push(v) },
  'set-file': { kind: 'array', set: (f, v) => f.values.fileValues.push(v) },
  'set-json': { kind: 'array', set: (f, v) => f.values.jsonValues.push(v) },
  'set-literal': { kind: 'array', set: (f, v) => f.values.literalValues.push(v) },
  namespace: { kind: 'string', set: (f, v) => (f.namespace = v) },
  'include-crds': { kind: 'bool', set: bool('includeCrds') },
  'skip-crds': { kind: 'bool', set: bool('skipCrds') },
  'no-hooks': { kind: 'bool', set: bool('noHooks') },
  'skip-tests': { kind: 'bool', set: bool('skipTests') },
  'is-upgrade': { kind: 'bool', set: bool('isUpgrade') },
  'release-name': { kind: 'bool', set: bool('useReleaseName') },
  'skip-schema-validation': { kind: 'bool', set: bool('skipSchemaValidation') },
  'render-subchart-notes': { kind: 'bool', set: bool('renderSubchartNotes') },
  'kube-version': { kind: 'string', set: (f, v) => (f.kubeVersion = v) },
  'api-versions': { kind: 'array', set: (f, v) => f.apiVersions.push(v) },
  'show-only': { kind: 'array', set: (f, v) => f.showOnly.push(v) },
  'output-dir': { kind: 'string', set: (f, v) => (f.outputDir = v) },
};
const SHORT: Record<string, string> = { f: 'values', n: 'namespace', a: 'api-versions', s: 'show-only' };

/** Parses the arguments after `template` as pflag does (interspersed flags, `--x=v`, `-xv`, `--` ends flags). */
export function parseTemplateFlags(argv: readonly string[]): TemplateFlags {
  const f: TemplateFlags = {
    args: [],
    values: { valueFiles: [], values: [], stringValues: [], fileValues: [], jsonValues: [], literalValues: [] },
    namespace: undefined,
    includeCrds: false,
    skipCrds: false,
    noHooks: false,
    skipTests: false,
    isUpgrade: false,
    useReleaseName: false,
    skipSchemaValidation: false,
    renderSubchartNotes: false,
    kubeVersion: undefined,
    apiVersions: [],
    showOnly: [],
    outputDir: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      f.args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const def = FLAGS[name];
      if (def === undefined) throw new FlagError(`unknown flag: --${name}`);
      if (def.kind === 'bool') {
        def.set(f, String(eq < 0 ? true : parseBool(name, a.slice(eq + 1))));
        continue;
      }
      let v: string;
      if (eq >= 0) v = a.slice(eq + 1);
      else if (i + 1 < argv.length) v = argv[++i] as string;
      else throw new FlagError(`flag needs an argument: --${name}`);
      def.set(f, v);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // a group of shorthands; the first one that takes a value takes the rest (or the next argument)
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        const long = SHORT[c];
        if (long === undefined) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        const def = FLAGS[long] as FlagDef;
        let rest = a.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        else if (rest === '') {
          if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
          rest = argv[++i] as string;
        }
        def.set(f, rest);
        break;
      }
      continue;
    }
    f.args.push(a);
  }
  return f;
}

const VALID_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** chartutil.ValidateReleaseName as availableName reports it. */
function validateReleaseName(name: string): void {
  if (name === '' || name.length > 53 || !VALID_NAME.test(name)) {
    throw new Error(
      `release name ${JSON.stringify(name)}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53`,
    );
  }
}

/** ChartPathOptions.LocateChart for local charts (directories and archives); repositories are not supported. */
function locateChart(name: string, cwd: string): string {
  const p = resolve(cwd, name);
  if (existsSync(p)) return p;
  if (isAbsolute(name) || name.startsWith('.')) throw new Error(`path ${JSON.stringify(name)} not found`);
  if (!name.includes('/')) {
    throw new Error(`non-absolute URLs should be in form of repo_name/path_to_chart, got: ${name}`);
  }
  throw new Error(`chart ${name}: chart repositories are not supported by flux-ts-helm (only local charts)`);
}

/** The install action's NameAndChart for `helm template` (the release name defaults to `release-name`). */
function nameAndChart(args: readonly string[]): [string, string] {
  if (args.length > 2)
    throw new Error(`expected at most two arguments, unexpected arguments: ${args.slice(2).join(', ')}`);
  if (args.length === 2) return [args[0] as string, args[1] as string];
  return ['release-name', args[0] as string];
}

function template(flags: TemplateFlags, opts: CliOptions, out: CliResult): void {
  const kubeVersion = flags.kubeVersion !== undefined && flags.kubeVersion !== '' ? flags.kubeVersion : undefined;
  if (kubeVersion !== undefined) {
    try {
      parseKubeVersion(kubeVersion);
    } catch (e) {
      throw new Error(`invalid kube version '${kubeVersion}': ${(e as Error).message}`, { cause: e });
    }
  }
  const [name, chartName] = nameAndChart(flags.args);
  const chartPath = locateChart(chartName, opts.cwd);
  // relative -f and --set-file paths are read from the working directory and named as given
  const vals = mergeValues(flags.values, (p) => readFileSync(resolve(opts.cwd, p)));
  const chart: Chart = loadChart(chartPath);
  if (chart.metadata.deprecated) out.stderr += 'WARNING: This chart is deprecated\n';
  validateReleaseName(name);
  const namespace = flags.namespace ?? (opts.env?.HELM_NAMESPACE || 'default');
  const upgrade = flags.isUpgrade;
  const common = {
    release: { name, namespace, revision: 1, isInstall: !upgrade, isUpgrade: upgrade },
    capabilities: defaultCapabilities({
      ...(kubeVersion !== undefined ? { kubeVersion } : {}),
      apiVersions: flags.apiVersions,
    }),
    skipSchemaValidation: flags.skipSchemaValidation,
    includeCrds: flags.includeCrds,
    noHooks: flags.noHooks,
    skipTests: flags.skipTests,
    showOnly: flags.showOnly,
    log: (line: string) => (out.stderr += `manifest_sorter.go:199: ${line}\n`),
    ...(opts.render ? { render: opts.render } : {}),
  };
  if (flags.outputDir === undefined || flags.outputDir === '') {
    out.stdout += helmTemplate(chart, vals, common);
    return;
  }
  const r = helmTemplateToDir(chart, vals, {
    ...common,
    outputDir: flags.outputDir,
    useReleaseName: flags.useReleaseName,
  });
  for (const w of r.writes) {
    const p = resolve(opts.cwd, w.path);
    mkdirSync(dirname(p), { recursive: true });
    if (w.append) appendFileSync(p, w.data);
    else writeFileSync(p, w.data);
  }
  out.stdout += r.stdout;
  if (r.error) throw r.error;
}

const USAGE = 'Usage:  flux-ts-helm template [NAME] [CHART] [flags]\n';

/** Runs `flux-ts-helm <argv…>`: only the `template` command. */
export function runCli(argv: readonly string[], opts: CliOptions): CliResult {
  const out: CliResult = { stdout: '', stderr: '', code: 0 };
  const [cmd, ...rest] = argv;
  if (cmd !== 'template') {
    out.stderr =
      cmd === undefined || cmd === '--help' || cmd === '-h'
        ? USAGE
        : `Error: unknown command ${JSON.stringify(cmd)} for "flux-ts-helm"\n`;
    out.code = cmd === '--help' || cmd === '-h' ? 0 : 1;
    return out;
  }
  try {
    const flags = parseTemplateFlags(rest);
    if (flags.args.length < 1) {
      out.stderr = `Error: "helm template" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]\n`;
      out.code = 1;
      return out;
    }
    template(flags, opts, out);
  } catch (e) {
    const msg = (e as Error).message;
    out.stderr += `Error: ${msg}${e instanceof RenderStepError ? '\n\nUse --debug flag to render out invalid YAML' : ''}\n`;
    out.code = 1;
  }
  return out;
}
