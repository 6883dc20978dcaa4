export { authFromSecret, decodeSecretData, proxyFromSecret } from './auth.ts';
export type { GitAuth, GitProxy, SecretData } from './auth.ts';
export { checkout, listRefs } from './checkout.ts';
export type {
  CheckoutOptions,
  CheckoutResult,
  CommitInfo,
  GitSignature,
  ListRefsOptions,
  TagInfo,
} from './checkout.ts';
export {
  AbortedError,
  AuthenticationError,
  GitError,
  InvalidInputError,
  NotFoundError,
  TimeoutError,
  UnknownHostKeyError,
  VerificationError,
  redact,
} from './errors.ts';
export { knownHostsMatch } from './known-hosts.ts';
export {
  DEFAULT_BRANCH,
  formatRevision,
  normaliseRevision,
  parseConstraint,
  parseTagVersion,
  resolveRef,
} from './refs.ts';
export type { GitRef, RemoteRef, ResolvedRef } from './refs.ts';
export { keysFromSecret, verifyCheckout, verifyCommit, verifyTag } from './verify.ts';
export type { Signed, VerifiedSignature, VerifyMode } from './verify.ts';
export { PushRejectedError, cloneWorktree, commitAll, pushBranch, readSigningKey } from './push.ts';
export type {
  CloneWorktreeOptions,
  CloneWorktreeResult,
  CommitAllOptions,
  OpenPgpSigningKey,
  SshSigningKey,
  PushOptions,
  RemoteOptions,
} from './push.ts';
