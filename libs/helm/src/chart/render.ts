// What Helm builds around the templates: the capabilities of `helm template` (chartutil.DefaultCapabilities of helm
// 3.18.0), ToRenderValues (`.Values`, `.Release`, `.Chart`, `.Capabilities`) and the engine's per-chart objects
// (recAllTpls: `.Files`, `.Subcharts`, subchart `.Values`, `.Template`).
import { GO_METHODS, GO_TYPE, GoFunc, GoStruct } from '../template/values.ts';
import { coalesceValues, isPlainMap, table } from '../values/coalesce.ts';
import type { Values } from '../values/yaml.ts';
import type { Chart } from './chart.ts';
import { checkDependencies, processDependencies } from './dependencies.ts';
import { marshalYaml } from '../engine/yaml.ts';
import { filesObject } from './files.ts';
import { metadataJson, type Dependency, type Maintainer, type Metadata } from './metadata.ts';
import { checkSchemas } from './schema.ts';
import { isCompatibleRange, parseVersion } from './semver.ts';

/** chartutil.KubeVersion. */
export interface KubeVersion {
  version: string;
  major: string;
  minor: string;
}

/** helm's version.BuildInfo. */
export interface HelmBuildInfo {
  version: string;
  gitCommit: string;
  gitTreeState: string;
  goVersion: string;
}

/** chartutil.Capabilities. */
export interface Capabilities {
  kubeVersion: KubeVersion;
  apiVersions: string[];
  helmVersion: HelmBuildInfo;
}

/** The API versions `helm template` assumes (client-go's scheme of helm 3.18.0), in its order. */
export const DEFAULT_API_VERSIONS: readonly string[] = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'admissionregistration.k8s.io/v1alpha1',
  'admissionregistration.k8s.io/v1beta1',
  'internal.apiserver.k8s.io/v1alpha1',
  'apps/v1',
  'apps/v1beta1',
  'apps/v1beta2',
  'authentication.k8s.io/v1',
  'authentication.k8s.io/v1alpha1',
  'authentication.k8s.io/v1beta1',
  'authorization.k8s.io/v1',
  'authorization.k8s.io/v1beta1',
  'autoscaling/v1',
  'autoscaling/v2',
  'autoscaling/v2beta1',
  'autoscaling/v2beta2',
  'batch/v1',
  'batch/v1beta1',
  'certificates.k8s.io/v1',
  'certificates.k8s.io/v1beta1',
  'certificates.k8s.io/v1alpha1',
  'coordination.k8s.io/v1alpha2',
  'coordination.k8s.io/v1beta1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'discovery.k8s.io/v1beta1',
  'events.k8s.io/v1',
  'events.k8s.io/v1beta1',
  'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1',
  'networking.k8s.io/v1alpha1',
  'networking.k8s.io/v1beta1',
  'node.k8s.io/v1',
  'node.k8s.io/v1alpha1',
  'node.k8s.io/v1beta1',
  'policy/v1',
  'policy/v1beta1',
  'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1beta1',
  'rbac.authorization.k8s.io/v1alpha1',
  'resource.k8s.io/v1beta2',
  'resource.k8s.io/v1beta1',
  'resource.k8s.io/v1alpha3',
  'scheduling.k8s.io/v1alpha1',
  'scheduling.k8s.io/v1beta1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1beta1',
  'storage.k8s.io/v1',
  'storage.k8s.io/v1alpha1',
  'storagemigration.k8s.io/v1alpha1',
  'apiextensions.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1',
];

/** The helm this rendering matches. */
export const HELM_BUILD_INFO: HelmBuildInfo = {
  version: 'v3.18.0',
  gitCommit: 'cc58e3f5a3aa615c6a86275e6f4444b5fdd3cc4e',
  gitTreeState: 'clean',
  goVersion: 'go1.24.3',
};

/** chartutil.ParseKubeVersion (`--kube-version`). */
export function parseKubeVersion(s: string): KubeVersion {
  const v = parseVersion(s);
  if (v === undefined) throw new Error('Invalid Semantic Version');
  const pre = v.pre === '' ? '' : `-${v.pre}`;
  return { version: `v${v.major}.${v.minor}.${v.patch}${pre}`, major: String(v.major), minor: String(v.minor) };
}

/** `helm template`'s capabilities: Kubernetes v1.33.0 unless `--kube-version`, plus `--api-versions`. */
export function defaultCapabilities(
  opts: { kubeVersion?: string; apiVersions?: readonly string[] } = {},
): Capabilities {
  return {
    kubeVersion:
      opts.kubeVersion !== undefined
        ? parseKubeVersion(opts.kubeVersion)
        : { version: 'v1.33.0', major: '1', minor: '33' },
    apiVersions: [...DEFAULT_API_VERSIONS, ...(opts.apiVersions ?? [])],
    helmVersion: { ...HELM_BUILD_INFO },
  };
}

/** `.Capabilities` as templates see it (KubeVersion prints as its Version, APIVersions.Has). */
export function capabilitiesObject(c: Capabilities): GoStruct {
  const kv = new GoStruct(
    'chartutil.KubeVersion',
    new Map<string, unknown>([
      ['Version', c.kubeVersion.version],
      ['Major', c.kubeVersion.major],
      ['Minor', c.kubeVersion.minor],
    ]),
    {
      String: new GoFunc([], () => c.kubeVersion.version, { typeName: 'func() string' }),
      GitVersion: new GoFunc([], () => c.kubeVersion.version, { typeName: 'func() string' }),
    },
    { pointerMethods: true },
  );
  const apis: string[] & { [GO_TYPE]?: string; [GO_METHODS]?: Record<string, GoFunc> } = [...c.apiVersions];
  apis[GO_TYPE] = 'chartutil.VersionSet';
  apis[GO_METHODS] = {
    Has: new GoFunc(['string'], (v: string) => c.apiVersions.includes(v), { typeName: 'func(string) bool' }),
  };
  const hv = new GoStruct(
    'version.BuildInfo',
    new Map<string, unknown>([
      ['Version', c.helmVersion.version],
      ['GitCommit', c.helmVersion.gitCommit],
      ['GitTreeState', c.helmVersion.gitTreeState],
      ['GoVersion', c.helmVersion.goVersion],
    ]),
    {},
    {
      json: () =>
        orderedJson({
          version: c.helmVersion.version,
          git_commit: c.helmVersion.gitCommit,
          git_tree_state: c.helmVersion.gitTreeState,
          go_version: c.helmVersion.goVersion,
        }),
    },
  );
  return new GoStruct(
    '*chartutil.Capabilities',
    new Map<string, unknown>([
      ['KubeVersion', kv],
      ['APIVersions', apis],
      ['HelmVersion', hv],
    ]),
  );
}

function maintainerObject(m: Maintainer | null): unknown {
  if (m === null) return null;
  return new GoStruct(
    '*chart.Maintainer',
    new Map<string, unknown>([
      ['Name', m.name],
      ['Email', m.email],
      ['URL', m.url],
    ]),
  );
}

function dependencyObject(d: Dependency | null): unknown {
  if (d === null) return null;
  return new GoStruct(
    '*chart.Dependency',
    new Map<string, unknown>([
      ['Name', d.name],
      ['Version', d.version],
      ['Repository', d.repository],
      ['Condition', d.condition],
      ['Tags', d.tags ?? []],
      ['Enabled', d.enabled],
      ['ImportValues', d.importValues ?? []],
      ['Alias', d.alias],
    ]),
  );
}

/** `.Chart`: the embedded chart.Metadata (its fields promoted) and IsRoot. */
export function chartObject(md: Metadata, isRoot: boolean): GoStruct {
  const annotations: Record<string | symbol, unknown> = { ...(md.annotations ?? {}) };
  annotations[GO_TYPE] = 'map[string]string';
  const metadata = new GoStruct(
    'chart.Metadata',
    new Map<string, unknown>([
      ['Name', md.name],
      ['Home', md.home],
      ['Sources', typed([...(md.sources ?? [])], '[]string')],
      ['Version', md.version],
      ['Description', md.description],
      ['Keywords', typed([...(md.keywords ?? [])], '[]string')],
      ['Maintainers', typed((md.maintainers ?? []).map(maintainerObject), '[]*chart.Maintainer')],
      ['Icon', md.icon],
      ['APIVersion', md.apiVersion],
      ['Condition', md.condition],
      ['Tags', md.tags],
      ['AppVersion', md.appVersion],
      ['Deprecated', md.deprecated],
      ['Annotations', annotations],
      ['KubeVersion', md.kubeVersion],
      ['Dependencies', typed((md.dependencies ?? []).map(dependencyObject), '[]*chart.Dependency')],
      ['Type', md.type],
    ]),
  );
  return new GoStruct(
    'struct { chart.Metadata; IsRoot bool }',
    new Map<string, unknown>([
      ['Metadata', metadata],
      ['IsRoot', isRoot],
    ]),
    {},
    { embedded: ['Metadata'], json: () => orderedJson({ ...metadataJson(md), IsRoot: isRoot }) },
  );
}

/** chartutil.ReleaseOptions. */
export interface ReleaseOptions {
  name: string;
  namespace?: string;
  revision?: number;
  isInstall?: boolean;
  isUpgrade?: boolean;
}

/** The `.Release` map. */
export function releaseObject(o: ReleaseOptions): Record<string, unknown> {
  return {
    Name: o.name,
    Namespace: o.namespace ?? 'default',
    IsUpgrade: o.isUpgrade ?? false,
    IsInstall: o.isInstall ?? !(o.isUpgrade ?? false),
    Revision: BigInt(o.revision ?? 1),
    Service: 'Helm',
  };
}

function isTable(v: unknown): v is Values {
  return isPlainMap(v);
}

/** chartutil.Values.Table: the table at a dotted path (`"x" is not a table`). */
function valuesTable(v: Values, name: string): Values {
  let t: Values = v;
  for (const n of name.split('.')) {
    if (!Object.prototype.hasOwnProperty.call(t, n)) throw new Error(`${JSON.stringify(n)} is not a table`);
    const next = t[n];
    if (!isTable(next)) throw new Error(`${JSON.stringify(n)} is not a table`);
    t = next;
  }
  return t;
}

/** chartutil.Values.PathValue: a non-table value at a dotted path (`"x" is not a value`). */
function valuesPathValue(v: Values, path: string): unknown {
  if (path === '') throw new Error('YAML path cannot be empty');
  const parts = path.split('.');
  const key = parts.pop() as string;
  let t: Values = v;
  if (parts.length > 0) {
    try {
      t = valuesTable(v, parts.join('.'));
    } catch {
      throw new Error(`${JSON.stringify(key)} is not a value`);
    }
  }
  if (Object.prototype.hasOwnProperty.call(t, key) && !isTable(t[key])) return t[key] ?? null;
  throw new Error(`${JSON.stringify(key)} is not a value`);
}

/** Marks a map as chartutil.Values, with its methods (AsMap, YAML, Table, PathValue). */
export function asValues(v: Values): Values {
  const m = v as Values & { [GO_TYPE]?: string; [GO_METHODS]?: Record<string, GoFunc> };
  m[GO_TYPE] = 'chartutil.Values';
  m[GO_METHODS] = {
    AsMap: new GoFunc([], () => ({ ...v }), { typeName: 'func() map[string]interface {}' }),
    YAML: new GoFunc([], () => marshalYaml(v), { typeName: 'func() (string, error)' }),
    Table: new GoFunc(['string'], (name: string) => asValues({ ...valuesTable(v, name) }), {
      typeName: 'func(string) (chartutil.Values, error)',
    }),
    PathValue: new GoFunc(['string'], (path: string) => valuesPathValue(v, path), {
      typeName: 'func(string) (interface {}, error)',
    }),
  };
  return v;
}

/** A JSON-like value as encoding/json marshals a struct: objects keep their key order. */
function orderedJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(orderedJson);
  if (isPlainMap(v)) return new GoStruct('', new Map(Object.entries(v).map(([k, e]) => [k, orderedJson(e)])));
  return v;
}

function typed<T>(a: T[], type: string): T[] {
  (a as T[] & { [GO_TYPE]?: string })[GO_TYPE] = type;
  return a;
}

/** chartutil.ToRenderValuesWithSchemaValidation: the top-level object and the coalesced values. */
export function toRenderValues(
  chart: Chart,
  vals: Values,
  release: ReleaseOptions,
  caps: Capabilities,
  opts: { skipSchemaValidation?: boolean } = {},
): { top: Record<string, unknown>; values: Values } {
  const values = coalesceValues(chart, vals);
  if (!(opts.skipSchemaValidation ?? false)) checkSchemas(chart, values);
  const top: Record<string, unknown> = {
    Chart: chartObject(chart.metadata, chart.isRoot()),
    Capabilities: capabilitiesObject(caps),
    Release: releaseObject(release),
    Values: asValues(values),
  };
  return { top, values };
}

/** A template to render with its data (engine.renderable). */
export interface Renderable {
  /** The template's name: `<chart full path>/templates/…`. */
  name: string;
  text: string;
  /** The data, with `.Template` set for this template. */
  data: Record<string, unknown>;
  basePath: string;
  /**
   * The chart's shared objects (engine.renderable.vals): one map per chart, on which the engine sets `.Template`
   * before executing each of its templates, as Helm does (`.Subcharts.x.Template` sees the last one).
   */
  vals: Record<string, unknown>;
}

function isTemplateValid(c: Chart, name: string): boolean {
  if (c.metadata.type === 'library') return name.slice(name.lastIndexOf('/') + 1).startsWith('_');
  return true;
}

function recAllTpls(c: Chart, out: Renderable[], values: Record<string, unknown>): Record<string, unknown> {
  const subCharts: Record<string, unknown> = {};
  const next: Record<string, unknown> = {
    Chart: chartObject(c.metadata, c.isRoot()),
    Files: filesObject(c.files),
    Release: values['Release'],
    Capabilities: values['Capabilities'],
    Values: asValues({}),
    Subcharts: subCharts,
  };
  if (c.isRoot()) next['Values'] = values['Values'];
  else {
    const vs = isPlainMap(values['Values']) ? table(values['Values'], c.name()) : undefined;
    if (vs !== undefined) next['Values'] = asValues(vs);
  }
  for (const child of c.dependencies()) subCharts[child.name()] = recAllTpls(child, out, next);
  const parentID = c.chartFullPath();
  for (const t of c.templates) {
    if (!isTemplateValid(c, t.name)) continue;
    const name = `${parentID}/${t.name}`;
    const basePath = `${parentID}/templates`;
    out.push({
      name,
      text: t.data.toString('utf8'),
      data: { ...next, Template: asValues({ Name: name, BasePath: basePath }) },
      basePath,
      vals: next,
    });
  }
  return next;
}

/** Every template of the chart tree with the objects it renders with, sorted by name. */
export function allTemplates(chart: Chart, top: Record<string, unknown>): Renderable[] {
  const out: Renderable[] = [];
  recAllTpls(chart, out, top);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Options of {@link prepareRender}. */
export interface PrepareOptions {
  release: ReleaseOptions;
  capabilities?: Capabilities;
  skipSchemaValidation?: boolean;
}

/**
 * What `helm template`/`install` does before rendering: installable check, dependency check, dependencies
 * processing (conditions, tags, aliases, import-values), kubeVersion check, coalescing and schema validation.
 */
export function prepareRender(
  chart: Chart,
  userValues: Values,
  opts: PrepareOptions,
): { top: Record<string, unknown>; values: Values; templates: Renderable[]; capabilities: Capabilities } {
  const t = chart.metadata.type;
  if (t !== '' && t !== 'application') throw new Error(`${t} charts are not installable`);
  try {
    checkDependencies(chart);
  } catch (e) {
    throw new Error(
      `An error occurred while checking for chart dependencies. You may need to run \`helm dependency build\` to fetch missing dependencies: ${(e as Error).message}`,
      { cause: e },
    );
  }
  processDependencies(chart, userValues, { merge: true });
  const caps = opts.capabilities ?? defaultCapabilities();
  const { top, values } = toRenderValues(chart, userValues, opts.release, caps, {
    skipSchemaValidation: opts.skipSchemaValidation ?? false,
  });
  if (chart.metadata.kubeVersion !== '' && !isCompatibleRange(chart.metadata.kubeVersion, caps.kubeVersion.version)) {
    throw new Error(
      `chart requires kubeVersion: ${chart.metadata.kubeVersion} which is incompatible with Kubernetes ${caps.kubeVersion.version}`,
    );
  }
  return { top, values, templates: allTemplates(chart, top), capabilities: caps };
}
