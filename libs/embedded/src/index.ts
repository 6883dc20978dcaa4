/**
 * @flux-ts/embedded: flux-ts on the embedded cluster (`npm start`) and fleet validation on a throwaway one
 * (`npm start -- validate`). libs/apiserver is the cluster, each controller runs as its own process over HTTPS,
 * and the demo repository is served by a local smart-HTTP git server, the demo chart by a local chart repository.
 */
export { main } from './cli.ts';
/** Types of the CLI entry point. */
export type { CliContext, CliIO } from './cli.ts';
export {
  startEmbedded,
  createMissing,
  demoObjects,
  DEMO_HELM_RELEASE,
  EmbeddedStartError,
  IMPLEMENTED_CONTROLLERS,
  RECONCILED_KINDS,
} from './embedded.ts';
/** Types of the embedded mode. */
export type { Embedded, EmbeddedOptions } from './embedded.ts';
/** The controllers by name: Flux's six, the optional ones, all. */
export { ALL_CONTROLLERS, EXTRA_CONTROLLERS, FLUX_CONTROLLERS } from './controller-names.ts';
export type { ControllerName } from './controller-names.ts';
export { validateFleet, isSettled, pinSelfReferences } from './validate.ts';
export { fluxRows, rowOf, renderTable, allReady, FLUX_KINDS } from './status.ts';
/** A row of the status table. */
export type { StatusRow } from './status.ts';
export { SnapshotWriter, loadSnapshot, stateLayout, persistentAdminToken } from './state.ts';
/** The state directory's layout. */
export type { StateLayout } from './state.ts';
export { ensureDemoRepo, DEMO_FILES } from './demo-repo.ts';
export { writeChartRepo, ensureDemoChartRepo, startChartServer, DEMO_CHART_FILES } from './chart-repo.ts';
/** Types of the local chart repository. */
export type { ChartServer, LocalChart, WriteChartRepoOptions } from './chart-repo.ts';
/** The demo repository's paths. */
export type { DemoRepo } from './demo-repo.ts';
export {
  startDemoRegistry,
  demoImageObjects,
  DEMO_IMAGE_REPOSITORY,
  DEMO_IMAGE_TAGS,
  DEMO_REGISTRY_MISSING,
} from './demo-images.ts';
/** Types of the demo image registry. */
export type { DemoRegistry, DemoRegistryOptions, DemoRegistryStart } from './demo-images.ts';
export { startControllers, stopControllers, CONTROLLER_NODE_FLAGS, CONTROLLER_ENV_DEFAULTS } from './controllers.ts';
/** Types of the controller processes. */
export type { ControllerProcess, ControllerSpec, StartControllersOptions } from './controllers.ts';
export {
  startProcessRuntime,
  workspaceEntrypoint,
  SERVICE_ACCOUNT_DIR_ENV,
} from './process-runtime/process-runtime.ts';
/** Types of the process runtime (deploy/'s Deployments run as processes). */
export type {
  EntrypointResolver,
  ProcessRuntime,
  ProcessRuntimeOptions,
  RuntimePodInfo,
} from './process-runtime/process-runtime.ts';
/** Controllers bundled by esbuild (cached by their sources) for the process runtime and the images. */
export {
  bundledEntrypoint,
  controllerBundleOptions,
  controllerSourcesKey,
  CONTROLLER_BUNDLE_ENTRY,
} from './process-runtime/bundled-entrypoint.ts';
export type { BundledEntrypoint, BundledEntrypointOptions } from './process-runtime/bundled-entrypoint.ts';
