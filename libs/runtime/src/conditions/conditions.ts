/**
 * Getters and setters of `status.conditions` (fluxcd/pkg `runtime/conditions` getter.go/setter.go semantics):
 * `set` keeps `lastTransitionTime` unless status, reason or message change, always stamps `observedGeneration`,
 * trims messages to 32 KiB and keeps the list sorted Stalled, Reconciling, Ready first.
 */
import {
  ReadyCondition,
  ReconcilingCondition,
  StalledCondition,
  type Condition,
  type ConditionStatus,
} from '@flux-ts/api';
import type { FluxStatus, StatusObject } from '../client/types.ts';

export type { Condition, ConditionStatus };

/**
 * The slice of a {@link StatusObject} the conditions helpers read and write (`metadata.generation`,
 * `status.conditions`): every `StatusObject` and `FluxObject` is one, and so is a bare test object.
 */
export interface ConditionsObject {
  metadata: Pick<StatusObject['metadata'], 'generation'>;
  status?: Pick<FluxStatus, 'conditions'>;
}

/** Maximum size in bytes of a condition message (the `metav1.Condition` CRD limit). */
export const MaxConditionMessageLength = 32768;
const trimmedMessageSuffix = '...';

/** Injectable clock for `lastTransitionTime` (tests). */
export interface ConditionClock {
  now(): Date;
}

const systemClock: ConditionClock = { now: () => new Date() };

/** RFC 3339 with second precision, as metav1.Time serialises (`2026-01-02T03:04:05Z`). */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Trims a message to at most `max` UTF-8 bytes, ending it with `...` when trimmed. Unlike Go's byte slicing the
 * cut never splits a multi-byte character.
 */
export function trimConditionMessage(msg: string, max = MaxConditionMessageLength): string {
  const limit = Math.max(max, trimmedMessageSuffix.length);
  const bytes = Buffer.from(msg, 'utf8');
  if (bytes.length <= limit) return msg;
  let end = limit - trimmedMessageSuffix.length;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so we cut on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + trimmedMessageSuffix;
}

/** The conditions of an object (empty list when there is no status). */
export function getConditions(obj: ConditionsObject): Condition[] {
  return obj.status?.conditions ?? [];
}

/** Replaces the conditions of an object, creating `status` when needed. */
export function setConditions(obj: ConditionsObject, conditions: Condition[]): void {
  obj.status ??= {};
  obj.status.conditions = conditions;
}

/** The condition of the given type, or undefined. */
export function get(obj: ConditionsObject, type: string): Condition | undefined {
  return getConditions(obj).find((c) => c.type === type);
}

/** True when a condition of the given type exists. */
export function has(obj: ConditionsObject, type: string): boolean {
  return get(obj, type) !== undefined;
}

/** True when a condition of any of the given types exists. */
export function hasAny(obj: ConditionsObject, types: readonly string[]): boolean {
  return types.some((t) => has(obj, t));
}

/** True when the condition of the given type exists and has one of the reasons. */
export function hasAnyReason(obj: ConditionsObject, type: string, ...reasons: string[]): boolean {
  const c = get(obj, type);
  return c !== undefined && reasons.includes(c.reason);
}

/** True when the condition is True (false when absent). */
export function isTrue(obj: ConditionsObject, type: string): boolean {
  return get(obj, type)?.status === 'True';
}

/** True when the condition is False (false when absent). */
export function isFalse(obj: ConditionsObject, type: string): boolean {
  return get(obj, type)?.status === 'False';
}

/** True when the condition is Unknown or absent. */
export function isUnknown(obj: ConditionsObject, type: string): boolean {
  const c = get(obj, type);
  return c === undefined || c.status === 'Unknown';
}

/** Stalled=True and not Reconciling=True. */
export function isStalled(obj: ConditionsObject): boolean {
  return !isTrue(obj, ReconcilingCondition) && isTrue(obj, StalledCondition);
}

/** Reconciling=True and not Stalled=True. */
export function isReconciling(obj: ConditionsObject): boolean {
  return !isTrue(obj, StalledCondition) && isTrue(obj, ReconcilingCondition);
}

/** Ready=True and neither stalled nor reconciling. */
export function isReady(obj: ConditionsObject): boolean {
  return !isStalled(obj) && !isReconciling(obj) && isTrue(obj, ReadyCondition);
}

/** The reason of the condition ('' when absent). */
export function getReason(obj: ConditionsObject, type: string): string {
  return get(obj, type)?.reason ?? '';
}

/** The message of the condition ('' when absent). */
export function getMessage(obj: ConditionsObject, type: string): string {
  return get(obj, type)?.message ?? '';
}

/** The observedGeneration of the condition (0 when absent). */
export function getObservedGeneration(obj: ConditionsObject, type: string): number {
  return get(obj, type)?.observedGeneration ?? 0;
}

const conditionWeights: Record<string, number> = {
  [StalledCondition]: 0,
  [ReconcilingCondition]: 1,
  [ReadyCondition]: 2,
};

/**
 * fluxcd/pkg ordering: Stalled, Reconciling, Ready first; then the others by highest observedGeneration, then
 * by type.
 */
export function compareConditions(a: Condition, b: Condition): number {
  const wa = conditionWeights[a.type];
  const wb = conditionWeights[b.type];
  if (wa !== undefined && wb !== undefined) return wa - wb;
  if (wa !== undefined) return -1;
  if (wb !== undefined) return 1;
  const ga = a.observedGeneration ?? 0;
  const gb = b.observedGeneration ?? 0;
  if (ga !== gb) return gb - ga;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

/** Type, status, reason and message equal (lastTransitionTime and observedGeneration ignored). */
export function hasSameState(a: Condition, b: Condition): boolean {
  return a.type === b.type && a.status === b.status && a.reason === b.reason && a.message === b.message;
}

/** Options of {@link set}. */
export interface SetOptions {
  clock?: ConditionClock;
}

/** A condition without the fields `set` computes. */
export type NewCondition = Pick<Condition, 'type' | 'status' | 'reason' | 'message'> & {
  lastTransitionTime?: string;
};

/**
 * Sets a condition: observedGeneration = metadata.generation, message trimmed, lastTransitionTime kept unless
 * status/reason/message changed, list re-sorted.
 */
export function set(obj: ConditionsObject, condition: NewCondition, opts: SetOptions = {}): void {
  const clock = opts.clock ?? systemClock;
  const next: Condition = {
    type: condition.type,
    status: condition.status,
    observedGeneration: obj.metadata.generation ?? 0,
    lastTransitionTime: condition.lastTransitionTime ?? '',
    reason: condition.reason,
    message: trimConditionMessage(condition.message),
  };
  const conditions = [...getConditions(obj)];
  const i = conditions.findIndex((c) => c.type === next.type);
  const existing = i >= 0 ? conditions[i] : undefined;
  if (existing === undefined) {
    if (next.lastTransitionTime === '') next.lastTransitionTime = metaTime(clock.now());
    conditions.push(next);
  } else if (!hasSameState(existing, next)) {
    next.lastTransitionTime = metaTime(clock.now());
    conditions[i] = next;
  } else {
    next.lastTransitionTime = existing.lastTransitionTime;
    conditions[i] = next;
  }
  conditions.sort(compareConditions);
  setConditions(obj, conditions);
}

/** Sets Status=True for the type. */
export function markTrue(
  obj: ConditionsObject,
  type: string,
  reason: string,
  message: string,
  opts?: SetOptions,
): void {
  set(obj, { type, status: 'True', reason, message }, opts);
}

/** Sets Status=False for the type. */
export function markFalse(
  obj: ConditionsObject,
  type: string,
  reason: string,
  message: string,
  opts?: SetOptions,
): void {
  set(obj, { type, status: 'False', reason, message }, opts);
}

/** Sets Status=Unknown for the type. */
export function markUnknown(
  obj: ConditionsObject,
  type: string,
  reason: string,
  message: string,
  opts?: SetOptions,
): void {
  set(obj, { type, status: 'Unknown', reason, message }, opts);
}

/** Reconciling=True and Stalled removed (kstatus: the two are mutually exclusive). */
export function markReconciling(obj: ConditionsObject, reason: string, message: string, opts?: SetOptions): void {
  remove(obj, StalledCondition);
  markTrue(obj, ReconcilingCondition, reason, message, opts);
}

/** Stalled=True and Reconciling removed (kstatus: the two are mutually exclusive). */
export function markStalled(obj: ConditionsObject, reason: string, message: string, opts?: SetOptions): void {
  remove(obj, ReconcilingCondition);
  markTrue(obj, StalledCondition, reason, message, opts);
}

/** Deletes the condition of the given type (no-op when absent). */
export function remove(obj: ConditionsObject, type: string): void {
  if (!obj.status?.conditions) return;
  obj.status.conditions = obj.status.conditions.filter((c) => c.type !== type);
}

export { remove as delete };
