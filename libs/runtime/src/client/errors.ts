/**
 * Typed API errors built from Kubernetes `Status` bodies, and their classification (the k8s.io/apimachinery
 * `errors.IsNotFound` family). Classifiers walk the `cause` chain, so a wrapped ApiError still classifies.
 */

/** A `Status.details.causes[]` item. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The `Status` body the API server returns with errors. */
export interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

/** Status reasons (metav1.StatusReason) the classifiers know. */
export const StatusReason = {
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Gone: 'Gone',
  Expired: 'Expired',
  Invalid: 'Invalid',
  BadRequest: 'BadRequest',
  MethodNotAllowed: 'MethodNotAllowed',
  TooManyRequests: 'TooManyRequests',
  InternalError: 'InternalError',
  ServerTimeout: 'ServerTimeout',
  Timeout: 'Timeout',
  ServiceUnavailable: 'ServiceUnavailable',
  UnsupportedMediaType: 'UnsupportedMediaType',
  Unknown: '',
} as const;

const reasonByCode: Record<number, string> = {
  400: StatusReason.BadRequest,
  401: StatusReason.Unauthorized,
  403: StatusReason.Forbidden,
  404: StatusReason.NotFound,
  405: StatusReason.MethodNotAllowed,
  409: StatusReason.Conflict,
  410: StatusReason.Gone,
  415: StatusReason.UnsupportedMediaType,
  422: StatusReason.Invalid,
  429: StatusReason.TooManyRequests,
  500: StatusReason.InternalError,
  503: StatusReason.ServiceUnavailable,
  504: StatusReason.Timeout,
};

const MAX_RAW_BODY = 512;

/**
 * Removes credentials from text that came from somewhere other than a Status message (proxies, load
 * balancers): bearer tokens, basic credentials, `token=`/`password=` pairs and credentials in URLs.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/\b(access_token|id_token|refresh_token|token|password|passwd|secret)=([^&\s"']+)/gi, '$1=[redacted]')
    .replace(/(\w+:\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[redacted]@');
}

/** Parses a response body as a Status when it is one. */
export function parseStatus(body: unknown): StatusBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as StatusBody;
  if (b.kind === 'Status' || (typeof b.reason === 'string' && typeof b.message === 'string')) return b;
  return undefined;
}

/** An error answered by the Kubernetes API server. Its message never holds request headers or tokens. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status code (the Status `code`). */
  readonly status: number;
  /** Status reason (`NotFound`, `Conflict`…), derived from the code when the body has none. */
  readonly reason: string;
  /** The response body (a Status object when the server sent one). */
  readonly body?: unknown;
  /** Seconds the server asked us to wait (Retry-After header or `details.retryAfterSeconds`). */
  readonly retryAfterSeconds?: number;

  constructor(
    message: string,
    init: { status: number; reason?: string; body?: unknown; retryAfterSeconds?: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = init.status;
    this.reason = init.reason || reasonByCode[init.status] || StatusReason.Unknown;
    if (init.body !== undefined) this.body = init.body;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** Same as {@link status}, for code written against client-node's `ApiException`. */
  get code(): number {
    return this.status;
  }

  /** `Status.details.causes` (field errors of a 422, SSA conflicts of a 409). */
  get causes(): StatusCause[] {
    return parseStatus(this.body)?.details?.causes ?? [];
  }

  /**
   * Builds an ApiError from an HTTP response.
   * @param what context for bodies without a Status message, e.g. `GET /api/v1/namespaces/x/configmaps/y`
   */
  static fromResponse(status: number, rawBody: string, what: string, retryAfterHeader?: string): ApiError {
    let body: unknown = rawBody;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      // not JSON: keep the text
    }
    const st = parseStatus(body);
    const retryAfter = parseRetryAfter(retryAfterHeader) ?? st?.details?.retryAfterSeconds;
    if (st?.message) {
      return new ApiError(st.message, {
        status: st.code ?? status,
        reason: st.reason ?? '',
        body,
        retryAfterSeconds: retryAfter,
      });
    }
    const text = typeof body === 'string' ? redactSecrets(body.trim()).slice(0, MAX_RAW_BODY) : '';
    const reason = st?.reason || reasonByCode[status] || '';
    const message = `${what}: the server responded with status ${status}${reason ? ` (${reason})` : ''}${text ? `: ${text}` : ''}`;
    return new ApiError(message, { status, reason, body: st ?? (text || undefined), retryAfterSeconds: retryAfter });
  }
}

function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const n = Number(header);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Raised when discovery does not know a kind (CRD not installed, or not yet). */
export class NoKindMatchError extends Error {
  override readonly name = 'NoKindMatchError';
  readonly apiVersion: string;
  readonly kind: string;
  constructor(apiVersion: string, kind: string, options?: ErrorOptions) {
    super(`no matches for kind "${kind}" in version "${apiVersion}"`, options);
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** The first ApiError in the error's cause chain. */
export function asApiError(err: unknown): ApiError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 16 && e !== undefined && e !== null; depth++) {
    if (e instanceof ApiError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The Status reason of an error ('' for non-API errors). */
export function reasonForError(err: unknown): string {
  return asApiError(err)?.reason ?? '';
}

/** HTTP status of an API error, undefined for other errors. */
export function statusCodeOf(err: unknown): number | undefined {
  return asApiError(err)?.status;
}

const knownReasons = new Set<string>(Object.values(StatusReason).filter((r) => r !== ''));

// Like apimachinery: match the reason, or the code when the server gave no known reason.
const classify =
  (reasons: string[], code: number) =>
  (err: unknown): boolean => {
    const e = asApiError(err);
    if (!e) return false;
    return reasons.includes(e.reason) || (e.status === code && !knownReasons.has(e.reason));
  };

/** 404 NotFound. */
export const isNotFound = classify([StatusReason.NotFound], 404);
/** 409 Conflict (stale resourceVersion, SSA field conflict); not AlreadyExists. */
export const isConflict = classify([StatusReason.Conflict], 409);
/** 409 AlreadyExists. */
export const isAlreadyExists = classify([StatusReason.AlreadyExists], -1);
/** 403 Forbidden. */
export const isForbidden = classify([StatusReason.Forbidden], 403);
/** 401 Unauthorized. */
export const isUnauthorized = classify([StatusReason.Unauthorized], 401);
/** 422 Invalid. */
export const isInvalid = classify([StatusReason.Invalid], 422);
/** 400 BadRequest. */
export const isBadRequest = classify([StatusReason.BadRequest], 400);
/** 410 Gone or Expired (a watch or continue token from a compacted resourceVersion). */
export const isGone = classify([StatusReason.Gone, StatusReason.Expired], 410);
/** 429 TooManyRequests. */
export const isTooManyRequests = classify([StatusReason.TooManyRequests], 429);
/** 500 InternalError. */
export const isInternalError = classify([StatusReason.InternalError], 500);
/** 504/ServerTimeout/Timeout. */
export const isTimeout = classify([StatusReason.ServerTimeout, StatusReason.Timeout], 504);
/** 503 ServiceUnavailable. */
export const isServiceUnavailable = classify([StatusReason.ServiceUnavailable], 503);
/** 405 MethodNotAllowed. */
export const isMethodNotSupported = classify([StatusReason.MethodNotAllowed], 405);

/** A kind discovery does not know (a {@link NoKindMatchError} in the cause chain). */
export function isNoMatch(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 16 && e !== undefined && e !== null; depth++) {
    if (e instanceof NoKindMatchError) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
