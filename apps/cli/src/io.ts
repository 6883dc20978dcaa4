/** The edges a command touches, injected by `main` (the bin passes the process's; tests pass buffers). */
export interface CliIO {
  /** The process environment (KUBECONFIG, HOME, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working directory relative paths resolve against. */
  readonly cwd: string;
  /** Standard input (envsubst, `-f -`). */
  readonly stdin: NodeJS.ReadableStream;
  /** Standard output: what a command prints (tables, YAML). */
  readonly stdout: { write(chunk: string): unknown };
  /** Standard error: flux's progress log (`►`, `✔`, `✗`…). */
  readonly stderr: { write(chunk: string): unknown };
  /** Aborted on SIGINT/SIGTERM; reaches every network call and wait. */
  readonly signal: AbortSignal;
}
