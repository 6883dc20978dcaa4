/** Label and field selectors in their query-string form. */
import { badRequest } from './errors.ts';
import { getPath, isObj, type Obj } from './util.ts';

/** One parsed label-selector requirement. */
export interface LabelRequirement {
  key: string;
  op: 'exists' | 'notexists' | 'in' | 'notin' | 'gt' | 'lt';
  values: string[];
}

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

/** Parse `a=b,c!=d,e in (x,y),!f` into requirements; throws 400 on bad syntax. */
export const parseLabelSelector = (s: string): LabelRequirement[] => {
  const reqs: LabelRequirement[] = [];
  for (const part of splitTop(s)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const values = (m[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      reqs.push({ key: m[1] as string, op: m[2] === 'in' ? 'in' : 'notin', values });
    } else if ((m = part.match(/^!\s*([^\s!=<>(),]+)$/))) {
      reqs.push({ key: m[1] as string, op: 'notexists', values: [] });
    } else if ((m = part.match(/^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/))) {
      reqs.push({ key: m[1] as string, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3] ?? ''] });
    } else if ((m = part.match(/^([^\s!=<>(),]+)\s*(<|>)\s*(-?\d+)$/))) {
      reqs.push({ key: m[1] as string, op: m[2] === '>' ? 'gt' : 'lt', values: [m[3] as string] });
    } else if ((m = part.match(/^([^\s!=<>(),]+)$/))) {
      reqs.push({ key: m[1] as string, op: 'exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
    }
  }
  return reqs;
};

/** True when labels satisfy every requirement. */
export const matchesLabels = (reqs: LabelRequirement[], labels: Record<string, unknown>): boolean =>
  reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? String(labels[r.key]) : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
      case 'gt':
        return v !== undefined && Number(v) > Number(r.values[0]);
      case 'lt':
        return v !== undefined && Number(v) < Number(r.values[0]);
    }
    return false;
  });

/** Compile a `labelSelector` query value. */
export const labelSelector = (s: string | undefined): Selector | undefined => {
  if (s === undefined || s.trim() === '') return undefined;
  const reqs = parseLabelSelector(s);
  return (o) => {
    const labels = getPath(o, 'metadata.labels');
    return matchesLabels(reqs, isObj(labels) ? labels : {});
  };
};

/** Compile a metav1.LabelSelector object (matchLabels/matchExpressions). */
export const labelSelectorFromObject = (sel: unknown): ((labels: Record<string, unknown>) => boolean) => {
  if (!isObj(sel)) return () => false;
  const reqs: LabelRequirement[] = [];
  if (isObj(sel['matchLabels']))
    for (const [k, v] of Object.entries(sel['matchLabels'])) reqs.push({ key: k, op: 'in', values: [String(v)] });
  if (Array.isArray(sel['matchExpressions'])) {
    for (const e of sel['matchExpressions']) {
      if (!isObj(e)) continue;
      const op = String(e['operator']);
      const values = Array.isArray(e['values']) ? e['values'].map(String) : [];
      reqs.push({
        key: String(e['key']),
        op: op === 'In' ? 'in' : op === 'NotIn' ? 'notin' : op === 'Exists' ? 'exists' : 'notexists',
        values,
      });
    }
  }
  return (labels) => matchesLabels(reqs, labels);
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
