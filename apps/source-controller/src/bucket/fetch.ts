/**
 * The S3 side of the Bucket reconciler (upstream `pkg/minio` and `fetchEtagIndex`/`fetchIndexFiles`) on
 * @aws-sdk/client-s3: the client per provider (generic: path-style, static keys or anonymous; aws: virtual-hosted,
 * region, static keys or the SDK's default credential chain), the etag index (`.sourceignore` and `spec.ignore`
 * applied to the keys), Flux's index digest, and the downloads with bounded concurrency.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import type * as ClientS3 from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SOURCE_IGNORE_FILE, createIgnoreFilter, readPatterns } from '@flux-ts/artifact';
import type { Bucket } from '@flux-ts/api';

// Lazily-resolved module promise (the one module-level state): the SDK costs ~26 MiB of RSS, paid on the first Bucket only.
let clientS3: Promise<typeof ClientS3> | undefined;
const loadS3 = (): Promise<typeof ClientS3> => (clientS3 ??= import('@aws-sdk/client-s3'));

/** Upstream `maxConcurrentBucketFetches`. */
export const MaxConcurrentBucketFetches = 100;

/** Static keys of a `secretRef` (`accesskey`, `secretkey`). */
export interface BucketKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Upstream `minio.ValidateSecret`: both keys or an error naming the Secret. */
export function keysFromSecret(name: string, data: Record<string, Uint8Array>): BucketKeys {
  const a = data['accesskey'];
  const s = data['secretkey'];
  if (!a || !s) throw new Error(`invalid '${name}' secret data: required fields 'accesskey' and 'secretkey'`);
  return { accessKeyId: Buffer.from(a).toString('utf8'), secretAccessKey: Buffer.from(s).toString('utf8') };
}

/** The S3 client of a Bucket (`provider` generic or aws); async as it loads the S3 SDK on first use. */
export async function s3ClientFor(
  obj: Bucket,
  opts: {
    keys?: BucketKeys | undefined;
    tls?: { ca?: Uint8Array; cert?: Uint8Array; key?: Uint8Array } | undefined;
    /** The proxy URL (credentials in its user info), from `proxySecretRef`. */
    proxy?: URL | undefined;
    /** Credentials from `spec.sts` (used without `keys`). */
    credentials?: S3ClientConfig['credentials'] | undefined;
  },
): Promise<S3Client> {
  const { S3Client } = await loadS3();
  const aws = obj.spec.provider === 'aws';
  const scheme = obj.spec.insecure ? 'http' : 'https';
  const endpoint = /^https?:\/\//.test(obj.spec.endpoint) ? obj.spec.endpoint : `${scheme}://${obj.spec.endpoint}`;
  const config: S3ClientConfig = {
    region: obj.spec.region || 'us-east-1',
    endpoint,
    forcePathStyle: !aws,
    maxAttempts: 1,
    // Flux (minio-go) sends no checksums; s3-compatible servers often reject the SDK's default CRC headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (opts.keys) config.credentials = opts.keys;
  else if (opts.credentials) config.credentials = opts.credentials;
  else if (!aws) {
    // generic without a Secret is anonymous (minio-go's default): requests go unsigned
    config.credentials = { accessKeyId: '', secretAccessKey: '' };
    config.signer = { sign: (req) => Promise.resolve(req) };
  }
  const tls = opts.tls;
  const tlsOptions = {
    ...(tls?.ca ? { ca: [...rootCertificates, Buffer.from(tls.ca).toString('utf8')] } : {}),
    ...(tls?.cert ? { cert: Buffer.from(tls.cert) } : {}),
    ...(tls?.key ? { key: Buffer.from(tls.key) } : {}),
  };
  // the SDK takes the options of its Node handler in place of a handler
  if (opts.proxy)
    config.requestHandler = {
      httpAgent: new HttpProxyAgent(opts.proxy),
      httpsAgent: new HttpsProxyAgent(opts.proxy, tlsOptions),
    };
  else if (tls?.ca || tls?.cert) config.requestHandler = { httpsAgent: new HttpsAgent(tlsOptions) };
  return new S3Client(config);
}

/** An S3 error as `<code>: <message>` (the SDK's error name is the S3 error code). */
export function s3Message(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const msg = err.message && err.message !== 'UnknownError' ? err.message : `status code ${status ?? 'unknown'}`;
  return err.name && err.name !== 'Error' && !msg.startsWith(err.name) ? `${err.name}: ${msg}` : msg;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** Flux's index digest (`index.Digester`): sha256 over `<key> <etag>\n` for the keys in byte order. */
export function indexDigest(index: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  const keys = [...index.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const k of keys) h.update(`${k} ${index.get(k) ?? ''}\n`);
  return `sha256:${h.digest('hex')}`;
}

/** The body of a GetObject as bytes. */
async function bodyBytes(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * Upstream `fetchEtagIndex`: the bucket must exist (HEAD), `.sourceignore` is read from the bucket root, the keys
 * under `prefix` (ListObjectsV2, paged) minus directories, `.sourceignore` and ignored keys make the index.
 */
export async function fetchEtagIndex(client: S3Client, obj: Bucket, signal: AbortSignal): Promise<Map<string, string>> {
  const { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command } = await loadS3();
  const bucket = obj.spec.bucketName;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
  } catch (err) {
    if (isNotFound(err)) throw new Error(`bucket '${bucket}' not found`, { cause: err });
    throw new Error(`failed to confirm existence of '${bucket}' bucket: ${s3Message(err)}`, { cause: err });
  }
  let patterns: string[] = [];
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: SOURCE_IGNORE_FILE }), {
      abortSignal: signal,
    });
    patterns = readPatterns((await bodyBytes(got.Body)).toString('utf8'));
  } catch (err) {
    if (!isNotFound(err))
      throw new Error(`failed to get Etag for '${SOURCE_IGNORE_FILE}' object: ${s3Message(err)}`, { cause: err });
  }
  if (obj.spec.ignore !== undefined) patterns.push(...readPatterns(obj.spec.ignore));
  const ignored = patterns.length > 0 ? createIgnoreFilter([{ domain: '', patterns }]) : undefined;
  const index = new Map<string, string>();
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(obj.spec.prefix ? { Prefix: obj.spec.prefix } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: signal },
      );
      for (const o of page.Contents ?? []) {
        const key = o.Key;
        if (!key || key.endsWith('/') || key === SOURCE_IGNORE_FILE) continue;
        if (ignored?.(key, false)) continue;
        index.set(key, (o.ETag ?? '').replace(/^"|"$/g, ''));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw new Error(`indexation of objects from bucket '${bucket}' failed: ${s3Message(err)}`, { cause: err });
  }
  return index;
}

/**
 * Upstream `fetchIndexFiles`: downloads every indexed key into `dir` with at most `concurrency` requests in flight;
 * a key that disappeared meanwhile leaves the index, a changed etag is recorded. Keys that would leave `dir` are
 * refused.
 */
export async function fetchIndexFiles(
  client: S3Client,
  obj: Bucket,
  index: Map<string, string>,
  dir: string,
  signal: AbortSignal,
  concurrency = MaxConcurrentBucketFetches,
): Promise<void> {
  const { GetObjectCommand } = await loadS3();
  const bucket = obj.spec.bucketName;
  const keys = [...index.keys()];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = keys[next++];
      if (key === undefined) return;
      const local = join(dir, key);
      const rel = relative(dir, local);
      if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..')
        throw new Error(`failed to get '${key}' object: the key leaves the working directory`);
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        await mkdir(dirname(local), { recursive: true });
        await pipeline(got.Body as Readable, createWriteStream(local), { signal });
        const etag = (got.ETag ?? '').replace(/^"|"$/g, '');
        if (etag && etag !== index.get(key)) index.set(key, etag);
      } catch (err) {
        if (isNotFound(err)) {
          index.delete(key);
          continue;
        }
        throw new Error(`failed to get '${key}' object: ${s3Message(err)}`, { cause: err });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, () => worker()));
  } catch (err) {
    throw new Error(`fetch from bucket '${bucket}' failed: ${(err as Error).message}`, { cause: err });
  }
}
