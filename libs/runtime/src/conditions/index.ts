/**
 * Conditions helpers (fluxcd/pkg `runtime/conditions`): `conditions.markTrue(obj, type, reason, msg)`,
 * `conditions.markReconciling`, `conditions.markStalled`, `conditions.setSummary(obj, 'Ready', {...})`, …
 * Exported as one namespace object so short names (`get`, `set`, `delete`) do not clash with the rest of the runtime.
 */
export * as conditions from './all.ts';
/** Types of the conditions helpers. */
export type { ConditionsObject, ConditionClock, NewCondition, SetOptions } from './conditions.ts';
/** Options of `conditions.summary` / `conditions.setSummary`. */
export type { SummaryOptions } from './summary.ts';
