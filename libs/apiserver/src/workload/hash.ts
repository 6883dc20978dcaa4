/**
 * The `pod-template-hash` of a Deployment's ReplicaSets (and the revision names of StatefulSets). Kubernetes'
 * `controller.ComputeHash` is FNV-1a (32 bit) over go-spew's `%#v` dump of the Go `PodTemplateSpec` struct, then
 * the decimal digits mapped through `rand.SafeEncodeString`; the spew dump needs every Go field of the pod spec,
 * so this hashes a canonical JSON (keys sorted) of the stored template instead: same algorithm and alphabet,
 * stable for a template, different values from a real cluster. Hand-written because it is 20 lines: FNV-1a and a
 * sorted-key JSON are not worth a dependency.
 */

/** The alphabet of `k8s.io/apimachinery/pkg/util/rand.SafeEncodeString` (no vowels, no look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every level (so equal templates hash equally whatever their key order). */
export const canonicalJson = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
};

/** FNV-1a, 32 bit, of `data` (a string is hashed as its UTF-8 bytes). */
export const fnv1a32 = (data: string | Uint8Array): number => {
  let h = 0x811c9dc5;
  for (const b of typeof data === 'string' ? Buffer.from(data, 'utf8') : data) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
};

/** `rand.SafeEncodeString`: each character mapped to `ALPHANUMS[codePoint % 27]`. */
export const safeEncodeString = (s: string): string =>
  [...s].map((c) => ALPHANUMS[(c.codePointAt(0) ?? 0) % ALPHANUMS.length]).join('');

/**
 * The hash of a pod template as the value of the `pod-template-hash` label: FNV-1a of the template's canonical
 * JSON (and of `collisionCount`, as little-endian bytes, when given), printed in decimal and safe-encoded — up to
 * 10 characters of `bcdfghjklmnpqrstvwxz2456789`, like `ComputeHash`.
 */
export const podTemplateHash = (template: unknown, collisionCount?: number): string => {
  let input = Buffer.from(canonicalJson(template ?? {}), 'utf8');
  if (collisionCount !== undefined) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    input = Buffer.concat([input, b]);
  }
  return safeEncodeString(String(fnv1a32(input)));
};
