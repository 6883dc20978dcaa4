// The randomness of Sprig's non-deterministic functions: crypto/rand bytes and a uniform index (math/rand's Intn),
// both from injected random bytes when given (reproducible output), else from node:crypto.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** Random bytes, a uniform index below max, and a version 4 UUID. */
export interface SprigRandom {
  /** n random bytes. */
  bytes: (n: number) => Uint8Array;
  /** A uniform integer in [0, max). */
  index: (max: number) => number;
  /** uuid.New().String(). */
  uuid: () => string;
}

/** A version 4 UUID from 16 random bytes. */
function uuidFrom(b: Uint8Array): string {
  const x = Buffer.from(b);
  x[6] = ((x[6] ?? 0) & 0x0f) | 0x40;
  x[8] = ((x[8] ?? 0) & 0x3f) | 0x80;
  const h = x.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The randomness of SprigOptions.randomBytes, or node:crypto's when that is undefined. */
export function sprigRandom(inject?: (n: number) => Uint8Array): SprigRandom {
  const bytes = inject ?? ((k: number) => randomBytes(k));
  const index = (max: number): number => {
    if (inject === undefined) return randomInt(max);
    const b = bytes(4);
    return ((((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0) % max;
  };
  return { bytes, index, uuid: () => (inject === undefined ? randomUUID() : uuidFrom(bytes(16))) };
}
