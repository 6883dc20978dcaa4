/**
 * authorization.k8s.io/v1 review handlers: SelfSubjectAccessReview, SubjectAccessReview,
 * LocalSubjectAccessReview and SelfSubjectRulesReview, returning the response objects.
 */
import { invalid, type StatusCause } from '../errors.ts';
import { authorize, rulesErrorText, rulesFor } from './rbac.ts';
import type { AuthorizationAttributes, PolicyRule, RbacSource, UserInfo } from './types.ts';
import { SYSTEM_MASTERS } from './user.ts';

const GROUP = 'authorization.k8s.io';
const API_VERSION = 'authorization.k8s.io/v1';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const specOf = (body: unknown): Json => (isRecord(body) && isRecord(body['spec']) ? body['spec'] : {});
const nameOf = (body: unknown): string =>
  isRecord(body) && isRecord(body['metadata']) ? str(body['metadata']['name']) : '';

/** The field errors of a review spec, as the real validation words them (all of them, in its order). */
const specCauses = (body: unknown, requireSubject: boolean): StatusCause[] => {
  const spec = specOf(body);
  const causes: StatusCause[] = [];
  if (isRecord(spec['resourceAttributes']) === isRecord(spec['nonResourceAttributes'])) {
    const value = isRecord(spec['nonResourceAttributes']) ? JSON.stringify(spec['nonResourceAttributes']) : 'null';
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec',
      message: `Invalid value: ${value}: exactly one of nonResourceAttributes or resourceAttributes must be specified`,
    });
  }
  if (requireSubject && str(spec['user']) === '' && strings(spec['groups']).length === 0) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.user',
      message: 'Invalid value: "": at least one of user or group must be specified',
    });
  }
  return causes;
};

/** Throws the 422 of an invalid review spec. */
const validate = (kind: string, body: unknown, requireSubject: boolean): void => {
  const causes = specCauses(body, requireSubject);
  if (causes.length > 0) throw invalid(GROUP, kind, nameOf(body), causes);
};

/** Build authorizer attributes from a validated review spec. */
const attributesFrom = (body: unknown, user: UserInfo): AuthorizationAttributes => {
  const spec = specOf(body);
  const ra = spec['resourceAttributes'];
  const nra = spec['nonResourceAttributes'];
  if (isRecord(nra))
    return { user, verb: str(nra['verb']), apiGroup: '', resource: '', nonResourcePath: str(nra['path']) };
  const r = ra as Json;
  const attrs: AuthorizationAttributes = {
    user,
    verb: str(r['verb']),
    apiGroup: str(r['group']),
    resource: str(r['resource']),
  };
  if (str(r['subresource']) !== '') attrs.subresource = str(r['subresource']);
  if (str(r['namespace']) !== '') attrs.namespace = str(r['namespace']);
  if (str(r['name']) !== '') attrs.name = str(r['name']);
  return attrs;
};

const reviewResponse = (kind: string, body: unknown, spec: Json, allowed: boolean, reason: string): Json => {
  const status: Json = { allowed };
  if (reason !== '') status['reason'] = reason;
  const meta = isRecord(body) && isRecord(body['metadata']) ? body['metadata'] : {};
  return { kind, apiVersion: API_VERSION, metadata: { ...meta, creationTimestamp: null }, spec, status };
};

/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` for the (already impersonated) requesting `user`:
 * what `kubectl auth can-i VERB RESOURCE [--as=…]` sends.
 */
export const selfSubjectAccessReview = (body: unknown, user: UserInfo, rbac: RbacSource): Json => {
  validate('SelfSubjectAccessReview', body, false);
  const d = authorize(attributesFrom(body, user), rbac);
  return reviewResponse('SelfSubjectAccessReview', body, structuredClone(specOf(body)), d.allowed, d.reason);
};

const subjectFrom = (body: unknown): UserInfo => {
  const spec = specOf(body);
  const username = str(spec['user']);
  const groups = strings(spec['groups']);
  const user: UserInfo = { username, groups };
  if (str(spec['uid']) !== '') user.uid = str(spec['uid']);
  if (isRecord(spec['extra'])) {
    const extra: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(spec['extra'])) extra[k] = strings(v);
    user.extra = extra;
  }
  return user;
};

/** `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`: the user, groups, uid and extra come from the spec as given. */
export const subjectAccessReview = (body: unknown, rbac: RbacSource): Json => {
  validate('SubjectAccessReview', body, true);
  const d = authorize(attributesFrom(body, subjectFrom(body)), rbac);
  return reviewResponse('SubjectAccessReview', body, structuredClone(specOf(body)), d.allowed, d.reason);
};

/**
 * `POST /apis/authorization.k8s.io/v1/namespaces/NS/localsubjectaccessreviews`: like a SubjectAccessReview, but
 * `resourceAttributes.namespace` must be empty or equal `namespace` (then defaults to it).
 */
export const localSubjectAccessReview = (body: unknown, namespace: string, rbac: RbacSource): Json => {
  const kind = 'LocalSubjectAccessReview';
  const spec = structuredClone(specOf(body));
  const ra = spec['resourceAttributes'];
  if (isRecord(ra)) {
    const ns = str(ra['namespace']);
    if (ns !== '' && ns !== namespace) {
      throw invalid(GROUP, kind, nameOf(body), [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.resourceAttributes.namespace',
          message: `Invalid value: "${ns}": must match metadata.namespace`,
        },
      ]);
    }
    ra['namespace'] = namespace;
  }
  const withSpec = { ...(isRecord(body) ? body : {}), spec };
  validate(kind, withSpec, true);
  const d = authorize(attributesFrom(withSpec, subjectFrom(withSpec)), rbac);
  const out = reviewResponse(kind, body, spec, d.allowed, d.reason);
  (out['metadata'] as Json)['namespace'] = namespace;
  return out;
};

const resourceRuleJson = (r: PolicyRule): Json => {
  const out: Json = { verbs: [...(r.verbs ?? [])] };
  if ((r.apiGroups ?? []).length > 0) out['apiGroups'] = [...(r.apiGroups ?? [])];
  if ((r.resources ?? []).length > 0) out['resources'] = [...(r.resources ?? [])];
  if ((r.resourceNames ?? []).length > 0) out['resourceNames'] = [...(r.resourceNames ?? [])];
  return out;
};

/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews` (what `kubectl auth can-i --list` sends): the rules
 * of `user` in `spec.namespace`. Members of `system:masters` also get the wildcard rules of the privileged-group
 * authorizer.
 */
export const selfSubjectRulesReview = (body: unknown, user: UserInfo, rbac: RbacSource): Json => {
  const spec = specOf(body);
  const namespace = str(spec['namespace']);
  const resourceRules: Json[] = [];
  const nonResourceRules: Json[] = [];
  if (user.groups.includes(SYSTEM_MASTERS)) {
    resourceRules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    nonResourceRules.push({ verbs: ['*'], nonResourceURLs: ['*'] });
  }
  const { rules, errors } = rulesFor(user, namespace, rbac);
  for (const r of rules) {
    if ((r.resources ?? []).length > 0) resourceRules.push(resourceRuleJson(r));
    if ((r.nonResourceURLs ?? []).length > 0)
      nonResourceRules.push({ verbs: [...(r.verbs ?? [])], nonResourceURLs: [...(r.nonResourceURLs ?? [])] });
  }
  const status: Json = { resourceRules, nonResourceRules, incomplete: false };
  const err = rulesErrorText(errors);
  if (err !== '') status['evaluationError'] = err;
  const meta = isRecord(body) && isRecord(body['metadata']) ? body['metadata'] : {};
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: API_VERSION,
    metadata: { ...meta, creationTimestamp: null },
    spec: structuredClone(spec),
    status,
  };
};

/**
 * `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (what `kubectl auth whoami` sends): the requesting
 * (possibly impersonated) user's attributes.
 */
export const selfSubjectReview = (user: UserInfo): Json => {
  const userInfo: Json = { username: user.username };
  if (user.uid) userInfo['uid'] = user.uid;
  if (user.groups.length > 0) userInfo['groups'] = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) userInfo['extra'] = structuredClone(user.extra);
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo },
  };
};
