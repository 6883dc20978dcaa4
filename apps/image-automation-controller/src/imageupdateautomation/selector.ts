/**
 * `spec.policySelector` (a `metav1.LabelSelector`) as the label selector string a list request takes
 * (apimachinery `LabelSelectorAsSelector`). Hand-written: a dozen lines of formatting; the parsing and matching
 * are the API server's and the cache's (`@flux-ts/schema`'s `parseLabelSelector`).
 */

/** A `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: { key: string; operator: string; values?: string[] | undefined }[] | undefined;
}

/** The selector string; undefined selects everything. Throws with apimachinery's message for an invalid operator. */
export function labelSelectorString(sel: LabelSelector | undefined): string | undefined {
  if (!sel) return undefined;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          throw new Error(`for '${e.operator.toLowerCase()}' operator, values set can't be empty`);
        parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) throw new Error(`values set must be empty for exists and does not exist`);
        parts.push(e.operator === 'Exists' ? e.key : `!${e.key}`);
        break;
      default:
        throw new Error(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}
