/** Errors of the patch functions, shaped like the Kubernetes `Status` the server returns for them. */

/** A cause for `Status.details.causes`. */
export interface PatchErrorCause {
  reason?: string;
  message: string;
  field?: string;
}

/** HTTP status of a failed patch: 400 BadRequest, 413 RequestEntityTooLarge, 415 UnsupportedMediaType, 422 Invalid. */
export type PatchErrorStatus = 400 | 413 | 415 | 422;

const reasons = {
  400: 'BadRequest',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
} as const;

/** A patch that cannot be decoded or applied. `message` is the Status message Kubernetes returns. */
export class PatchError extends Error {
  readonly status: PatchErrorStatus;
  readonly reason: (typeof reasons)[PatchErrorStatus];
  /** `Status.details.causes`, when Kubernetes sends any. */
  readonly causes: PatchErrorCause[] | undefined;
  /** What went wrong, for logs: Kubernetes does not send it to the client for a generic 422. */
  readonly detail: string | undefined;
  constructor(
    status: PatchErrorStatus,
    message: string,
    options?: { causes?: PatchErrorCause[]; detail?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PatchError';
    this.status = status;
    this.reason = reasons[status];
    this.causes = options?.causes;
    this.detail = options?.detail;
  }
}

/**
 * The 422 a real API server returns when a patch decodes but fails to apply (`NewGenericServerResponse`):
 * a fixed message and no causes; the patch library's text only reaches `detail`.
 */
export const unprocessablePatch = (detail: string, cause?: unknown): PatchError =>
  new PatchError(422, 'the server rejected our request due to an error in our request', { detail, cause });
