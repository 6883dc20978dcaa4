/**
 * The server's view of the auth helper's modules (src/auth, src/workload): the server imports
 * authentication, authorization, review handlers and the workload simulation only from here.
 */
export {
  authorize,
  aggregateClusterRoles,
  bootstrapRbacObjects,
  ForbiddenError,
  forbiddenMessage,
  generateServiceAccountSigningKey,
  localSubjectAccessReview,
  resolveImpersonation,
  selfSubjectAccessReview,
  selfSubjectRulesReview,
  subjectAccessReview,
  TokenAuthenticator,
} from '../auth/index.ts';
export type { AuthorizationAttributes as AuthzAttributes, RbacSource, UserInfo } from '../auth/index.ts';
export { simulateWorkloadStatus, simulationReadyAt } from '../workload/index.ts';
