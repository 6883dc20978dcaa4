// The patch Helm's kube.Update sends for a changed object: a three-way merge of the last applied manifest
// (original), the new manifest (modified) and the live object (current), as jsonmergepatch's
// CreateThreeWayJSONMergePatch computes it: fields the chart removed become null, fields whose live value differs
// from the new manifest take the manifest's value, fields only the cluster set are left alone. (Helm uses a
// strategic merge patch for built-in kinds; lists are replaced whole here, as in its JSON merge patch for CRs.)
import { isDeepStrictEqual } from 'node:util';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function deletions(original: Rec, modified: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(original)) {
    if (!(k in modified)) out[k] = null;
    else if (isRec(v) && isRec(modified[k])) {
      const d = deletions(v, modified[k]);
      if (Object.keys(d).length > 0) out[k] = d;
    }
  }
  return out;
}

function changes(current: Rec, modified: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(modified)) {
    const c = current[k];
    if (isRec(v) && isRec(c)) {
      const d = changes(c, v);
      if (Object.keys(d).length > 0) out[k] = d;
    } else if (!(k in current) || !isDeepStrictEqual(c, v)) out[k] = v;
  }
  return out;
}

function merge(a: Rec, b: Rec): Rec {
  const out: Rec = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const x = out[k];
    out[k] = isRec(x) && isRec(v) ? merge(x, v) : v;
  }
  return out;
}

/** The three-way JSON merge patch from `current` to `modified`, deleting what `original` had and `modified` has not. */
export function threeWayMergePatch(original: Rec | undefined, modified: Rec, current: Rec): Rec {
  return merge(changes(current, modified), deletions(original ?? {}, modified));
}
