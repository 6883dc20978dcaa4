import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.ts';

describe('sleep', () => {
  it('resolves after the delay, and rejects with the abort reason', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const c = new AbortController();
    const p = sleep(60_000, c.signal);
    c.abort(new Error('stopped'));
    await expect(p).rejects.toThrow('stopped');
    await expect(sleep(1, c.signal)).rejects.toThrow('stopped');
  });
});
