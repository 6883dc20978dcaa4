/** Machine-readable codes carried by {@link ArtifactError}. */
export const ArtifactErrorCodes = {
  NotFound: 'NotFound',
  DownloadFailed: 'DownloadFailed',
  DigestMismatch: 'DigestMismatch',
  UnsafeArchive: 'UnsafeArchive',
  LimitExceeded: 'LimitExceeded',
  InvalidPath: 'InvalidPath',
} as const;

/** One of {@link ArtifactErrorCodes}. */
export type ArtifactErrorCode = (typeof ArtifactErrorCodes)[keyof typeof ArtifactErrorCodes];

/** Base class of the typed errors thrown by this library. */
export class ArtifactError extends Error {
  /** The machine-readable code. */
  readonly code: ArtifactErrorCode;
  constructor(code: ArtifactErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArtifactError';
    this.code = code;
  }
}

/** The artifact server answered 404; not retried. */
export class ArtifactNotFoundError extends ArtifactError {
  constructor(message: string, options?: ErrorOptions) {
    super(ArtifactErrorCodes.NotFound, message, options);
    this.name = 'ArtifactNotFoundError';
  }
}

/** The download failed (after retries where applicable). */
export class ArtifactDownloadError extends ArtifactError {
  /** The last HTTP status, when there was a response. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(ArtifactErrorCodes.DownloadFailed, message, options);
    this.name = 'ArtifactDownloadError';
    this.status = status;
  }
}

/** The computed digest differs from the expected one. */
export class ArtifactDigestMismatchError extends ArtifactError {
  /** The expected digest. */
  readonly expected: string;
  /** The computed digest. */
  readonly actual: string;
  constructor(message: string, expected: string, actual: string) {
    super(ArtifactErrorCodes.DigestMismatch, message);
    this.name = 'ArtifactDigestMismatchError';
    this.expected = expected;
    this.actual = actual;
  }
}

/** An archive entry is unsafe (traversal, absolute path, link or device); nothing was extracted. */
export class UnsafeArchiveError extends ArtifactError {
  /** The offending entry name. */
  readonly entry: string;
  constructor(message: string, entry: string, options?: ErrorOptions) {
    super(ArtifactErrorCodes.UnsafeArchive, message, options);
    this.name = 'UnsafeArchiveError';
    this.entry = entry;
  }
}

/** A size or file-count cap was exceeded. */
export class ArchiveLimitError extends ArtifactError {
  constructor(message: string) {
    super(ArtifactErrorCodes.LimitExceeded, message);
    this.name = 'ArchiveLimitError';
  }
}

/** A path would resolve outside the storage root. */
export class InvalidArtifactPathError extends ArtifactError {
  constructor(message: string) {
    super(ArtifactErrorCodes.InvalidPath, message);
    this.name = 'InvalidArtifactPathError';
  }
}

/** Removes userinfo, query and fragment from a URL so it can appear in messages. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
