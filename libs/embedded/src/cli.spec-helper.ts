import type { CliIO } from './cli.ts';

/** A {@link CliIO} that keeps what the CLI writes, for tests. */
export function captured(): { io: CliIO; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    out: () => out,
    err: () => err,
  };
}
