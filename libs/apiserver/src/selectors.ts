/** Label and field selectors in their query-string form. */
import {
  LabelSelectorError,
  matchesLabelRequirements,
  parseLabelSelector as parseLabelRequirements,
  type LabelRequirement,
} from '@flux-ts/schema';
import { badRequest } from './errors.ts';
import { getPath, isObj, type Obj } from './util.ts';

/** A compiled selector: a predicate over objects. */
export type Selector = (o: Obj) => boolean;

const splitTop = (s: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
};

/** Parse a `labelSelector` query value (labels.Parse, @flux-ts/schema); throws 400 with apimachinery's message. */
export const parseLabelSelector = (s: string): LabelRequirement[] => {
  try {
    return parseLabelRequirements(s);
  } catch (err) {
    if (err instanceof LabelSelectorError) throw badRequest(err.message);
    throw err;
  }
};

/** Compile a `labelSelector` query value; undefined when it selects everything. */
export const labelSelector = (s: string | undefined): Selector | undefined => {
  if (s === undefined) return undefined;
  const reqs = parseLabelSelector(s);
  if (reqs.length === 0) return undefined;
  return (o) => {
    const labels = getPath(o, 'metadata.labels');
    return matchesLabelRequirements(reqs, isObj(labels) ? labels : {});
  };
};

/** Compile a metav1.LabelSelector object (matchLabels/matchExpressions). */
export const labelSelectorFromObject = (sel: unknown): ((labels: Record<string, unknown>) => boolean) => {
  if (!isObj(sel)) return () => false;
  const reqs: LabelRequirement[] = [];
  if (isObj(sel['matchLabels']))
    for (const [k, v] of Object.entries(sel['matchLabels'])) reqs.push({ key: k, operator: '=', values: [String(v)] });
  if (Array.isArray(sel['matchExpressions'])) {
    for (const e of sel['matchExpressions']) {
      if (!isObj(e)) continue;
      const op = String(e['operator']);
      const values = Array.isArray(e['values']) ? e['values'].map(String) : [];
      reqs.push({
        key: String(e['key']),
        operator: op === 'In' ? 'in' : op === 'NotIn' ? 'notin' : op === 'Exists' ? 'exists' : '!',
        values,
      });
    }
  }
  return (labels) => matchesLabelRequirements(reqs, labels);
};

/** Compile a `fieldSelector` query value (`metadata.name=x,status.phase!=Running`). */
export const fieldSelector = (s: string | undefined): Selector | undefined => {
  if (s === undefined || s.trim() === '') return undefined;
  const reqs: { path: string; neg: boolean; value: string }[] = [];
  for (const part of splitTop(s)) {
    const m = part.match(/^([A-Za-z0-9_.\-/]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    reqs.push({ path: m[1] as string, neg: m[2] === '!=', value: m[3] ?? '' });
  }
  return (o) =>
    reqs.every((r) => {
      const raw = getPath(o, r.path);
      const v = raw === undefined || raw === null ? '' : String(raw);
      return r.neg ? v !== r.value : v === r.value;
    });
};

/** The `metadata.name=` value of a field selector, if it pins one name (for cheap lookups). */
export const fieldSelectorName = (s: string | undefined): string | undefined => {
  if (!s) return undefined;
  for (const part of splitTop(s)) {
    const m = part.match(/^metadata\.name\s*(==|=)\s*(.*)$/);
    if (m) return m[2];
  }
  return undefined;
};

/** The field paths a `fieldSelector` query value uses. */
export const fieldSelectorKeys = (s: string | undefined): string[] => {
  if (s === undefined || s.trim() === '') return [];
  return splitTop(s).map((part) => part.match(/^([A-Za-z0-9_.\-/]+)/)?.[1] ?? part);
};
