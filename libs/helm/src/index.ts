/** Go text/template: template sets, parsing and execution with Go's semantics and error messages. */
export { Template, ExecError, ParseError, isTrue } from './template/index.ts';
export type { MissingKey } from './template/index.ts';
/** The builtin functions of text/template (and, or, not, len, index, slice, eq…, print…, html, js, urlquery, call). */
export { BUILTINS } from './template/index.ts';
/** Go's fmt: Sprint, Sprintf, Sprintln, strconv.Quote and strconv.FormatFloat. */
export { sprint, sprintf, sprintln, goQuote, formatFloat } from './template/index.ts';
/** The Go value model: typed integers and floats, json.Number, functions (GoFunc, FuncMap), structs, map types. */
export {
  GoInt,
  GoFloat,
  GoComplex,
  JsonNumber,
  GoFunc,
  GoStruct,
  GO_TYPE,
  typeName,
  kindOf,
} from './template/index.ts';
export type { FuncMap, ParamType, GoIntKind, Kind } from './template/index.ts';
/** Helm's form of a Go parse error, `parse error at (FILE:LINE): MSG` (pkg/engine cleanupParseError). */
export { cleanupParseError } from './engine/errors.ts';
/** Helm's engine (pkg/engine): renders a chart's templates with Helm's functions, as `helm template` does. */
export { renderChart, renderTemplates, sortTemplates } from './engine/render.ts';
export type { RenderOptions, LookupFunc, EngineTemplate } from './engine/render.ts';
export { helmFuncMap } from './engine/funcs.ts';
/** Sprig v3.3.0's functions as Helm 3.18 exposes them (without env/expandenv; Helm's own functions are separate). */
export { sprigFuncs } from './sprig/index.ts';
export type { SprigOptions } from './sprig/index.ts';
export { GoTime, Location as GoLocation, loadLocation, parseDuration, durationString } from './sprig/time.ts';
/** Charts: loading (directory, .tgz, files), Chart.yaml metadata and validation, .helmignore, values.schema.json. */
export { Chart } from './chart/chart.ts';
export type { ChartFile } from './chart/chart.ts';
export { loadChart, loadDir, loadArchive, loadFiles, readChartDir, loadValues, type ChartFs } from './chart/loader.ts';
export {
  loadArchiveFiles,
  writeArchive,
  MAX_DECOMPRESSED_CHART_SIZE,
  MAX_DECOMPRESSED_FILE_SIZE,
} from './chart/archive.ts';
export { decodeMetadata, validateMetadata, metadataJson, dependencyJson, ValidationError } from './chart/metadata.ts';
export type { Metadata, Dependency, Maintainer, Lock } from './chart/metadata.ts';
export { IgnoreRules, goMatch, HELM_IGNORE } from './chart/helmignore.ts';
export { parseVersion, parseConstraint, satisfies, isCompatibleRange } from './chart/semver.ts';
export {
  validateAgainstSchema,
  validateAgainstSingleSchema,
  checkSchemas,
  SchemaValidationError,
} from './chart/schema.ts';
/** Dependencies (condition, tags, alias, import-values) and the render objects (.Values, .Release, .Chart, …). */
export { processDependencies, checkDependencies } from './chart/dependencies.ts';
export {
  prepareRender,
  toRenderValues,
  allTemplates,
  defaultCapabilities,
  parseKubeVersion,
  capabilitiesObject,
  chartObject,
  releaseObject,
  DEFAULT_API_VERSIONS,
  HELM_BUILD_INFO,
} from './chart/render.ts';
export type {
  Capabilities,
  KubeVersion,
  HelmBuildInfo,
  ReleaseOptions,
  Renderable,
  PrepareOptions,
} from './chart/render.ts';
export { filesObject, compileGlob } from './chart/files.ts';
export { stringMapYaml, toYaml, toYamlPretty, fromYaml, fromYamlArray, marshalYaml } from './engine/yaml.ts';
/** Values: values files as helm reads them, --set parsers (strvals), -f/--set merging, coalescing. */
export { parseYaml, readValues, jsonFloat } from './values/yaml.ts';
export type { Values, NumberMode } from './values/yaml.ts';
export {
  parseInto,
  parseIntoString,
  parseIntoFile,
  parseJson,
  parseLiteralInto,
  parse as parseSet,
  typedVal,
} from './values/strvals.ts';
export { mergeValues, mergeMaps } from './values/options.ts';
export type { ValuesOptions, FileReader } from './values/options.ts';
export {
  coalesceValues,
  mergeChartValues,
  coalesceTables,
  mergeTables,
  table,
  pathValue,
  GLOBAL_KEY,
} from './values/coalesce.ts';
/** Release storage compatible with the helm CLI (Secrets driver, helm.sh/release.v1). */
export {
  encodeRelease,
  decodeRelease,
  releaseJson,
  releaseKey,
  releaseToSecret,
  secretToRelease,
  SecretsDriver,
  ReleaseNotFoundError,
  ReleaseExistsError,
  RELEASE_SECRET_TYPE,
  SYSTEM_LABELS,
} from './release/storage.ts';
export type {
  ApplyMethod,
  Release,
  ReleaseInfo,
  ReleaseChart,
  ReleaseFile,
  ReleaseHook,
  ReleaseStatus,
  SecretObject,
  SecretsClient,
} from './release/storage.ts';
/** releaseutil (manifest splitting, hooks, kind order) and `helm template`'s output assembly; the CLI's runner. */
export * from './releaseutil/index.ts';
export { runCli, parseTemplateFlags } from './cli/template.ts';
export type { CliResult, CliEnv, CliOptions, TemplateFlags } from './cli/template.ts';
/** The repository side: index.yaml, HTTP chart repositories, packaging, dependency build. */
export * from './repo/index.ts';
/** Charts in OCI registries. */
export * from './registry/index.ts';
/** Helm's release actions (install, upgrade, rollback, uninstall, test) over an injected cluster client. */
export * from './action/index.ts';
