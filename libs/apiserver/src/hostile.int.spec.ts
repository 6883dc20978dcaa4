/**
 * Hostile requests: each gets the answer kube-apiserver gives (a 4xx with its Status, or Go net/http's plain-text
 * refusal), nothing is stored, Object.prototype stays as it was, and memory stays flat under large bodies.
 */
import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_PATCH_OPERATIONS, MAX_NESTING_DEPTH, MAX_REQUEST_BODY_BYTES, MAX_YAML_TOKENS } from './limits.ts';
import { startApiServer, type ApiServer } from './server.ts';
import { eventually } from './testing/harness.ts';

const MiB = 1024 * 1024;
const CMS = '/api/v1/namespaces/default/configmaps';
const BLOBS = '/apis/example.com/v1/namespaces/default/blobs';
const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
const GENERIC_422 = 'the server rejected our request due to an error in our request';

/** A custom resource whose spec keeps anything: the kind hostile nesting and keys can reach storage through. */
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'blobs.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Blob', plural: 'blobs' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        },
      },
    ],
  },
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What a request sends: the body at once, or `size` bytes of `chunk` streamed with backpressure. */
interface Send {
  method: string;
  path: string;
  body?: string | Buffer;
  stream?: { size: number; chunk: Buffer; declareLength: boolean };
  headers?: Record<string, string>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** One HTTPS request with the admin token; the path is sent as is (no URL parsing on the client side). */
const send = (server: ApiServer, s: Send): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const u = new URL(server.url);
    const headers: Record<string, string | number> = {
      Authorization: `Bearer ${server.adminToken}`,
      ...(s.body !== undefined || s.stream ? { 'Content-Type': 'application/json' } : {}),
      ...(s.stream?.declareLength ? { 'Content-Length': s.stream.size } : {}),
      ...s.headers,
    };
    let answered = false;
    const req = request(
      { method: s.method, hostname: u.hostname, port: u.port, path: s.path, ca: server.caPem, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          // the server answered before the whole body was sent: stop sending
          req.destroy();
        });
      },
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (s.stream) {
      const { size, chunk } = s.stream;
      void (async () => {
        for (let sent = 0; sent < size && !answered && !req.destroyed; sent += chunk.length) {
          if (!req.write(chunk.subarray(0, Math.min(chunk.length, size - sent)))) {
            await new Promise<void>((resume) => {
              const go = (): void => {
                req.off('drain', go);
                req.off('close', go);
                resume();
              };
              req.on('drain', go);
              req.on('close', go);
            });
          }
        }
        if (!req.destroyed) req.end();
      })().catch(() => undefined);
      return;
    }
    if (s.body !== undefined) req.write(s.body);
    req.end();
  });

/** Bytes written on a raw TLS connection, and everything the server answers until it closes. */
const rawExchange = (server: ApiServer, bytes: string | Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const u = new URL(server.url);
    const chunks: Buffer[] = [];
    const socket = connect(
      { host: u.hostname, port: Number(u.port), ca: server.caPem, servername: 'localhost' },
      () => {
        socket.write(bytes);
      },
    );
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', (err) => {
      if (chunks.length === 0) reject(err);
    });
  });

const json = (r: Reply): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;

const configMap = (name: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...extra });

const blob = (name: string, spec: unknown): string =>
  JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Blob', metadata: { name }, spec });

/** `{"a":{"a":…1}}` nesting `levels` objects. */
const nestedObjects = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** The billion-laughs document: nine levels of nine aliases. */
const aliasBomb = (): string => {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: lol', 'a0: &a0 ["lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
};

/** A JSON patch whose `copy` operations double the nesting of `/spec/n` ten times: cheap, but 1,024 levels deep. */
const deepeningOps = (): unknown[] => {
  const ops: unknown[] = [{ op: 'add', path: '/spec/n', value: {} }];
  for (let depth = 1; depth <= 1024; depth *= 2)
    ops.push({ op: 'copy', from: '/spec/n', path: `/spec${'/n'.repeat(depth + 1)}` });
  return ops;
};

interface Case {
  name: string;
  req: Send;
  status: number;
  /** The Status `reason`; undefined for a plain-text answer. */
  reason?: string;
  message: string;
  /** A path that must still answer 404 afterwards: nothing was stored. */
  absent?: string;
}

const tooLarge = (message: string): Pick<Case, 'status' | 'reason' | 'message'> => ({
  status: 413,
  reason: 'RequestEntityTooLarge',
  message,
});
const badRequest = (message: string): Pick<Case, 'status' | 'reason' | 'message'> => ({
  status: 400,
  reason: 'BadRequest',
  message,
});

/**
 * kube-apiserver's transformDecodeError for a create or update body it could not decode: the decoder's message with
 * the expected kind and summarizeData's first 30 bytes (as text for JSON objects, else hex).
 */
const unrecognized = (kind: string, message: string, body: string): Pick<Case, 'status' | 'reason' | 'message'> => {
  const head = Buffer.from(body).subarray(0, 30);
  const summary = `${body.startsWith('{') ? head.toString('utf8') : head.toString('hex')}${body.length > 30 ? ' ...' : ''}`;
  return badRequest(`the object provided is unrecognized (must be of type ${kind}): ${message} (${summary})`);
};

const DEEP_JSON = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const DEEP_BLOB = blob('deep', JSON.parse(nestedObjects(MAX_NESTING_DEPTH)));
const DEEP_FLOW_YAML = `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
const DEEP_BLOCK_YAML = `${'- '.repeat(100_000)}x\n`;
const ALIAS_BOMB = aliasBomb();

const BODY_LIMIT = `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`;
const YAML = { 'Content-Type': 'application/yaml' };

const cases: Case[] = [
  {
    name: 'a 10 MiB body with its Content-Length',
    req: { method: 'POST', path: CMS, stream: { size: 10 * MiB, chunk: CHUNK, declareLength: true } },
    ...tooLarge(BODY_LIMIT),
  },
  {
    name: 'a 10 MiB chunked body',
    req: { method: 'POST', path: CMS, stream: { size: 10 * MiB, chunk: CHUNK, declareLength: false } },
    ...tooLarge(BODY_LIMIT),
  },
  {
    name: 'a body one byte over the limit',
    req: { method: 'PUT', path: `${CMS}/x`, body: Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1, ' ') },
    ...tooLarge(BODY_LIMIT),
  },
  {
    name: 'a 10 MiB patch',
    req: {
      method: 'PATCH',
      path: `${CMS}/kept`,
      stream: { size: 10 * MiB, chunk: CHUNK, declareLength: true },
      headers: { 'Content-Type': MERGE_PATCH },
    },
    ...tooLarge(BODY_LIMIT),
  },
  {
    name: 'an object over etcd’s 1.5 MiB (kube-apiserver: 500 with this message)',
    req: { method: 'POST', path: BLOBS, body: blob('huge', { data: 'x'.repeat(2 * MiB) }) },
    ...tooLarge('etcdserver: request is too large'),
    absent: `${BLOBS}/huge`,
  },
  {
    name: 'JSON nested 100,000 deep',
    req: { method: 'POST', path: CMS, body: DEEP_JSON },
    ...unrecognized(
      'ConfigMap',
      `couldn't get version/kind; json parse error: invalid character '[' exceeded max depth`,
      DEEP_JSON,
    ),
  },
  {
    name: 'JSON one level deeper than the limit',
    req: { method: 'POST', path: BLOBS, body: DEEP_BLOB },
    ...unrecognized(
      'Blob',
      `couldn't get version/kind; json parse error: invalid character '{' exceeded max depth`,
      DEEP_BLOB,
    ),
    absent: `${BLOBS}/deep`,
  },
  {
    name: 'YAML flow sequences nested 100,000 deep',
    req: { method: 'POST', path: CMS, body: DEEP_FLOW_YAML, headers: YAML },
    ...unrecognized(
      'ConfigMap',
      `error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`,
      DEEP_FLOW_YAML,
    ),
  },
  {
    name: 'YAML block sequences nested 100,000 deep',
    req: { method: 'POST', path: CMS, body: DEEP_BLOCK_YAML, headers: YAML },
    ...unrecognized(
      'ConfigMap',
      `error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`,
      DEEP_BLOCK_YAML,
    ),
  },
  {
    name: 'a YAML alias bomb',
    req: { method: 'POST', path: CMS, body: ALIAS_BOMB, headers: YAML },
    ...unrecognized(
      'ConfigMap',
      'error converting YAML to JSON: yaml: document contains excessive aliasing',
      ALIAS_BOMB,
    ),
    absent: `${CMS}/lol`,
  },
  {
    name: 'a YAML alias bomb as a server-side apply',
    req: {
      method: 'PATCH',
      path: `${CMS}/lol?fieldManager=x`,
      body: aliasBomb(),
      headers: { 'Content-Type': APPLY_PATCH },
    },
    ...badRequest('error decoding patch: error converting YAML to JSON: yaml: document contains excessive aliasing'),
    absent: `${CMS}/lol`,
  },
  {
    name: 'YAML with more tokens than the yaml package can afford',
    req: { method: 'POST', path: CMS, body: `a: [${'1,'.repeat(MAX_YAML_TOKENS)}1]\n`, headers: YAML },
    ...tooLarge(`Request entity too large: a YAML body may have at most ${MAX_YAML_TOKENS} tokens`),
  },
  {
    name: 'a text/plain create',
    req: { method: 'POST', path: CMS, body: configMap('plain'), headers: { 'Content-Type': 'text/plain' } },
    status: 415,
    reason: 'UnsupportedMediaType',
    message:
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    absent: `${CMS}/plain`,
  },
  {
    name: 'a form-encoded update',
    req: {
      method: 'PUT',
      path: `${CMS}/kept`,
      body: 'a=b',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    },
    status: 415,
    reason: 'UnsupportedMediaType',
    message:
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  },
  {
    name: 'a text/plain patch',
    req: { method: 'PATCH', path: `${CMS}/kept`, body: '{}', headers: { 'Content-Type': 'text/plain' } },
    status: 415,
    reason: 'UnsupportedMediaType',
    message:
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
  },
  {
    name: 'a strategic merge patch of a custom resource',
    req: {
      method: 'PATCH',
      path: `${BLOBS}/kept`,
      body: '{}',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    },
    status: 415,
    reason: 'UnsupportedMediaType',
    message:
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  },
  {
    name: 'a JSON patch of /__proto__',
    req: {
      method: 'PATCH',
      path: `${CMS}/kept`,
      body: JSON.stringify([{ op: 'add', path: '/__proto__/polluted', value: 'yes' }]),
      headers: { 'Content-Type': JSON_PATCH },
    },
    status: 422,
    reason: 'Invalid',
    message: GENERIC_422,
  },
  {
    name: 'a JSON patch of /constructor/prototype',
    req: {
      method: 'PATCH',
      path: `${CMS}/kept`,
      body: JSON.stringify([{ op: 'replace', path: '/constructor/prototype/polluted', value: 'yes' }]),
      headers: { 'Content-Type': JSON_PATCH },
    },
    status: 422,
    reason: 'Invalid',
    message: GENERIC_422,
  },
  {
    name: 'a JSON patch with too many operations',
    req: {
      method: 'PATCH',
      path: `${CMS}/kept`,
      body: JSON.stringify(
        Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({
          op: 'test',
          path: '/kind',
          value: 'ConfigMap',
        })),
      ),
      headers: { 'Content-Type': JSON_PATCH },
    },
    ...tooLarge(
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${MAX_JSON_PATCH_OPERATIONS + 1}`,
    ),
  },
  {
    name: 'a JSON patch copy bomb',
    req: {
      method: 'PATCH',
      path: `${CMS}/kept`,
      body: JSON.stringify([
        { op: 'add', path: '/data', value: { a: 'x'.repeat(1024) } },
        ...Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '/data', path: `/data/c${i}` })),
      ]),
      headers: { 'Content-Type': JSON_PATCH },
    },
    status: 422,
    reason: 'Invalid',
    message: GENERIC_422,
  },
  {
    name: 'a JSON patch that nests the object deeper than any body may',
    req: {
      method: 'PATCH',
      path: `${BLOBS}/kept`,
      body: JSON.stringify(deepeningOps()),
      headers: { 'Content-Type': JSON_PATCH },
    },
    status: 422,
    reason: 'Invalid',
    message: GENERIC_422,
  },
  {
    name: 'a watch with timeoutSeconds=abc',
    req: { method: 'GET', path: `${CMS}?watch=true&timeoutSeconds=abc` },
    ...badRequest('strconv.ParseInt: parsing "abc": invalid syntax'),
  },
  {
    name: 'a list with limit=abc',
    req: { method: 'GET', path: `${CMS}?limit=abc` },
    ...badRequest('strconv.ParseInt: parsing "abc": invalid syntax'),
  },
  {
    name: 'a list with a limit out of int64 range',
    req: { method: 'GET', path: `${CMS}?limit=99999999999999999999` },
    ...badRequest('strconv.ParseInt: parsing "99999999999999999999": value out of range'),
  },
  {
    name: 'a list with resourceVersion=abc (kube-apiserver: 500 with this message)',
    req: { method: 'GET', path: `${CMS}?resourceVersion=abc&resourceVersionMatch=NotOlderThan` },
    ...badRequest('resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'),
  },
  {
    name: 'a watch with resourceVersion=-1',
    req: { method: 'GET', path: `${CMS}?watch=1&resourceVersion=-1` },
    ...badRequest('resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax'),
  },
  {
    name: 'a get with resourceVersion=x',
    req: { method: 'GET', path: `${CMS}/kept?resourceVersion=x` },
    ...badRequest('resourceVersion: Invalid value: "x": strconv.ParseUint: parsing "x": invalid syntax'),
  },
  {
    name: 'a create with dryRun=foo',
    req: { method: 'POST', path: `${CMS}?dryRun=foo`, body: configMap('dry') },
    status: 422,
    reason: 'Invalid',
    message:
      'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"foo"}: supported values: "All"',
    absent: `${CMS}/dry`,
  },
  {
    name: 'a create with fieldValidation=foo',
    req: { method: 'POST', path: `${CMS}?fieldValidation=foo`, body: configMap('fv') },
    status: 422,
    reason: 'Invalid',
    message:
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "foo": supported values: "", "Ignore", "Strict", "Warn"',
    absent: `${CMS}/fv`,
  },
  {
    name: 'a delete with gracePeriodSeconds=abc',
    req: { method: 'DELETE', path: `${CMS}/kept?gracePeriodSeconds=abc` },
    ...badRequest('strconv.ParseInt: parsing "abc": invalid syntax'),
  },
  {
    name: 'a delete with propagationPolicy=Sideways',
    req: { method: 'DELETE', path: `${CMS}/kept?propagationPolicy=Sideways` },
    status: 422,
    reason: 'Invalid',
    message:
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
  },
  {
    name: 'a 100 KB URL (under Go’s 1 MiB header limit: served)',
    req: { method: 'GET', path: `${CMS}/${'a'.repeat(100_000)}` },
    status: 404,
    reason: 'NotFound',
    message: `configmaps "${'a'.repeat(100_000)}" not found`,
  },
  {
    name: 'a path with a malformed escape (Go net/http: plain 400)',
    req: { method: 'GET', path: '/api/v1/namespaces/%zz' },
    status: 400,
    message: '400 Bad Request',
  },
  {
    name: 'a path that reads as an authority',
    req: { method: 'GET', path: '//[' },
    status: 404,
    reason: 'NotFound',
    message: 'the server could not find the requested resource',
  },
  {
    name: 'protobuf that ends early',
    req: {
      method: 'POST',
      path: CMS,
      body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
    },
    ...badRequest('failed to decode protobuf: premature EOF'),
  },
];

describe('hostile requests', () => {
  let server: ApiServer;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  beforeAll(async () => {
    server = await startApiServer();
    const crd = await send(server, {
      method: 'POST',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      body: JSON.stringify(CRD),
    });
    expect(crd.status).toBe(201);
    expect(
      (await send(server, { method: 'POST', path: CMS, body: configMap('kept', { data: { a: 'b' } }) })).status,
    ).toBe(201);
    expect((await send(server, { method: 'POST', path: BLOBS, body: blob('kept', { a: 1 }) })).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(cases)('$name → $status', async (c) => {
    const before = await send(server, { method: 'GET', path: `${CMS}/kept` });
    const r = await send(server, c.req);
    expect(r.status).toBe(c.status);
    if (c.reason === undefined) {
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toBe(c.message);
    } else {
      expect(json(r)).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: c.message,
        reason: c.reason,
        code: c.status,
        ...(json(r)['details'] !== undefined ? { details: json(r)['details'] } : {}),
      });
    }
    if (c.absent !== undefined) expect((await send(server, { method: 'GET', path: c.absent })).status).toBe(404);
    // the object the hostile writes aim at is unchanged
    expect((await send(server, { method: 'GET', path: `${CMS}/kept` })).body).toBe(before.body);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers a request line and headers over 1 MiB with Go’s plain 431, then closes', async () => {
    const answer = await rawExchange(
      server,
      `GET ${CMS}/${'a'.repeat(2 * MiB)} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${server.adminToken}\r\n\r\n`,
    );
    expect(answer).toBe(
      'HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large',
    );
    // the server is still there
    expect((await send(server, { method: 'GET', path: `${CMS}/kept` })).status).toBe(200);
  });

  it('answers a request line it cannot parse with Go’s plain 400', async () => {
    expect(await rawExchange(server, 'GARBAGE\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request',
    );
  });

  it('accepts an object nested exactly as deep as the limit, and serves it', async () => {
    const name = 'deepest';
    const created = await send(server, {
      method: 'POST',
      path: BLOBS,
      body: blob(name, JSON.parse(nestedObjects(MAX_NESTING_DEPTH - 1)) as unknown),
    });
    expect(created.status).toBe(201);
    expect((await send(server, { method: 'GET', path: BLOBS })).status).toBe(200);
    const patched = await send(server, {
      method: 'PATCH',
      path: `${BLOBS}/${name}`,
      body: JSON.stringify({ metadata: { labels: { a: 'b' } } }),
      headers: { 'Content-Type': MERGE_PATCH },
    });
    expect(patched.status).toBe(200);
    const applied = await send(server, {
      method: 'PATCH',
      path: `${BLOBS}/${name}?fieldManager=deep&force=true`,
      body: blob(name, JSON.parse(nestedObjects(MAX_NESTING_DEPTH - 1)) as unknown),
      headers: { 'Content-Type': APPLY_PATCH },
    });
    expect(applied.status).toBe(200);
    expect((await send(server, { method: 'DELETE', path: `${BLOBS}/${name}` })).status).toBe(200);
  });

  it('keeps __proto__ and constructor as plain data through create, every patch type and apply', async () => {
    const path = `${BLOBS}/proto`;
    const created = await send(server, {
      method: 'POST',
      path: BLOBS,
      body: '{"apiVersion":"example.com/v1","kind":"Blob","metadata":{"name":"proto"},"spec":{"__proto__":{"polluted":"create"},"constructor":{"prototype":{"polluted":"create"}}}}',
    });
    expect(created.status).toBe(201);
    expect(created.body).toContain(
      '"spec":{"__proto__":{"polluted":"create"},"constructor":{"prototype":{"polluted":"create"}}}',
    );
    const merge = await send(server, {
      method: 'PATCH',
      path,
      body: '{"spec":{"__proto__":{"polluted":"merge","more":1}}}',
      headers: { 'Content-Type': MERGE_PATCH },
    });
    expect(merge.status).toBe(200);
    expect(merge.body).toContain('"__proto__":{"polluted":"merge","more":1}');
    const jsonPatch = await send(server, {
      method: 'PATCH',
      path,
      body: JSON.stringify([
        { op: 'replace', path: '/spec/__proto__/polluted', value: 'json' },
        { op: 'copy', from: '/spec/__proto__', path: '/spec/constructor/prototype' },
      ]),
      headers: { 'Content-Type': JSON_PATCH },
    });
    expect(jsonPatch.status).toBe(200);
    expect(jsonPatch.body).toContain(
      '"spec":{"__proto__":{"polluted":"json","more":1},"constructor":{"prototype":{"polluted":"json","more":1}}}',
    );
    const applied = await send(server, {
      method: 'PATCH',
      path: `${path}?fieldManager=hostile&force=true`,
      body: '{"apiVersion":"example.com/v1","kind":"Blob","metadata":{"name":"proto"},"spec":{"__proto__":{"polluted":"apply"}}}',
      headers: { 'Content-Type': APPLY_PATCH },
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toContain('"__proto__":{"polluted":"apply","more":1}');
    expect(applied.body).toContain('"f:__proto__":{".":{},"f:polluted":{}}');
    const strategic = await send(server, {
      method: 'PATCH',
      path: `${CMS}/kept`,
      body: '{"data":{"__proto__":"smp","constructor":"smp"}}',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    expect(strategic.status).toBe(200);
    expect(json(strategic)['data']).toEqual(JSON.parse('{"a":"b","__proto__":"smp","constructor":"smp"}'));
    const got = json(await send(server, { method: 'GET', path }));
    const spec = got['spec'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(spec)).toBe(Object.prototype);
    expect(Object.hasOwn(spec, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['more']).toBeUndefined();
  });

  it('keeps memory flat under twenty concurrent and twenty consecutive 10 MiB bodies', async () => {
    const samples: number[] = [];
    const sample = (): void => {
      const m = process.memoryUsage();
      samples.push(m.rss, m.heapUsed + m.arrayBuffers);
    };
    const baseRss = process.memoryUsage().rss;
    const baseHeap = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const timer = setInterval(sample, 5);
    const body = (declareLength: boolean): Send => ({
      method: 'POST',
      path: CMS,
      stream: { size: 10 * MiB, chunk: CHUNK, declareLength },
    });
    try {
      const concurrent = await Promise.all(Array.from({ length: 20 }, () => send(server, body(true))));
      const consecutive: Reply[] = [];
      for (let i = 0; i < 20; i++) consecutive.push(await send(server, body(false)));
      for (const r of [...concurrent, ...consecutive]) {
        expect(r.status).toBe(413);
        expect(json(r)['message']).toBe(BODY_LIMIT);
      }
    } finally {
      clearInterval(timer);
      sample();
    }
    const rssGrowth = Math.max(...samples.filter((_, i) => i % 2 === 0)) - baseRss;
    const heapGrowth = Math.max(...samples.filter((_, i) => i % 2 === 1)) - baseHeap;
    expect(rssGrowth).toBeLessThan(100 * MiB);
    expect(heapGrowth).toBeLessThan(100 * MiB);
  }, 60_000);

  it('closes a watch whose client stops reading instead of buffering events for it', async () => {
    const before = server.hooks.openWatches();
    const u = new URL(server.url);
    const watch = request({
      hostname: u.hostname,
      port: u.port,
      path: `${CMS}?watch=true&labelSelector=flood%3Dyes`,
      ca: server.caPem,
      headers: { Authorization: `Bearer ${server.adminToken}` },
    });
    watch.on('response', (res) => res.pause());
    watch.on('error', () => undefined);
    watch.end();
    await eventually(() => server.hooks.openWatches() > before);
    const data = { a: 'x'.repeat(900 * 1024) };
    for (let i = 0; i < 60 && server.hooks.openWatches() > before; i++) {
      const body = configMap(`flood-${i}`, { metadata: { name: `flood-${i}`, labels: { flood: 'yes' } }, data });
      expect((await send(server, { method: 'POST', path: CMS, body })).status).toBe(201);
    }
    expect(server.hooks.openWatches()).toBe(before);
    watch.destroy();
  }, 60_000);

  it('leaves Object.prototype as it was', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    for (const k of ['polluted', 'more', 'a', 'x'])
      expect((Object.prototype as Record<string, unknown>)[k]).toBeUndefined();
  });
});
