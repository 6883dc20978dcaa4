import type { CliIO } from './io.ts';

/**
 * flux's stderr logger (`cmd/flux/log.go`): each line a symbol and the message. Progress goes to stderr so that
 * stdout stays machine-readable (`--export`, tables).
 */
export interface CliLogger {
  /** `► ` an action starts. */
  actionf(msg: string): void;
  /** `✚ ` something was generated. */
  generatef(msg: string): void;
  /** `◎ ` waiting for a condition. */
  waitingf(msg: string): void;
  /** `✔ ` success. */
  successf(msg: string): void;
  /** `⚠️ ` a warning. */
  warningf(msg: string): void;
  /** `✗ ` a failure. */
  failuref(msg: string): void;
}

/** The logger flux writes to stderr, with its symbols. */
export function stderrLogger(io: Pick<CliIO, 'stderr'>): CliLogger {
  const line = (symbol: string) => (msg: string) => {
    io.stderr.write(`${symbol} ${msg}\n`);
  };
  return {
    actionf: line('►'),
    generatef: line('✚'),
    waitingf: line('◎'),
    successf: line('✔'),
    warningf: line('⚠️'),
    failuref: line('✗'),
  };
}
