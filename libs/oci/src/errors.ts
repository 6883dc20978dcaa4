/** One entry of a distribution error body (`{"errors":[{"code","message","detail"}]}`). */
export interface DistributionErrorEntry {
  code: string;
  message?: string;
}

/**
 * An error talking to a registry: `status` is the HTTP status when there was a response, `code` the first
 * distribution error code (UNAUTHORIZED, MANIFEST_UNKNOWN, NAME_UNKNOWN, DIGEST_INVALID…) or a client-side code
 * (DIGEST_MISMATCH, SIZE_EXCEEDED, INVALID_REFERENCE). Messages never carry credentials or tokens.
 */
export class RegistryError extends Error {
  status?: number;
  code?: string;
  constructor(message: string, opts: { status?: number; code?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RegistryError';
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.code !== undefined) this.code = opts.code;
  }
}

/** Parses a distribution error body; returns the entries, or [] when the body is not one. */
export function parseDistributionErrors(body: Uint8Array): DistributionErrorEntry[] {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    const out: DistributionErrorEntry[] = [];
    for (const e of errors) {
      if (typeof e !== 'object' || e === null) continue;
      const { code, message } = e as { code?: unknown; message?: unknown };
      if (typeof code !== 'string') continue;
      out.push(typeof message === 'string' ? { code, message } : { code });
    }
    return out;
  } catch {
    return [];
  }
}
