/**
 * `provider: gcp` (upstream `pkg/gcp/gcp.go`) on @google-cloud/storage, loaded on first use: the `serviceaccount`
 * JSON key of `secretRef`, else Google's application default credentials; an `endpoint` other than
 * `storage.googleapis.com` becomes the SDK's `apiEndpoint` (authenticated, except over plain http without a Secret:
 * an emulator).
 */
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type * as GcpStorage from '@google-cloud/storage';
import type { Bucket } from '@flux-ts/api';
import type { BucketProvider } from './provider.ts';

// Lazily-resolved module promise: the Google SDK loads on the first gcp Bucket only.
let gcpStorage: Promise<typeof GcpStorage> | undefined;
const loadStorage = (): Promise<typeof GcpStorage> => (gcpStorage ??= import('@google-cloud/storage'));

/** The public Cloud Storage API host. */
export const GcsDefaultHost = 'storage.googleapis.com';

/** Upstream `gcp.ValidateSecret`: the `serviceaccount` field, or the error message. */
export function validateGcpSecret(name: string, data: Record<string, Uint8Array>): string | undefined {
  return data['serviceaccount'] === undefined
    ? `invalid '${name}' secret data: required fields 'serviceaccount'`
    : undefined;
}

/** The SDK's `apiEndpoint` for a Bucket, undefined for the public API. */
export function gcsEndpoint(obj: Bucket): string | undefined {
  const ep = obj.spec.endpoint;
  const url = /^https?:\/\//.test(ep) ? ep : `${obj.spec.insecure ? 'http' : 'https'}://${ep}`;
  return new URL(url).host === GcsDefaultHost ? undefined : url.replace(/\/+$/, '');
}

/** The GCS provider of a Bucket (upstream `gcp.NewClient`); the Secret is validated by the caller. */
export async function gcpProviderFor(
  obj: Bucket,
  opts: { secret?: { name: string; data: Record<string, Uint8Array> } | undefined },
): Promise<BucketProvider> {
  const { Storage } = await loadStorage();
  const apiEndpoint = gcsEndpoint(obj);
  const config: GcpStorage.StorageOptions = {
    // one attempt, as the S3 client: the reconcile's requeue is the retry
    retryOptions: { autoRetry: false, maxRetries: 0 },
  };
  if (opts.secret) {
    const raw = Buffer.from(opts.secret.data['serviceaccount'] ?? []).toString('utf8');
    let key: GcpStorage.StorageOptions['credentials'];
    try {
      key = JSON.parse(raw) as GcpStorage.StorageOptions['credentials'];
    } catch (err) {
      // JSON.parse quotes the input in its message: only the field is named
      throw new Error(`invalid '${opts.secret.name}' secret data: 'serviceaccount' is not a JSON key`, {
        cause: err,
      });
    }
    config.credentials = key;
    const project = (key as { project_id?: unknown } | undefined)?.project_id;
    if (typeof project === 'string') config.projectId = project;
  }
  if (apiEndpoint) {
    config.apiEndpoint = apiEndpoint;
    config.useAuthWithCustomEndpoint = opts.secret !== undefined || apiEndpoint.startsWith('https://');
  }
  return new GcsProvider(new Storage(config));
}

interface ApiErrorLike {
  code?: number | string;
  message?: string;
}

class GcsProvider implements BucketProvider {
  readonly #storage: GcpStorage.Storage;

  constructor(storage: GcpStorage.Storage) {
    this.#storage = storage;
  }

  async bucketExists(bucket: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    const [exists] = await this.#storage.bucket(bucket).exists();
    return exists;
  }

  async getObject(bucket: string, key: string, signal: AbortSignal): Promise<{ body: Readable } | undefined> {
    signal.throwIfAborted();
    const stream = this.#storage.bucket(bucket).file(key).createReadStream({ validation: false });
    // the SDK requests on the first read: piping starts it, the pass-through holds the body (with backpressure)
    const body = new PassThrough();
    try {
      await new Promise<void>((resolve, reject) => {
        // an error status is followed by the error event
        stream.once('response', (r?: { statusCode?: number }) => {
          if ((r?.statusCode ?? 200) < 400) resolve();
        });
        stream.once('error', reject);
        stream.pipe(body);
      });
    } catch (err) {
      stream.destroy();
      body.destroy();
      if ((err as ApiErrorLike).code === 404) return undefined;
      throw err;
    }
    stream.once('error', (err) => body.destroy(err));
    return { body };
  }

  async visitObjects(
    bucket: string,
    prefix: string,
    visit: (key: string, etag: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let query: GcpStorage.GetFilesOptions | null | undefined = {
      autoPaginate: false,
      ...(prefix ? { prefix } : {}),
    };
    while (query) {
      signal.throwIfAborted();
      const res: GcpStorage.GetFilesResponse = await this.#storage.bucket(bucket).getFiles(query);
      const [files, next] = res;
      for (const f of files) visit(f.name, f.metadata.etag ?? '');
      // the SDK's next query carries the page token only: the prefix and paging mode are kept
      const token: string | undefined = (next as { pageToken?: string } | null | undefined)?.pageToken;
      query = token ? { ...query, pageToken: token } : undefined;
    }
  }

  message(err: unknown): string {
    const e = err as ApiErrorLike;
    let msg = (e?.message ?? String(err)).split('\n')[0] ?? '';
    // media downloads carry the raw JSON error body as the message
    if (msg.startsWith('{'))
      try {
        const body = JSON.parse(msg) as { error?: { message?: string } };
        if (body.error?.message) msg = body.error.message;
      } catch {
        // not JSON: kept as is
      }
    return msg || `status code ${String(e?.code ?? 'unknown')}`;
  }

  close(): void {}
}
