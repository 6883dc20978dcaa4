// helm 3.18.0's pkg/action release actions (install, upgrade, rollback, uninstall, test) over an injected cluster
// client and waiter, writing release records exactly as helm does.
/** The injected cluster side: client, waiter, objects, ownership metadata. */
export {
  buildObjects,
  existingResourceConflict,
  isAlreadyExists,
  objectKey,
  ownershipError,
  refOf,
  resourceString,
  setOwnership,
  MANAGED_BY_HELM,
  MANAGED_BY_LABEL,
  RELEASE_NAME_ANNOTATION,
  RELEASE_NAMESPACE_ANNOTATION,
  RESOURCE_POLICY_ANNOTATION,
} from './kube.ts';
export type {
  DeletionPropagation,
  HelmKubeClient,
  KubeObject,
  ListOptions,
  ObjectRef,
  WaitOptions,
  Waiter,
} from './kube.ts';
/** kstatus-style readiness and a polling waiter. */
export { hookStatus, objectStatus, StatusWaiter, WaitError } from './status.ts';
export type { ObjectStatus, ReadyStatus, StatusWaiterOptions } from './status.ts';
/** The three-way merge patch of an upgrade. */
export { threeWayMergePatch } from './patch.ts';
/** kube.Create / Update / Delete. */
export {
  applyServerSide,
  createObjects,
  deleteObjects,
  multiErrorMessage,
  updateObjects,
  upgradeClientSideFieldManager,
  UpdateError,
} from './resources.ts';
export type { ApplyStrategy, UpdateOptions, UpdateResult } from './resources.ts';
/** The configuration shared by the actions, release records and storage helpers. */
export {
  ActionRun,
  DEFAULT_TIMEOUT_MS,
  ERR_PENDING,
  goTime,
  kubeSecretsClient,
  NoDeployedReleasesError,
  ReleaseActionError,
  releaseChart,
  releaseHook,
  validateReleaseName,
} from './configuration.ts';
export type { ActionConfig } from './configuration.ts';
/** Hooks (weight order, delete policies). */
export { compareHooks, deleteHookByPolicy, execHook } from './hooks.ts';
export type { HookDeletePolicy } from './hooks.ts';
/** CRDs of crds/ by helm-controller's policy. */
export { applyCrds } from './crds.ts';
export type { CrdPolicy } from './crds.ts';
/** The actions. */
export {
  applyMethodOf,
  install,
  postRenderForRelease,
  renderForRelease,
  resolveServerSideApply,
  setStatus,
} from './install.ts';
export type { ServerSideApplyMode } from './install.ts';
/** Post-rendering of rendered resources (helm 4's strategies). */
export { POSTRENDER_FILENAME_ANNOTATION, postRenderResources } from './post-render.ts';
export type { PostRenderer, PostRenderStrategy } from './post-render.ts';
export type { InstallOptions } from './install.ts';
export { upgrade } from './upgrade.ts';
export type { UpgradeOptions } from './upgrade.ts';
export { rollback } from './rollback.ts';
export type { RollbackOptions } from './rollback.ts';
export { uninstall } from './uninstall.ts';
export type { UninstallOptions, UninstallResult } from './uninstall.ts';
export { testRelease } from './release-testing.ts';
export type { TestOptions } from './release-testing.ts';
