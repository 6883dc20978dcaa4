/**
 * Label selector strings (`app=web,tier!=db,env in (a,b),!legacy`) parsed and matched in memory, for cached
 * `list({ labelSelector })`. Hand-written: @kubernetes/client-node has no selector matcher and the grammar is
 * small (k8s.io/apimachinery/pkg/labels).
 */

/** One requirement of a selector. */
export interface LabelRequirement {
  key: string;
  op: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin';
  values: string[];
}

/** A parsed label selector: every requirement must match. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const setRe = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const eqRe = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;
const keyRe = /^(!?)\s*([^\s!=(),]+)$/;

/**
 * Parses a selector string ('' selects everything).
 * @throws Error on a malformed requirement
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(selector)) {
    let m = setRe.exec(part);
    if (m) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      requirements.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
      continue;
    }
    m = eqRe.exec(part);
    if (m) {
      requirements.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
      continue;
    }
    m = keyRe.exec(part);
    if (m) {
      requirements.push({ key: m[2]!, op: m[1] === '!' ? '!exists' : 'exists', values: [] });
      continue;
    }
    throw new Error(
      `failed to parse label selector ${JSON.stringify(selector)}: invalid requirement ${JSON.stringify(part)}`,
    );
  }
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchRequirement(r, labels ?? {})),
  };
}

function matchRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && v === r.values[0];
    case '!=':
      return !has || v !== r.values[0];
    case 'in':
      return has && r.values.includes(v!);
    case 'notin':
      return !has || !r.values.includes(v!);
  }
}
