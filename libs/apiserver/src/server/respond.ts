/** Writing responses: JSON bodies, Status errors, warning headers, and the 404/405 every route shares. */
import type { ServerResponse } from 'node:http';
import { StatusError } from '../errors.ts';
import { responseFormat, sendProtobuf } from '../protobuf/negotiate.ts';

/** The JSON media type. */
export const JSON_CT = 'application/json';

/** The media type of a `meta.k8s.io/v1` Table. */
export const TABLE_CT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Writes a JSON body (uncached, with its length). */
export const sendJson = (
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = JSON_CT,
  headers: Record<string, string> = {},
): void => {
  const data = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(data);
};

/** Writes an error as its Status body. */
export const sendStatus = (res: ServerResponse, err: StatusError, headers: Record<string, string> = {}): void => {
  const status = err.toStatus();
  // a client that prefers protobuf gets its Status as meta.k8s.io/v1 Status in protobuf, as from kube-apiserver;
  // a failed negotiation (406) is written as raw JSON (WriteRawJSON)
  const protobuf = err.code !== 406 && responseFormat(res.req.headers.accept, true) === 'protobuf';
  if (!(protobuf && sendProtobuf(res, err.code, { ...status }, headers)))
    sendJson(res, err.code, status, JSON_CT, headers);
};

/** kube-apiserver's 404 for a path it does not serve. */
export const notFoundPath = (): StatusError =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

/** kube-apiserver's 405 for a method a resource (or subresource) does not serve. */
export const methodNotAllowed = (resource: string): StatusError =>
  new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {
    kind: resource,
  });

/** The `Warning: 299 - "…"` header of a write's warnings (none without warnings). */
export const warningHeaders = (warnings: string[]): Record<string, string> =>
  warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {};
