/** Typed Kubernetes client over @kubernetes/client-node: verbs, typed errors, QPS/burst, REST mapping, impersonation. */
export { KubeClient, DEFAULT_QPS, DEFAULT_BURST, FLOW_SCHEMA_UID_HEADER, collectionPath } from './client.ts';
export type { KubeClientOptions } from './client.ts';
export {
  ApiError,
  NoKindMatchError,
  StatusReason,
  asApiError,
  reasonForError,
  statusCodeOf,
  redactSecrets,
  parseStatus,
  isNotFound,
  isConflict,
  isAlreadyExists,
  isForbidden,
  isUnauthorized,
  isInvalid,
  isBadRequest,
  isGone,
  isTooManyRequests,
  isInternalError,
  isTimeout,
  isServiceUnavailable,
  isMethodNotSupported,
  isNoMatch,
} from './errors.ts';
export type { StatusBody, StatusCause } from './errors.ts';
export { TokenBucket, systemClock } from './token-bucket.ts';
export type { LimiterClock } from './token-bucket.ts';
export { RestMapper, discoveryPath, mappingsFromResourceList } from './rest-mapper.ts';
export type { DiscoveryFetcher } from './rest-mapper.ts';
export { KubeConfigTransport, buildPath } from './transport.ts';
export type { Transport, TransportRequest, TransportResponse, StreamResponse } from './transport.ts';
export { kubeConfigFromSecret, KUBECONFIG_SECRET_KEYS } from './kubeconfig-secret.ts';
export type { SecretLike, KubeconfigSecretOptions } from './kubeconfig-secret.ts';
export { splitApiVersion, keyString, objectKeyOf } from './types.ts';
export type {
  GroupVersionKind,
  OwnerReference,
  ObjectMeta,
  KubeObject,
  FluxStatus,
  StatusObject,
  ObjectKey,
  ObjectReader,
  RestMapping,
  CallOptions,
  FieldValidation,
  ListOptions,
  ListResult,
  WriteOptions,
  PatchType,
  PatchOptions,
  ApplyOptions,
  DeleteOptions,
  WatchOptions,
  WatchEvent,
  RuntimeLogger,
} from './types.ts';
export {
  kubeConfigFromConfigMap,
  parseClusterAddress,
  KubeConfigConfigMapKeys,
  KubeConfigProviders,
  ObjectLevelWorkloadIdentityGate,
  InconsistentObjectLevelConfigurationMessage,
  UnsupportedKubeConfigProviderError,
} from './kubeconfig-configmap.ts';
export type { KubeConfigConfigMapOptions, WorkloadIdentityKubeConfig } from './kubeconfig-configmap.ts';
