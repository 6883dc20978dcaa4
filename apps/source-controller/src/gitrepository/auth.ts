/**
 * Validation of a GitRepository URL and of the credentials read from its Secret, with Flux's messages
 * (fluxcd/pkg `git.NewAuthOptions` / `AuthOptions.Validate`). Pure: the Secret is read by the reconciler.
 */
import type { GitAuth } from '@flux-ts/git';

/** The transports a GitRepository URL may use. */
export type GitTransport = 'http' | 'https' | 'ssh';

/** Parses `spec.url`; returns the transport or throws an Error with Flux's wording for an unusable URL. */
export function parseGitURL(url: string): { url: URL; transport: GitTransport } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new Error(`parse "${redactUserinfo(url)}": invalid URL`, { cause: err });
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ssh') {
    throw new Error(`unsupported URL scheme '${scheme}': must be one of http, https, ssh`);
  }
  if (parsed.hostname === '') throw new Error(`invalid URL '${redactUserinfo(url)}': no host`);
  return { url: parsed, transport: scheme };
}

/** Removes `user:password@` from a URL-looking string. */
export function redactUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** Checks that the credentials suit the transport (Flux `AuthOptions.Validate`); throws with Flux's message. */
export function validateAuth(transport: GitTransport, auth: GitAuth): void {
  if (transport === 'ssh') {
    if (auth.identity === undefined) throw new Error("invalid 'ssh' auth option: 'identity' is required");
    if (auth.knownHosts === undefined) throw new Error("invalid 'ssh' auth option: 'known_hosts' is required");
    return;
  }
  if (auth.username === undefined && auth.password !== undefined) {
    throw new Error(`invalid '${transport}' auth option: 'password' requires 'username' to be set`);
  }
}
