/**
 * Authorization attributes of an HTTP request, with the rules of k8s.io/apiserver's RequestInfoFactory: which
 * paths are resource requests, the verb (get/list/watch/create/update/patch/delete/deletecollection), namespace,
 * resource, subresource and name.
 */
import type { AuthorizationAttributes, UserInfo } from './types.ts';

/** Query parameters as `URLSearchParams` or a parsed record. */
export type RequestQuery = URLSearchParams | Record<string, string | string[] | undefined>;

/** What `requestAttributes` needs of a request. */
export interface HttpRequestInfo {
  method: string;
  /** The URL path without query string. */
  path: string;
  query?: RequestQuery;
  user: UserInfo;
}

const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const queryValue = (q: RequestQuery | undefined, key: string): string | undefined => {
  if (q === undefined) return undefined;
  if (q instanceof URLSearchParams) return q.get(key) ?? undefined;
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
};

const safeDecode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** strconv.ParseBool's true values. */
const isTrue = (v: string | undefined): boolean =>
  v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);

/** The name a field selector pins with `metadata.name=x` or `metadata.name==x`. */
const nameFromFieldSelector = (sel: string | undefined): string | undefined => {
  if (!sel) return undefined;
  for (const term of sel.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*([^\s]+)\s*$/.exec(term);
    if (m && m[1] && !m[1].includes('/') && m[1] !== '.' && m[1] !== '..') return m[1];
  }
  return undefined;
};

/** The authorization attributes of a request; paths outside `/api` and `/apis/<group>/<version>/…` are non-resource requests. */
export const requestAttributes = (req: HttpRequestInfo): AuthorizationAttributes => {
  const method = req.method.toUpperCase();
  const nonResource = (): AuthorizationAttributes => ({
    user: req.user,
    verb: method.toLowerCase(),
    apiGroup: '',
    resource: '',
    nonResourcePath: req.path,
  });
  const parts = req.path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((p) => p !== '')
    .map(safeDecode);
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return nonResource();
  let cur = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (cur.length < 3) return nonResource(); // discovery: /apis, /apis/<group>, /apis/<group>/<version>
    apiGroup = cur[0] as string;
    cur = cur.slice(1);
  } else if (cur.length < 2) {
    return nonResource(); // /api, /api/v1
  }
  cur = cur.slice(1); // the version

  let verb: string;
  if (SPECIAL_VERBS.has(cur[0] as string)) {
    if (cur.length < 2) return nonResource();
    verb = cur[0] as string;
    cur = cur.slice(1);
  } else {
    const byMethod: Record<string, string> = {
      POST: 'create',
      GET: 'get',
      HEAD: 'get',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: 'delete',
    };
    verb = byMethod[method] ?? '';
  }

  let namespace = '';
  if (cur[0] === 'namespaces' && cur.length > 1) {
    namespace = cur[1] as string;
    // /namespaces/<ns>/<resource>/…, but /namespaces/<ns>/status and /finalize are subresources of the namespace
    if (cur.length > 2 && !NAMESPACE_SUBRESOURCES.has(cur[2] as string)) cur = cur.slice(2);
  }

  const resource = cur[0] ?? '';
  let name = cur[1] ?? '';
  const subresource = cur.length >= 3 && verb !== 'proxy' ? (cur[2] as string) : '';

  if (name === '' && verb === 'get') {
    verb = isTrue(queryValue(req.query, 'watch')) ? 'watch' : 'list';
    name = nameFromFieldSelector(queryValue(req.query, 'fieldSelector')) ?? '';
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';

  const attrs: AuthorizationAttributes = { user: req.user, verb, apiGroup, resource };
  if (subresource !== '') attrs.subresource = subresource;
  if (namespace !== '') attrs.namespace = namespace;
  if (name !== '') attrs.name = name;
  return attrs;
};
