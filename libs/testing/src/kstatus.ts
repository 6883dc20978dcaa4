/**
 * The kstatus conformance checks of fluxcd/pkg `runtime/conditions/check` (FAIL0001–FAIL0010), for tests: after a
 * reconcile, an object's conditions must tell one consistent story (Ready present; Ready False while Reconciling or
 * Stalled; never Reconciling and Stalled together; observed generations consistent with Ready).
 */

interface CheckedCondition {
  type: string;
  status: string;
  observedGeneration?: number;
}

/** What {@link kstatusViolations} reads of an object. */
export interface KstatusObject {
  metadata: { generation?: number };
  status?: { observedGeneration?: number; conditions?: readonly CheckedCondition[] };
}

/** Options of {@link kstatusViolations}. */
export interface KstatusCheckOptions {
  /** Condition types of abnormal-true polarity besides Reconciling and Stalled (e.g. FetchFailed). */
  negativePolarity?: readonly string[];
}

/** Every rule the object breaks, as fluxcd/pkg words it (empty when it conforms). */
export function kstatusViolations(obj: KstatusObject, opts: KstatusCheckOptions = {}): string[] {
  const conds = obj.status?.conditions ?? [];
  const get = (t: string): CheckedCondition | undefined => conds.find((c) => c.type === t);
  const ready = get('Ready');
  const reconciling = get('Reconciling');
  const stalled = get('Stalled');
  const isReady = ready?.status === 'True';
  const generation = obj.metadata.generation ?? 0;
  const og = obj.status?.observedGeneration ?? 0;
  const negative = new Set(['Reconciling', 'Stalled', ...(opts.negativePolarity ?? [])]);
  const out: string[] = [];

  const trueNegative = conds.filter((c) => negative.has(c.type) && c.status === 'True').map((c) => c.type);
  if (isReady && trueNegative.length > 0)
    out.push(`Negative polarity condition cannot be True when Ready condition is True: [${trueNegative.join(' ')}]`);
  if (!ready) out.push('Ready condition must always be present');
  if (ready && reconciling?.status === 'True' && ready.status !== 'False')
    out.push('Ready condition must be False when Reconciling condition is True');
  if (ready && stalled?.status === 'True' && ready.status !== 'False')
    out.push('Ready condition must be False when Stalled condition is True');
  if (reconciling && stalled)
    out.push('Only one of Reconciling condition or Stalled condition must be present at a time');
  if (og > generation) out.push('The ObservedGeneration must be less than or equal to the object Generation');
  if (og < generation && isReady)
    out.push('Ready condition must be False when the ObservedGeneration is less than the object Generation');
  if (isReady) {
    const stale = conds.filter((c) => (c.observedGeneration ?? 0) < generation).map((c) => c.type);
    if (stale.length > 0)
      out.push(
        `Ready condition must be False when any of the status condition's ObservedGeneration is less than the object Generation: [${stale.join(' ')}]`,
      );
    const off = conds.filter((c) => (c.observedGeneration ?? 0) !== og).map((c) => c.type);
    if (off.length > 0)
      out.push(
        `The status conditions' ObservedGenerations must be equal to the root ObservedGeneration when Ready condition is True: [${off.join(' ')}]`,
      );
  }
  if (reconciling?.status === 'True' && og >= (reconciling.observedGeneration ?? 0))
    out.push(
      'The root ObservedGeneration must be less than the Reconciling condition ObservedGeneration when Reconciling condition is True',
    );
  return out;
}
