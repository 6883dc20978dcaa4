// Small Go runtime helpers for Sprig: panics (text/template reports them as the call's error) and byte slicing.

/** A Go panic inside a function; text/template turns it into `error calling NAME: MSG`. */
export function goPanic(msg: string): never {
  throw new Error(msg);
}

/** s[i:j] on the UTF-8 bytes of s. */
export function sliceBytes(s: string, i: number, j?: number): string {
  return Buffer.from(s, 'utf8').subarray(i, j).toString('utf8');
}
