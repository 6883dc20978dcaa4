/**
 * `provider: azure` (upstream `pkg/azure/blob.go`) on @azure/storage-blob, loaded on first use: `endpoint` is the
 * account URL, the Secret selects service principal (secret or PEM certificate), managed identity (`clientId`),
 * shared key (`accountKey`) or SAS (`sasKey`) auth; without a Secret the environment/workload/managed identity chain
 * (@azure/identity), or anonymous on a plain-http endpoint where bearer tokens cannot be sent.
 */
import type { Readable } from 'node:stream';
import type * as Identity from '@azure/identity';
import type * as StorageBlob from '@azure/storage-blob';
import type { Bucket } from '@flux-ts/api';
import type { BucketProvider } from './provider.ts';

// Lazily-resolved module promises: the Azure SDKs load on the first azure Bucket only.
let storageBlob: Promise<typeof StorageBlob> | undefined;
let identity: Promise<typeof Identity> | undefined;
const loadBlob = (): Promise<typeof StorageBlob> => (storageBlob ??= import('@azure/storage-blob'));
const loadIdentity = (): Promise<typeof Identity> => (identity ??= import('@azure/identity'));

const text = (data: Record<string, Uint8Array>, k: string): string => Buffer.from(data[k] ?? []).toString('utf8');

/** Upstream `azure.ValidateSecret`: at least one usable set of credential fields, or the error message. */
export function validateAzureSecret(name: string, data: Record<string, Uint8Array>): string | undefined {
  const has = (k: string): boolean => data[k] !== undefined;
  const valid =
    (has('tenantId') && has('clientId') && (has('clientSecret') || has('clientCertificate'))) ||
    has('clientId') ||
    has('accountKey') ||
    has('sasKey') ||
    has('authorityHost');
  if (valid) return undefined;
  return `invalid '${name}' secret data: requires a 'clientId' or 'accountKey' field, a combination of 'tenantId', 'clientId' and 'clientSecret', or 'tenantId', 'clientId' and 'clientCertificate'`;
}

/**
 * Upstream `extractAccountNameFromEndpoint`: the first label of the host; for a path-style emulator endpoint
 * (an IP address or `localhost`, as Azurite's `http://127.0.0.1:10000/devstoreaccount1`) the first path segment,
 * as the Azure SDK itself reads it.
 */
export function accountNameFromEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch (err) {
    throw new Error(`failed to extract account name from endpoint: ${(err as Error).message}`, { cause: err });
  }
  const host = u.hostname;
  const segment = u.pathname.split('/').find((s) => s !== '');
  if ((host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[')) && segment) return segment;
  const parts = host.split('.');
  if (parts.length <= 2 || !parts[0])
    throw new Error(`failed to extract account name from endpoint: expected '${host}' to be a subdomain`);
  return parts[0];
}

/** Upstream `sasTokenFromSecret`: the endpoint with the SAS token's parameters (the endpoint's own kept unless overridden). */
export function sasURL(endpoint: string, sasKey: string): string {
  const sas = new URLSearchParams(sasKey.replace(/^\?/, ''));
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch (err) {
    throw new Error(`unable to parse endpoint URL: ${(err as Error).message}`, { cause: err });
  }
  for (const [k, v] of u.searchParams) if (!sas.has(k)) sas.append(k, v);
  u.search = sas.toString();
  return u.toString();
}

/** The account URL of a Bucket: `endpoint` with `http://` when `insecure` and no scheme is given. */
export function azureEndpoint(obj: Bucket): string {
  const ep = obj.spec.endpoint;
  return /^https?:\/\//.test(ep) ? ep : `${obj.spec.insecure ? 'http' : 'https'}://${ep}`;
}

/** The Azure Blob provider of a Bucket (upstream `azure.NewClient`); the Secret is validated by the caller. */
export async function azureProviderFor(
  obj: Bucket,
  opts: { secret?: { name: string; data: Record<string, Uint8Array> } | undefined; proxy?: URL | undefined },
): Promise<BucketProvider> {
  const blob = await loadBlob();
  const endpoint = azureEndpoint(obj);
  const pipelineOptions: StorageBlob.StoragePipelineOptions = {
    // one attempt, as the S3 client: the reconcile's requeue is the retry
    retryOptions: { maxTries: 1 },
    ...(opts.proxy
      ? {
          proxyOptions: {
            host: `${opts.proxy.protocol}//${opts.proxy.hostname}`,
            port: Number(opts.proxy.port || (opts.proxy.protocol === 'https:' ? 443 : 80)),
            ...(opts.proxy.username ? { username: decodeURIComponent(opts.proxy.username) } : {}),
            ...(opts.proxy.password ? { password: decodeURIComponent(opts.proxy.password) } : {}),
          },
        }
      : {}),
  };
  const secrets: string[] = [];
  let client: StorageBlob.BlobServiceClient;
  const data = opts.secret && Object.keys(opts.secret.data).length > 0 ? opts.secret.data : undefined;
  const token = data ? await tokenCredential(opts.secret?.name ?? '', data) : await chainCredential(endpoint);
  if (token) client = new blob.BlobServiceClient(endpoint, token, pipelineOptions);
  else if (data?.['accountKey'] !== undefined) {
    let account: string;
    try {
      account = accountNameFromEndpoint(endpoint);
    } catch (err) {
      throw new Error(
        `failed to create shared credential from '${opts.secret?.name ?? ''}' Secret data: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const key = text(data, 'accountKey');
    secrets.push(key);
    client = new blob.BlobServiceClient(endpoint, new blob.StorageSharedKeyCredential(account, key), pipelineOptions);
  } else if (data?.['sasKey'] !== undefined) {
    const sas = text(data, 'sasKey');
    secrets.push(sas.replace(/^\?/, ''), ...new URLSearchParams(sas.replace(/^\?/, '')).values());
    client = new blob.BlobServiceClient(sasURL(endpoint, sas), new blob.AnonymousCredential(), pipelineOptions);
  } else client = new blob.BlobServiceClient(endpoint, new blob.AnonymousCredential(), pipelineOptions);
  return new AzureBlobProvider(
    client,
    secrets.filter((s) => s.length >= 8),
  );
}

/**
 * Upstream `tokenCredentialFromSecret`: service principal with a client secret or a PEM client certificate
 * (optionally `authorityHost`, `clientCertificateSendChain`), managed identity for a lone `clientId`; undefined for
 * key-based Secrets.
 */
async function tokenCredential(
  name: string,
  data: Record<string, Uint8Array>,
): Promise<Identity.TokenCredential | undefined> {
  const has = (k: string): boolean => data[k] !== undefined && data[k].byteLength > 0;
  const authorityHost = data['authorityHost'] !== undefined ? { authorityHost: text(data, 'authorityHost') } : {};
  if (data['tenantId'] !== undefined && data['clientId'] !== undefined) {
    const id = await loadIdentity();
    if (has('clientSecret'))
      return new id.ClientSecretCredential(
        text(data, 'tenantId'),
        text(data, 'clientId'),
        text(data, 'clientSecret'),
        authorityHost,
      );
    if (has('clientCertificate')) {
      const certificate = text(data, 'clientCertificate');
      // @azure/identity takes PEM only (upstream also parses PKCS#12)
      if (!certificate.includes('-----BEGIN'))
        throw new Error(
          `failed to create token credential from '${name}' Secret: failed to parse client certificates: only PEM is supported by this build`,
        );
      const send = text(data, 'clientCertificateSendChain').toLowerCase();
      return new id.ClientCertificateCredential(
        text(data, 'tenantId'),
        text(data, 'clientId'),
        {
          certificate,
          ...(has('clientCertificatePassword') ? { certificatePassword: text(data, 'clientCertificatePassword') } : {}),
        },
        { ...authorityHost, sendCertificateChain: send === '1' || send === 'true' },
      );
    }
  }
  if (data['clientId'] !== undefined) {
    const id = await loadIdentity();
    return new id.ManagedIdentityCredential({ clientId: text(data, 'clientId') });
  }
  return undefined;
}

/**
 * Upstream `chainCredentialWithSecret` without a Secret: environment, workload identity and managed identity, each
 * configured by the SDK from the pod's environment. A plain-http endpoint (an emulator) gets no token: the SDK
 * refuses bearer tokens without TLS, so it is reached anonymously.
 */
async function chainCredential(endpoint: string): Promise<Identity.TokenCredential | undefined> {
  if (endpoint.startsWith('http://')) return undefined;
  const id = await loadIdentity();
  const creds: Identity.TokenCredential[] = [];
  // as upstream, a credential whose settings are missing (the workload identity one throws then) is left out
  for (const make of [
    () => new id.EnvironmentCredential(),
    () => new id.WorkloadIdentityCredential(),
    () => new id.ManagedIdentityCredential(),
  ])
    try {
      creds.push(make());
    } catch {
      // unavailable in this environment
    }
  return creds.length > 0 ? new id.ChainedTokenCredential(...creds) : undefined;
}

interface RestErrorLike {
  code?: string;
  statusCode?: number;
  message?: string;
}

class AzureBlobProvider implements BucketProvider {
  readonly #client: StorageBlob.BlobServiceClient;
  readonly #secrets: string[];

  constructor(client: StorageBlob.BlobServiceClient, secrets: string[]) {
    this.#client = client;
    this.#secrets = secrets;
  }

  async bucketExists(bucket: string, signal: AbortSignal): Promise<boolean> {
    // upstream lists one blob: the container check that works with container-scoped SAS tokens too
    const pages = this.#client
      .getContainerClient(bucket)
      .listBlobsFlat({ abortSignal: signal })
      .byPage({ maxPageSize: 1 });
    try {
      await pages.next();
    } catch (err) {
      const code = (err as RestErrorLike).code;
      if (code === 'ContainerNotFound') return false;
      if (code === 'AuthenticationFailed')
        throw new Error(
          `the specified bucket name may be incorrect, nonexistent, or the caller might lack sufficient permissions to access it: ${this.message(err)}`,
          { cause: err },
        );
      throw err;
    }
    return true;
  }

  async getObject(
    bucket: string,
    key: string,
    signal: AbortSignal,
  ): Promise<{ body: Readable; etag: string | undefined } | undefined> {
    try {
      const res = await this.#client
        .getContainerClient(bucket)
        .getBlobClient(key)
        .download(0, undefined, { abortSignal: signal });
      if (!res.readableStreamBody) throw new Error(`no body for '${key}'`);
      return { body: res.readableStreamBody as Readable, etag: res.etag ? azureEtag(res.etag) : undefined };
    } catch (err) {
      if ((err as RestErrorLike).code === 'BlobNotFound') return undefined;
      throw err;
    }
  }

  async visitObjects(
    bucket: string,
    prefix: string,
    visit: (key: string, etag: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const blobs = this.#client
      .getContainerClient(bucket)
      .listBlobsFlat({ abortSignal: signal, ...(prefix ? { prefix } : {}) });
    for await (const b of blobs) visit(b.name, azureEtag(b.properties.etag ?? ''));
  }

  message(err: unknown): string {
    const e = err as RestErrorLike;
    // the storage error's first line (the rest is RequestId and Time); request URLs are never included
    const first = (e?.message ?? String(err)).split('\n')[0] ?? '';
    let msg = e?.code && !first.startsWith(e.code) ? `${e.code}: ${first}` : first;
    if (!msg) msg = `status code ${e?.statusCode ?? 'unknown'}`;
    for (const s of this.#secrets) msg = msg.split(s).join('***');
    return msg;
  }

  close(): void {}
}

/**
 * The index etag of a blob: upstream formats the SDK's ETag with `%x` (hex of its bytes); quotes, which the download
 * headers carry and the listing does not, are dropped first so both agree.
 */
export function azureEtag(etag: string): string {
  return Buffer.from(etag.replace(/^"|"$/g, ''), 'utf8').toString('hex');
}
