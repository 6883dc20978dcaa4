/** Exit status of a command whose check found a difference (`diff` with drift), as flux. */
export const EXIT_DIFF = 1;
/** Exit status of a `diff` that failed with an error, as flux (`>1 diff failed with an error`). */
export const EXIT_DIFF_FAILED = 2;

/** Ends a command with a given exit code and nothing more printed (e.g. `diff` found drift). */
export class ExitCodeError extends Error {
  override readonly name = 'ExitCodeError';
  /** The process exit code. */
  readonly exitCode: number;
  constructor(exitCode: number, message = `exit status ${exitCode}`) {
    super(message);
    this.exitCode = exitCode;
  }
}
