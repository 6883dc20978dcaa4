/**
 * 403 messages in the exact format of k8s.io/apiserver (responsewriters.forbiddenMessage wrapped by
 * apimachinery's errors.NewForbidden).
 */
import { StatusError } from '../errors.ts';
import type { AuthorizationAttributes } from './types.ts';

const isResourceRequest = (a: AuthorizationAttributes): boolean => a.nonResourcePath === undefined;

/** Go's `%q` for the strings we print (JSON string quoting is the same for printable text). */
const q = (s: string): string => JSON.stringify(s);

/** The inner sentence: `User "u" cannot get resource "pods" in API group "" in the namespace "ns"`. */
export const forbiddenReason = (attrs: AuthorizationAttributes): string => {
  const username = attrs.user.username;
  if (!isResourceRequest(attrs)) {
    return `User ${q(username)} cannot ${attrs.verb} path ${q(attrs.nonResourcePath ?? '')}`;
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? `in the namespace ${q(attrs.namespace)}` : 'at the cluster scope';
  return `User ${q(username)} cannot ${attrs.verb} resource ${q(resource)} in API group ${q(attrs.apiGroup)} ${where}`;
};

/**
 * The full Status message of a 403, e.g.
 * `deployments.apps "web" is forbidden: User "…" cannot get resource "deployments" in API group "apps" in the namespace "apps"`.
 * A non-empty authorizer `reason` is appended after `: ` like the real server does.
 */
export const forbiddenMessage = (attrs: AuthorizationAttributes, reason = ''): string => {
  // the real server escapes HTML-looking characters in the sentence (not in the reason)
  let inner = forbiddenReason(attrs).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  if (reason !== '') inner = `${inner}: ${reason}`;
  if (!isResourceRequest(attrs) || (attrs.resource === '' && attrs.apiGroup === '')) return `forbidden: ${inner}`;
  const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  return attrs.name ? `${qualified} ${q(attrs.name)} is forbidden: ${inner}` : `${qualified} is forbidden: ${inner}`;
};

/** A 403 Forbidden `StatusError` with the Kubernetes message and `details` (group, kind = resource, name). */
export class ForbiddenError extends StatusError {
  readonly status = 403;
  constructor(attrs: AuthorizationAttributes, reason = '', options?: { cause?: unknown }) {
    const details: { name?: string; group?: string; kind?: string } = {};
    if (attrs.nonResourcePath === undefined) {
      if (attrs.name) details.name = attrs.name;
      if (attrs.apiGroup) details.group = attrs.apiGroup;
      if (attrs.resource) details.kind = attrs.resource;
    }
    super(403, 'Forbidden', forbiddenMessage(attrs, reason), details, options);
    this.name = 'ForbiddenError';
  }
}
