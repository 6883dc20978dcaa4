/**
 * @flux-ts/ssa — the server-side apply manager of kustomize-controller (fluxcd/pkg `ssa`): dry-run diff apply with
 * Flux's change sets, staged apply, per-object policies, inventory and prune, and a kstatus health checker with
 * CEL `healthCheckExprs`.
 */
export {
  groupOfApiVersion,
  versionOfApiVersion,
  objMetadataOf,
  objMetadataToId,
  parseObjMetadataId,
  formatSubject,
  formatObject,
} from './object-ref.ts';
export type { ObjMetadata } from './object-ref.ts';
export { Action, ChangeSet, changeSetEntry } from './change-set.ts';
export type { ChangeSetEntry } from './change-set.ts';
export { ssaPolicyOf, isReconcileDisabled, isForceEnabled, isApplySkipped, isPruneDisabled } from './policy.ts';
export type { SsaPolicy } from './policy.ts';
export { inventoryOf, inventoryOfChangeSet, staleEntries, entryRef } from './inventory.ts';
export type { Inventory, InventoryEntry } from './inventory.ts';
export {
  DefaultFieldManager,
  ResourceManager,
  applyStages,
  cleanupPatch,
  fluxCleanupOptions,
  hasDrifted,
  isClusterDefinition,
  isImmutableError,
  jsonEqual,
  mapLimit,
} from './resource-manager.ts';
export type {
  ApplyOptions,
  ApplyStage,
  CleanupOptions,
  DeleteAllOptions,
  FieldManagerRef,
  ResourceManagerOptions,
  SsaClient,
  SsaLogger,
  StagedApplyOptions,
} from './resource-manager.ts';
export { HealthChecker, HealthCheckError, computeStatus, compileHealthChecks } from './health.ts';
export type {
  CustomHealthCheck,
  HealthCheckerOptions,
  HealthClient,
  HealthRef,
  HealthStatus,
  PendingObject,
  StatusResult,
  WaitOptions,
} from './health.ts';
export { applyIgnoreRules, parsePointer, ownsField } from './drift-ignore.ts';
