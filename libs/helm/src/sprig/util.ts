// Small Go runtime helpers for Sprig: panics (text/template reports them as the call's error), byte slicing, int
// arguments, []string values and the parameter types the function modules declare.
import type { ParamType } from '../template/values.ts';
import { typedSlice } from './cast.ts';

/** A Go panic inside a function; text/template turns it into `error calling NAME: MSG`. */
export function goPanic(msg: string): never {
  throw new Error(msg);
}

/** s[i:j] on the UTF-8 bytes of s. */
export function sliceBytes(s: string, i: number, j?: number): string {
  return Buffer.from(s, 'utf8').subarray(i, j).toString('utf8');
}

/** A Go int argument (bigint) as a number, wrapped to int64 first. */
export const n = (b: bigint): number => Number(BigInt.asIntN(64, b));

/** A []string value of the model. */
export const strs = (a: string[]): string[] => typedSlice('[]string', a);

/** Parameter type interface {}. */
export const A: ParamType = 'any';
/** Parameter type string. */
export const S: ParamType = 'string';
/** Parameter type int. */
export const I: ParamType = 'int';
/** Parameter type map[string]interface {}. */
export const M: ParamType = 'map[string]interface {}';
/** Parameter type time.Time. */
export const T: ParamType = 'time.Time';
/** Parameter type []interface {}. */
export const L: ParamType = '[]interface {}';
/** Parameter type sprig.certificate. */
export const C: ParamType = 'sprig.certificate';
