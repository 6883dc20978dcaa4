/** Resource paths: parsing `/api/v1/...` and `/apis/g/v/...`, the verb of a request, the counted resource key. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { qualifiedResource } from '../errors.ts';
import type { ServerContext } from './context.ts';

/** A parsed resource path. */
export interface Route {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** The legacy `/watch/` prefix was used. */
  watchPrefix: boolean;
}

/** A non-resource endpoint: answers the request and returns true when it serves the (trailing-slash-free) path. */
export type PathHandler = (ctx: ServerContext, req: IncomingMessage, res: ServerResponse, path: string) => boolean;

/** A path segment, percent-decoded; escapes that do not form UTF-8 become U+FFFD (Go keeps the raw bytes). */
const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return Buffer.from(
      segment.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
};

/** The Kubernetes verb of a request (`list` or `get`, `watch`, `delete` or `deletecollection`, …). */
export const verbOf = (method: string, route: Route, watch: boolean): string => {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return route.name === undefined ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
};

/** Parse `/api/v1/...` and `/apis/g/v/...` resource paths. */
export const parseResourcePath = (path: string): Route | undefined => {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return undefined;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return undefined;
  return {
    group,
    version,
    resource,
    watchPrefix,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
};

/** The resource a request is counted (and error rules matched) under: `deployments.apps/status`. */
export const resourceKey = (group: string, resource: string, sub?: string): string =>
  `${qualifiedResource(group, resource)}${sub ? `/${sub}` : ''}`;
