/** Kubernetes `Status` error bodies and the error class the handlers throw. */

/** One entry of `Status.details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The `details` of a Kubernetes Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A `meta/v1 Status` object as the API server returns it. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that the HTTP layer turns into a Kubernetes `Status` response. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: string, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The Status body for this error. */
  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** `group.resource` as Kubernetes prints it in messages (`deployments.apps`, `configmaps`). */
export const qualifiedResource = (group: string, resource: string): string =>
  group === '' ? resource : `${resource}.${group}`;

/** 404 NotFound: `deployments.apps "x" not found`. */
export const notFound = (group: string, resource: string, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, {
    name,
    group: group === '' ? undefined : group,
    kind: resource,
  });

/** 409 AlreadyExists. */
export const alreadyExists = (group: string, resource: string, name: string): StatusError =>
  new StatusError(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`, {
    name,
    group: group === '' ? undefined : group,
    kind: resource,
  });

/** 409 Conflict for a stale resourceVersion. */
export const conflict = (group: string, resource: string, name: string, why: string): StatusError =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    { name, group: group === '' ? undefined : group, kind: resource },
  );

/** 422 Invalid with field causes: `Deployment.apps "x" is invalid: [spec.replicas: Invalid value: …]`. */
export const invalid = (group: string, kind: string, name: string, causes: StatusCause[]): StatusError => {
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  const msgs = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')));
  const joined = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
    name,
    group: group === '' ? undefined : group,
    kind,
    causes,
  });
};

/** 400 BadRequest. */
export const badRequest = (message: string, causes?: StatusCause[]): StatusError =>
  new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);

/** 403 Forbidden with an already formatted message. */
export const forbidden = (message: string, details?: StatusDetails): StatusError =>
  new StatusError(403, 'Forbidden', message, details);

/** 405 MethodNotAllowed. */
export const methodNotAllowed = (verb: string, what: string): StatusError =>
  new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
    kind: what,
    causes: [{ message: verb }],
  });

/** 415 UnsupportedMediaType. */
export const unsupportedMediaType = (contentType: string): StatusError =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    {
      causes: [{ reason: 'UnsupportedMediaType', message: contentType }],
    },
  );

/** 410 Expired for a watch/list resourceVersion that has been compacted. */
export const expired = (message: string): StatusError => new StatusError(410, 'Expired', message);

/** 500 InternalError. */
export const internalError = (message: string, cause?: unknown): StatusError =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }, { cause });
