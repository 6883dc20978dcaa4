/** Authentication (tokens, impersonation) and authorization (RBAC, reviews) for the in-process API server. */
export type {
  AuthorizationAttributes,
  AuthorizationDecision,
  Authorize,
  ClusterRole,
  ClusterRoleBinding,
  LabelSelector,
  LabelSelectorRequirement,
  PolicyRule,
  RbacObjectMeta,
  RbacSource,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
  UserInfo,
} from './types.ts';
export {
  ADMIN_USERNAME,
  ALL_AUTHENTICATED,
  ALL_UNAUTHENTICATED,
  ANONYMOUS_USERNAME,
  SERVICE_ACCOUNTS_GROUP,
  SYSTEM_MASTERS,
  adminUser,
  anonymousUser,
  parseServiceAccountUsername,
  serviceAccountGroups,
  serviceAccountUsername,
} from './user.ts';
export { ForbiddenError, forbiddenMessage, forbiddenReason } from './forbidden.ts';
export {
  aggregateClusterRoles,
  authorize,
  labelSelectorMatches,
  ruleAllows,
  rulesFor,
  staticRbacSource,
} from './rbac.ts';
export { hasImpersonationHeaders, resolveImpersonation, type RequestHeaders } from './impersonation.ts';
export {
  CREDENTIAL_ID_EXTRA,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  TokenAuthenticator,
  generateServiceAccountSigningKey,
  rfc3339,
  type IssuedToken,
  type ServiceAccountTokenRequest,
  type TokenAuthenticatorOptions,
  type TokenVerification,
  type TrustedIssuer,
} from './token.ts';
export { bootstrapRbacObjects } from './bootstrap.ts';
export {
  localSubjectAccessReview,
  selfSubjectAccessReview,
  selfSubjectReview,
  selfSubjectRulesReview,
  subjectAccessReview,
} from './reviews.ts';
export { requestAttributes, type HttpRequestInfo, type RequestQuery } from './request-info.ts';
