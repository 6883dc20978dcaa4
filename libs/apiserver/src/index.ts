/** @flux-ts/apiserver: an in-process Kubernetes API server for tests and `npm start`. */
export { startApiServer, parseBody, parseResourcePath } from './server.ts';
export type {
  ApiServer,
  ApiServerOptions,
  ApiServerHooks,
  ErrorRule,
  PodLogOptions,
  PodLogProvider,
  RequestCounters,
  RequestLogEntry,
} from './server.ts';
export type { TrustedIssuer } from './auth/token.ts';
export { ApiCore, PATCH_TYPES } from './api.ts';
export type { WriteOptions, ListOptions, ListResult, DeleteOptions, FieldValidation } from './api.ts';
export { Store, Bucket } from './store.ts';
export type { StoreEvent, StoreJournal, StoreSnapshot, StoreWatcher, DependentRef } from './store.ts';
export { Registry, bucketOf, compareKubeVersions } from './registry.ts';
export { builtinResources, pluralOf, apiVersionOf, splitApiVersion } from './resources.ts';
export type { ResourceDef, PrinterColumn, ScaleSpec } from './resources.ts';
export {
  StatusError,
  notFound,
  alreadyExists,
  conflict,
  invalid,
  badRequest,
  forbidden,
  qualifiedResource,
} from './errors.ts';
export type { StatusBody, StatusCause, StatusDetails } from './errors.ts';
export { parseLabelSelector, labelSelector, fieldSelector, labelSelectorFromObject } from './selectors.ts';
export { kubeconfigYaml } from './kubeconfig.ts';
export { generateServingCerts } from './certs.ts';
export type { ServingCerts } from './certs.ts';
export { toTable, parseJsonPath, evalJsonPath } from './table.ts';
export { humanDuration } from './util.ts';
// the Deployment controller's pure functions, for libs/embedded's process runtime (which writes them over HTTP)
export {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  deploymentStatus,
  findNewReplicaSet,
  isControlledBy,
  podFor,
  resolveFenceposts,
  syncDeployment,
  withoutTimes,
} from './workload/index.ts';
