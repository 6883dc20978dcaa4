/**
 * The review kinds (virtual resources, only created and never stored): SelfSubjectAccessReview,
 * SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview, TokenReview and SelfSubjectReview.
 */
import { isObj, type Obj } from '../util.ts';
import {
  localSubjectAccessReview,
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  subjectAccessReview,
  type UserInfo,
} from '../wiring/auth.ts';
import { methodNotAllowed } from '../server/respond.ts';
import { readInputBody, sendObject, type ResourceRequest } from './resource-request.ts';

const selfSubjectReview = (user: UserInfo): Obj => ({
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'SelfSubjectReview',
  metadata: { creationTimestamp: null },
  status: {
    userInfo: {
      username: user.username,
      groups: user.groups,
      ...(user.uid ? { uid: user.uid } : {}),
      ...(user.extra ? { extra: user.extra } : {}),
    },
  },
});

/** POST of a review kind: the review with its status (201); any other method is 405. */
export const serveReview = async (r: ResourceRequest): Promise<void> => {
  const { def, user, ctx } = r;
  if (r.method !== 'POST') throw methodNotAllowed(def.resource);
  const body = await readInputBody(r);
  const b = isObj(body) ? body : {};
  let out: Obj;
  switch (def.kind) {
    case 'SelfSubjectAccessReview':
      out = selfSubjectAccessReview(b, user, ctx.rbac);
      break;
    case 'SubjectAccessReview':
      out = subjectAccessReview(b, ctx.rbac);
      break;
    case 'LocalSubjectAccessReview':
      out = localSubjectAccessReview(b, r.ns, ctx.rbac);
      break;
    case 'SelfSubjectRulesReview':
      out = selfSubjectRulesReview(b, user, ctx.rbac);
      break;
    case 'TokenReview':
      out = ctx.authn.tokenReview(b);
      break;
    default:
      out = selfSubjectReview(user);
  }
  sendObject(r, 201, out);
};
