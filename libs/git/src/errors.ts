/** Base class of every error thrown by @flux-ts/git; messages never contain credentials. */
export class GitError extends Error {
  override name = 'GitError';
}

/** The server refused the credentials (HTTP 401/403, SSH authentication failure, bad identity passphrase). */
export class AuthenticationError extends GitError {
  override name = 'AuthenticationError';
}

/** The repository or the requested ref/commit/semver match does not exist. */
export class NotFoundError extends GitError {
  override name = 'NotFoundError';
}

/** The operation's AbortSignal timed out (e.g. `spec.timeout`). */
export class TimeoutError extends GitError {
  override name = 'TimeoutError';
}

/** The operation was cancelled through its AbortSignal (other than by a timeout). */
export class AbortedError extends GitError {
  override name = 'AbortedError';
}

/** The SSH server's host key is not in known_hosts (or does not match it). */
export class UnknownHostKeyError extends AuthenticationError {
  override name = 'UnknownHostKeyError';
}

/** A commit or tag signature is missing or does not verify against the trusted keys. */
export class VerificationError extends GitError {
  override name = 'VerificationError';
}

/** The input (URL, ref, Secret) is invalid. */
export class InvalidInputError extends GitError {
  override name = 'InvalidInputError';
}

const REDACTED = '***';

/**
 * Removes credentials from a text: userinfo of http(s) URLs and `user:pass@` of any URL, plus every given secret
 * value (passwords, tokens, passphrases, keys).
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text
    .replace(/(https?:\/\/)[^/@\s'"]+@/gi, '$1')
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:'"]*:[^/@\s'"]*@/gi, '$1');
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    out = out.split(s).join(REDACTED);
    // Basic auth headers carry the base64 of user:password; a bare password could also show up base64-encoded.
    const b64 = Buffer.from(s).toString('base64');
    if (b64.length >= 4) out = out.split(b64).join(REDACTED);
  }
  return out;
}

interface IsoGitError {
  code?: string;
  data?: { statusCode?: number; statusMessage?: string; what?: string };
}

/** Maps a low-level error (isomorphic-git, node:http, ssh2, abort) to a typed {@link GitError} with a redacted message. */
export function toGitError(
  err: unknown,
  context: string,
  secrets: readonly (string | undefined)[],
  signal?: AbortSignal,
): GitError {
  if (err instanceof GitError) {
    const msg = redact(err.message, secrets);
    if (msg === err.message) return err;
    const Ctor = err.constructor as new (m: string) => GitError;
    return new Ctor(msg);
  }
  const e = err as Error & IsoGitError;
  const raw = redact(e?.message ?? String(err), secrets);
  // The original error is not attached as cause when its text had to be redacted (it would leak the secret).
  const cause = raw === (e?.message ?? String(err)) ? { cause: err } : undefined;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    if (reason?.name === 'TimeoutError') return new TimeoutError(`${context}: operation timed out`);
    return new AbortedError(`${context}: operation aborted`);
  }
  if (e?.name === 'AbortError') return new AbortedError(`${context}: operation aborted`);
  if (e?.code === 'HttpError') {
    const status = e.data?.statusCode;
    if (status === 401 || status === 403)
      return new AuthenticationError(`${context}: authentication required or failed (HTTP ${status})`);
    if (status === 404) return new NotFoundError(`${context}: repository not found (HTTP 404)`);
    return new GitError(`${context}: HTTP ${status ?? '?'} ${e.data?.statusMessage ?? ''}`.trim(), cause);
  }
  if (e?.code === 'NotFoundError') return new NotFoundError(`${context}: ${raw}`, cause);
  return new GitError(`${context}: ${raw}`, cause);
}
