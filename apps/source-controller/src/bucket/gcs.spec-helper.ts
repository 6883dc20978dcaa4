/**
 * Test peer: a minimal stand-in for the Cloud Storage JSON API (no GCS emulator installs from npm without
 * firebase-tools), serving what the Bucket reads: bucket get, object listing (`prefix`, `pageToken`, two items a
 * page) and media download (`alt=media`), from an in-memory map; bucket `broken` answers 500.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running stand-in with its objects and request counts by `GET <bucket|list|media|object>`. */
export interface GcsStandIn {
  /** `http://127.0.0.1:<port>` (the Bucket `endpoint`). */
  endpoint: string;
  put(bucket: string, key: string, body: string): void;
  /** The etag the stand-in gives an object (base64 md5, as GCS's shape). */
  etag(body: string): string;
  counts(): Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

const PageSize = 2;

/** Starts the stand-in with the given (empty) buckets. */
export async function startGcsStandIn(buckets: string[]): Promise<GcsStandIn> {
  const store = new Map<string, Map<string, string>>(buckets.map((b) => [b, new Map()]));
  const etag = (body: string): string => createHash('md5').update(body).digest('base64');
  let counts: Record<string, number> = {};
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what: string): void =>
    json(res, 404, { error: { code: 404, message: `${what} not found`, errors: [{ reason: 'notFound' }] } });
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^(?:\/download)?\/storage\/v1\/b\/([^/]+)(?:\/o(?:\/(.+))?)?$/.exec(u.pathname);
    const kind = !m
      ? 'other'
      : m[2]
        ? u.searchParams.get('alt') === 'media'
          ? 'media'
          : 'object'
        : u.pathname.endsWith('/o')
          ? 'list'
          : 'bucket';
    counts[`${req.method} ${kind}`] = (counts[`${req.method} ${kind}`] ?? 0) + 1;
    if (!m || req.method !== 'GET') return json(res, 400, { error: { code: 400, message: 'unsupported' } });
    const bucket = decodeURIComponent(m[1] ?? '');
    if (bucket === 'broken') return json(res, 500, { error: { code: 500, message: 'backend error' } });
    const objects = store.get(bucket);
    if (!objects) return notFound(res, `bucket ${bucket}`);
    if (kind === 'bucket') return json(res, 200, { kind: 'storage#bucket', name: bucket, id: bucket });
    if (kind === 'list') {
      const prefix = u.searchParams.get('prefix') ?? '';
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = Number(u.searchParams.get('pageToken') ?? '0');
      const page = keys.slice(start, start + PageSize);
      return json(res, 200, {
        kind: 'storage#objects',
        items: page.map((name) => ({ kind: 'storage#object', bucket, name, etag: etag(objects.get(name) ?? '') })),
        ...(start + PageSize < keys.length ? { nextPageToken: String(start + PageSize) } : {}),
      });
    }
    const key = decodeURIComponent(m[2] ?? '');
    const body = objects.get(key);
    if (body === undefined) return notFound(res, `object ${key}`);
    if (kind === 'object') return json(res, 200, { kind: 'storage#object', bucket, name: key, etag: etag(body) });
    res.writeHead(200, { 'content-type': 'application/octet-stream', etag: etag(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (bucket, key, body) => store.get(bucket)?.set(key, body),
    etag,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
