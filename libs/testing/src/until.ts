/**
 * Polls `fn` every `stepMs` until it returns a value other than `undefined` or `false`, and returns that value. A
 * throw counts as "not yet" (its message is kept for the timeout error, which names `what`). For tests that wait on
 * a level (a condition, a count), never on a duration. `what` may be a function, for a label that names the last
 * state seen.
 */
export async function until<T>(
  what: string | (() => string),
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 90_000,
  stepMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline)
      throw new Error(
        `timed out waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${(last as Error).message ?? String(last)}` : ''}`,
        {
          cause: last,
        },
      );
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
