import type { Lease, LeaseClient } from '../leader-election/leader-elector.ts';

/** An error carrying an HTTP status like the client's ApiError. */
export class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * An in-memory Lease store with resourceVersion checks (404 on missing, 409 on stale writes), standing in for
 * the API server in unit tests of leader election. `failAll` makes every call fail with 500.
 */
export class InMemoryLeaseClient implements LeaseClient {
  lease: Lease | undefined;
  #rv = 1;
  writes = 0;
  failAll = false;

  async get(): Promise<Lease> {
    if (this.failAll) throw new HttpError(500, 'internal error');
    if (!this.lease) throw new HttpError(404, 'leases "x" not found');
    return structuredClone(this.lease);
  }

  async create(obj: Lease): Promise<Lease> {
    if (this.failAll) throw new HttpError(500, 'internal error');
    if (this.lease) throw new HttpError(409, 'already exists');
    this.writes++;
    this.lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    return structuredClone(this.lease);
  }

  async update(obj: Lease): Promise<Lease> {
    if (this.failAll) throw new HttpError(500, 'internal error');
    if (!this.lease) throw new HttpError(404, 'not found');
    if (obj.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw new HttpError(409, 'conflict');
    this.writes++;
    this.lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    return structuredClone(this.lease);
  }
}
