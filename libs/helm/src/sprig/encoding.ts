// Go's encoding/base64 (StdEncoding decoding with its error offsets) and encoding/base32 (StdEncoding), as Sprig's
// b64dec, b32enc, b32dec, decryptAES and buildCustomCert use them.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64.StdEncoding.DecodeString; throws `illegal base64 data at input byte N`. */
export function b64decode(s: string): Buffer {
  const src = Buffer.from(s, 'latin1');
  const out: number[] = [];
  let si = 0;
  const corrupt = (i: number): never => {
    throw new Error(`illegal base64 data at input byte ${i}`);
  };
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let err: number | undefined;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        if (j === 1) corrupt(si - j);
        corrupt(si - j);
      }
      const inb = src[si++] as number;
      const o = B64.indexOf(String.fromCharCode(inb));
      if (o >= 0) {
        dbuf[j] = o;
        continue;
      }
      if (inb === 10 || inb === 13) {
        j--;
        continue;
      }
      if (inb !== 61) corrupt(si - 1);
      if (j === 0 || j === 1) corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 10 || src[si] === 13)) si++;
        if (si === src.length) corrupt(src.length);
        if (src[si] !== 61) corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 10 || src[si] === 13)) si++;
      if (si < src.length) err = si;
      dlen = j;
      break;
    }
    const val = ((dbuf[0] ?? 0) << 18) | ((dbuf[1] ?? 0) << 12) | ((dbuf[2] ?? 0) << 6) | (dbuf[3] ?? 0);
    const bytes = [(val >> 16) & 255, (val >> 8) & 255, val & 255];
    out.push(...bytes.slice(0, dlen - 1));
    if (err !== undefined) corrupt(err);
  }
  return Buffer.from(out);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** base32.StdEncoding.EncodeToString. */
export function b32encode(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i += 5) {
    const chunk = [...b.subarray(i, i + 5)];
    const nb = chunk.length;
    while (chunk.length < 5) chunk.push(0);
    let bits = 0n;
    for (const x of chunk) bits = (bits << 8n) | BigInt(x);
    let s = '';
    for (let k = 7; k >= 0; k--) s += B32[Number((bits >> BigInt(k * 5)) & 31n)];
    const keep = [0, 2, 4, 5, 7, 8][nb] ?? 8;
    out += s.slice(0, keep).padEnd(8, '=');
  }
  return out;
}

/** base32.StdEncoding.DecodeString; throws `illegal base32 data at input byte N`. */
export function b32decode(s: string): Buffer {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 8 !== 0) throw new Error(`illegal base32 data at input byte ${Math.floor(clean.length / 8) * 8}`);
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 8) {
    const q = clean.slice(i, i + 8);
    const body = q.replace(/=+$/, '');
    const bad = [...body].findIndex((c) => !B32.includes(c));
    if (bad >= 0) throw new Error(`illegal base32 data at input byte ${i + bad}`);
    let bits = 0n;
    for (const c of body.padEnd(8, 'A')) bits = (bits << 5n) | BigInt(B32.indexOf(c));
    const nb = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[body.length];
    if (nb === undefined) throw new Error(`illegal base32 data at input byte ${i + body.length}`);
    for (let k = 0; k < nb; k++) out.push(Number((bits >> BigInt(32 - k * 8)) & 255n));
  }
  return Buffer.from(out);
}
