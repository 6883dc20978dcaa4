/**
 * An error that retrying cannot fix (controller-runtime `reconcile.TerminalError`): the controller logs it,
 * counts it in `controller_runtime_terminal_reconcile_errors_total` and does not requeue the key.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** Whether `err` is (or wraps, through `cause`) a {@link TerminalError}. */
export function isTerminalError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}
