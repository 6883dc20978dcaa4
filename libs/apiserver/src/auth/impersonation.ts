/**
 * Impersonation headers, with the semantics of k8s.io/apiserver's WithImpersonation filter: every requested
 * user, group, extra value and uid needs the `impersonate` verb; the resulting user gets
 * `system:authenticated` (or `system:unauthenticated` for `system:anonymous`).
 */
import { StatusError } from '../errors.ts';
import { ForbiddenError } from './forbidden.ts';
import type { AuthorizationAttributes, Authorize, UserInfo } from './types.ts';
import {
  ALL_AUTHENTICATED,
  ALL_UNAUTHENTICATED,
  ANONYMOUS_USERNAME,
  parseServiceAccountUsername,
  serviceAccountGroups,
  serviceAccountUsername,
} from './user.ts';

/**
 * Request headers as Node gives them. Prefer `req.headersDistinct`: `req.headers` joins repeated headers with
 * `, `, so a string value of `Impersonate-Group` or `Impersonate-Extra-*` is split at commas (array values are
 * taken as they are).
 */
export type RequestHeaders = Record<string, string | string[] | undefined>;

const USER_HEADER = 'impersonate-user';
const GROUP_HEADER = 'impersonate-group';
const UID_HEADER = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Header lookup by lower-cased name, merging differently-cased duplicates. */
const lowerHeaders = (headers: RequestHeaders): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), ...values(v)]);
  }
  return out;
};

/** Values of a repeatable header; a plain string (Node's `req.headers`) may hold several joined with `, `. */
const splitJoined = (headers: RequestHeaders, lowerName: string, merged: string[]): string[] => {
  const raw = Object.entries(headers).filter(([k]) => k.toLowerCase() === lowerName);
  if (raw.some(([, v]) => Array.isArray(v))) return merged;
  return merged.flatMap((v) => v.split(',').map((x) => x.trim())).filter((x) => x !== '');
};

const unescapeExtraKey = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded; // like the real server: keep a malformed key as sent
  }
};

/** True when the headers ask for impersonation at all. */
export const hasImpersonationHeaders = (headers: RequestHeaders): boolean =>
  [...lowerHeaders(headers).entries()].some(
    ([k, v]) =>
      v.length > 0 && (k === USER_HEADER || k === GROUP_HEADER || k === UID_HEADER || k.startsWith(EXTRA_PREFIX)),
  );

/**
 * Resolve the effective user of a request. Returns `user` unchanged without impersonation headers.
 * Throws `ForbiddenError` (403) when `user` may not impersonate one of the requested identities, and a 500
 * `StatusError` when groups, extra or uid are requested without a user (the real server's InternalError).
 */
export const resolveImpersonation = (user: UserInfo, headers: RequestHeaders, authorize: Authorize): UserInfo => {
  const h = lowerHeaders(headers);
  const requestedUser = (h.get(USER_HEADER) ?? []).find((v) => v !== '') ?? '';
  const requestedGroups = splitJoined(headers, GROUP_HEADER, h.get(GROUP_HEADER) ?? []);
  const requestedUid = (h.get(UID_HEADER) ?? []).find((v) => v !== '') ?? '';
  const extras: Array<[string, string]> = [];
  for (const [k, vs] of h) {
    if (!k.startsWith(EXTRA_PREFIX)) continue;
    const key = unescapeExtraKey(k.slice(EXTRA_PREFIX.length));
    for (const v of splitJoined(headers, k, vs)) extras.push([key, v]);
  }
  if (requestedUser === '') {
    if (requestedGroups.length > 0 || extras.length > 0 || requestedUid !== '') {
      throw new StatusError(
        500,
        'InternalError',
        'Internal error occurred: requested impersonation of groups, extra or uid without impersonating a user',
      );
    }
    return user;
  }

  const groupsSpecified = requestedGroups.length > 0;
  const check = (attrs: Omit<AuthorizationAttributes, 'user' | 'verb'>): void => {
    const full: AuthorizationAttributes = { user, verb: 'impersonate', ...attrs };
    const decision = authorize(full);
    if (!decision.allowed) throw new ForbiddenError(full, decision.reason);
  };

  let username: string;
  let groups: string[] = [];
  const sa = parseServiceAccountUsername(requestedUser);
  if (sa) {
    check({ apiGroup: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
    username = serviceAccountUsername(sa.namespace, sa.name);
    if (!groupsSpecified) groups = serviceAccountGroups(sa.namespace);
  } else {
    check({ apiGroup: '', resource: 'users', name: requestedUser });
    username = requestedUser;
  }
  for (const g of requestedGroups) {
    check({ apiGroup: '', resource: 'groups', name: g });
    groups.push(g);
  }
  const extra: Record<string, string[]> = {};
  for (const [key, value] of extras) {
    check({ apiGroup: AUTHENTICATION_GROUP, resource: 'userextras', subresource: key, name: value });
    (extra[key] ??= []).push(value);
  }
  if (requestedUid !== '') check({ apiGroup: AUTHENTICATION_GROUP, resource: 'uids', name: requestedUid });

  if (username !== ANONYMOUS_USERNAME) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }

  const out: UserInfo = { username, groups };
  if (requestedUid !== '') out.uid = requestedUid;
  if (Object.keys(extra).length > 0) out.extra = extra;
  return out;
};
