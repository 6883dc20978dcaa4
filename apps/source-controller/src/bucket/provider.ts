/**
 * Upstream's `BucketProvider` interface for the cloud SDK providers (azure.ts, gcp.ts) and the provider-neutral
 * `fetchEtagIndex` / `fetchIndexFiles` over it: the same `.sourceignore`, `spec.ignore`, directory and prefix rules
 * and messages as the S3 path of fetch.ts.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SOURCE_IGNORE_FILE, createIgnoreFilter, readPatterns } from '@flux-ts/artifact';
import type { Bucket } from '@flux-ts/api';
import { MaxConcurrentBucketFetches } from './fetch.ts';

/** An object body and the etag the server sent with it (undefined: keep the listed one). */
export interface ProviderObject {
  body: Readable;
  etag?: string | undefined;
}

/** A Bucket provider backed by a cloud SDK (upstream `BucketProvider`). */
export interface BucketProvider {
  /** False when the bucket does not exist; throws on any other failure. */
  bucketExists(bucket: string, signal: AbortSignal): Promise<boolean>;
  /** The object, or undefined when it does not exist. */
  getObject(bucket: string, key: string, signal: AbortSignal): Promise<ProviderObject | undefined>;
  /** Calls `visit` with the key and index etag of every object under `prefix` (all pages). */
  visitObjects(
    bucket: string,
    prefix: string,
    visit: (key: string, etag: string) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** The provider's error as a message without credentials. */
  message(err: unknown): string;
  close(): void;
}

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** Upstream `fetchEtagIndex` over a {@link BucketProvider}. */
export async function fetchProviderIndex(
  provider: BucketProvider,
  obj: Bucket,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const bucket = obj.spec.bucketName;
  let exists: boolean;
  try {
    exists = await provider.bucketExists(bucket, signal);
  } catch (err) {
    throw new Error(`failed to confirm existence of '${bucket}' bucket: ${provider.message(err)}`, { cause: err });
  }
  if (!exists) throw new Error(`bucket '${bucket}' not found`);
  let patterns: string[] = [];
  try {
    const got = await provider.getObject(bucket, SOURCE_IGNORE_FILE, signal);
    if (got) patterns = readPatterns(await readAll(got.body));
  } catch (err) {
    throw new Error(`failed to get Etag for '${SOURCE_IGNORE_FILE}' object: ${provider.message(err)}`, { cause: err });
  }
  if (obj.spec.ignore !== undefined) patterns.push(...readPatterns(obj.spec.ignore));
  const ignored = patterns.length > 0 ? createIgnoreFilter([{ domain: '', patterns }]) : undefined;
  const index = new Map<string, string>();
  try {
    await provider.visitObjects(
      bucket,
      obj.spec.prefix ?? '',
      (key, etag) => {
        if (key.endsWith('/') || key === SOURCE_IGNORE_FILE) return;
        if (ignored?.(key, false)) return;
        index.set(key, etag);
      },
      signal,
    );
  } catch (err) {
    throw new Error(`indexation of objects from bucket '${bucket}' failed: ${provider.message(err)}`, { cause: err });
  }
  return index;
}

/** Upstream `fetchIndexFiles` over a {@link BucketProvider}, at most `concurrency` downloads in flight. */
export async function fetchProviderFiles(
  provider: BucketProvider,
  obj: Bucket,
  index: Map<string, string>,
  dir: string,
  signal: AbortSignal,
  concurrency = MaxConcurrentBucketFetches,
): Promise<void> {
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
        const got = await provider.getObject(bucket, key, signal);
        if (!got) {
          // the object disappeared since the listing
          index.delete(key);
          continue;
        }
        await mkdir(dirname(local), { recursive: true });
        await pipeline(got.body, createWriteStream(local), { signal });
        if (got.etag && got.etag !== index.get(key)) index.set(key, got.etag);
      } catch (err) {
        throw new Error(`failed to get '${key}' object: ${provider.message(err)}`, { cause: err });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, () => worker()));
  } catch (err) {
    throw new Error(`fetch from bucket '${bucket}' failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Upstream's literal reason when a cloud provider's client cannot be built (`serror.NewGeneric(err, "ClientError")`). */
export const BucketClientErrorReason = 'ClientError';
