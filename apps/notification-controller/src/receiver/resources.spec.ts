// The annotation value: Go's time.Time String() of a UTC instant, as `metav1.Now().String()` prints it.
import { describe, expect, it } from 'vitest';
import { goTimeString } from './resources.ts';

describe('goTimeString', () => {
  it.each([
    ['2026-01-02T03:04:05.678Z', '2026-01-02 03:04:05.678 +0000 UTC'],
    ['2026-01-02T03:04:05.600Z', '2026-01-02 03:04:05.6 +0000 UTC'],
    ['2026-12-31T23:59:59.000Z', '2026-12-31 23:59:59 +0000 UTC'],
  ])('%s → %s', (iso, want) => {
    expect(goTimeString(new Date(iso))).toBe(want);
  });
});
