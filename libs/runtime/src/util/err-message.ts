/** The message of a caught value: `err.message` for an `Error`, `String(err)` for anything else thrown. */
export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
