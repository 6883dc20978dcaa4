/** Well-known users and groups, and the ServiceAccount username scheme (k8s.io/apiserver user, serviceaccount). */
import type { UserInfo } from './types.ts';

/** Group every authenticated request carries. */
export const ALL_AUTHENTICATED = 'system:authenticated';
/** Group of anonymous requests. */
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
/** Group that is allowed everything (kube-apiserver's privileged group). */
export const SYSTEM_MASTERS = 'system:masters';
/** Username of anonymous requests. */
export const ANONYMOUS_USERNAME = 'system:anonymous';
/** Username kind/kubeadm give the cluster admin. */
export const ADMIN_USERNAME = 'kubernetes-admin';
/** Group of all ServiceAccounts. */
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

const SA_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:<ns>:<name>`. */
export const serviceAccountUsername = (namespace: string, name: string): string => `${SA_PREFIX}${namespace}:${name}`;

/** The groups of a ServiceAccount in `namespace` (without `system:authenticated`). */
export const serviceAccountGroups = (namespace: string): string[] => [
  SERVICE_ACCOUNTS_GROUP,
  `${SERVICE_ACCOUNTS_GROUP}:${namespace}`,
];

/** Split a ServiceAccount username into namespace and name; undefined for any other username. */
export const parseServiceAccountUsername = (username: string): { namespace: string; name: string } | undefined => {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (namespace === '' || name === '') return undefined;
  return { namespace, name };
};

/** The admin identity the static admin token maps to. */
export const adminUser = (): UserInfo => ({ username: ADMIN_USERNAME, groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] });

/** The identity of an anonymous request (core answers 401 instead; exported for callers that allow anonymous). */
export const anonymousUser = (): UserInfo => ({ username: ANONYMOUS_USERNAME, groups: [ALL_UNAUTHENTICATED] });
