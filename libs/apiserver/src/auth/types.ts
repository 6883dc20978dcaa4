/** Shared types of the authentication and authorization modules (rbac.authorization.k8s.io/v1 shapes). */

/** An authenticated identity, like k8s.io/apiserver `user.Info`. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The attributes of one request that authorization decides on (k8s.io/apiserver `authorizer.Attributes`). */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Set for non-resource requests (`/version`, `/apis`); resource fields are then ignored. */
  nonResourcePath?: string;
}

/** An authorization decision with the authorizer's reason string. */
export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
}

/** A function that authorizes attributes (what impersonation needs). */
export type Authorize = (attrs: AuthorizationAttributes) => AuthorizationDecision;

/** The object metadata fields RBAC evaluation reads. */
export interface RbacObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** rbac/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** rbac/v1 Subject. */
export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

/** rbac/v1 RoleRef. */
export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/** meta/v1 LabelSelectorRequirement. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** meta/v1 LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** rbac/v1 Role. */
export interface Role {
  apiVersion?: string;
  kind?: string;
  metadata: RbacObjectMeta;
  rules?: PolicyRule[] | null;
}

/** rbac/v1 ClusterRole. */
export interface ClusterRole {
  apiVersion?: string;
  kind?: string;
  metadata: RbacObjectMeta;
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] | null } | null;
}

/** rbac/v1 RoleBinding. */
export interface RoleBinding {
  apiVersion?: string;
  kind?: string;
  metadata: RbacObjectMeta;
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** rbac/v1 ClusterRoleBinding. */
export interface ClusterRoleBinding {
  apiVersion?: string;
  kind?: string;
  metadata: RbacObjectMeta;
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** Where RBAC evaluation reads the current Roles, ClusterRoles and bindings from (the storage, at request time). */
export interface RbacSource {
  roles(namespace: string): Role[];
  roleBindings(namespace: string): RoleBinding[];
  clusterRoles(): ClusterRole[];
  clusterRoleBindings(): ClusterRoleBinding[];
}
