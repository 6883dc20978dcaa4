/**
 * RBAC evaluation with the semantics of kube-apiserver's RBAC authorizer
 * (plugin/pkg/auth/authorizer/rbac and pkg/registry/rbac/validation), plus the privileged
 * `system:masters` group and ClusterRole aggregation resolved at evaluation time.
 */
import type {
  AuthorizationAttributes,
  AuthorizationDecision,
  ClusterRole,
  ClusterRoleBinding,
  LabelSelector,
  PolicyRule,
  RbacSource,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
  UserInfo,
} from './types.ts';
import { SYSTEM_MASTERS, serviceAccountUsername } from './user.ts';

const q = (s: string): string => JSON.stringify(s);

/** True when `rule.verbs` contains `*` or the verb. */
export const verbMatches = (rule: PolicyRule, verb: string): boolean =>
  (rule.verbs ?? []).some((v) => v === '*' || v === verb);

const apiGroupMatches = (rule: PolicyRule, group: string): boolean =>
  (rule.apiGroups ?? []).some((g) => g === '*' || g === group);

const resourceMatches = (rule: PolicyRule, combined: string, subresource: string): boolean =>
  (rule.resources ?? []).some((r) => {
    if (r === '*' || r === combined) return true;
    // `*/scale` matches the scale subresource of every resource
    return subresource !== '' && r === `*/${subresource}`;
  });

const resourceNameMatches = (rule: PolicyRule, name: string): boolean => {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
};

const nonResourceURLMatches = (rule: PolicyRule, path: string): boolean =>
  (rule.nonResourceURLs ?? []).some((u) => {
    if (u === '*' || u === path) return true;
    return u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''));
  });

/** True when one PolicyRule allows the request (RBAC `RuleAllows`). */
export const ruleAllows = (attrs: AuthorizationAttributes, rule: PolicyRule): boolean => {
  if (attrs.nonResourcePath !== undefined) {
    return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.nonResourcePath);
  }
  const sub = attrs.subresource ?? '';
  const combined = sub === '' ? attrs.resource : `${attrs.resource}/${sub}`;
  return (
    verbMatches(rule, attrs.verb) &&
    apiGroupMatches(rule, attrs.apiGroup) &&
    resourceMatches(rule, combined, sub) &&
    resourceNameMatches(rule, attrs.name ?? '')
  );
};

/** True when metav1.LabelSelector `sel` matches `labels` (an empty selector matches everything). */
export const labelSelectorMatches = (sel: LabelSelector, labels: Record<string, string>): boolean => {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[req.key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
};

const ruleKey = (r: PolicyRule): string =>
  JSON.stringify([r.verbs ?? [], r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);

const hasSelectors = (cr: ClusterRole): boolean => (cr.aggregationRule?.clusterRoleSelectors ?? []).length > 0;

/**
 * Effective rules of every ClusterRole: roles with an `aggregationRule` get the union of the rules of the
 * ClusterRoles their selectors match (themselves excluded, sorted by name, duplicates dropped), resolved
 * transitively — the fixed point the clusterrole-aggregation controller converges to.
 */
const effectiveRules = (roles: ClusterRole[]): ((name: string) => PolicyRule[] | undefined) => {
  const byName = new Map<string, ClusterRole>();
  for (const r of roles) byName.set(r.metadata.name, r);
  const sorted = [...byName.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  const done = new Map<string, PolicyRule[]>();
  const resolving = new Set<string>();
  const resolve = (cr: ClusterRole): PolicyRule[] => {
    const name = cr.metadata.name;
    const cached = done.get(name);
    if (cached) return cached;
    if (!hasSelectors(cr)) {
      const own = cr.rules ?? [];
      done.set(name, own);
      return own;
    }
    if (resolving.has(name)) return cr.rules ?? []; // a cycle: use what is stored
    resolving.add(name);
    const out: PolicyRule[] = [];
    const seen = new Set<string>();
    for (const sel of cr.aggregationRule?.clusterRoleSelectors ?? []) {
      for (const other of sorted) {
        if (other.metadata.name === name) continue;
        if (!labelSelectorMatches(sel, other.metadata.labels ?? {})) continue;
        for (const rule of resolve(other)) {
          const k = ruleKey(rule);
          if (seen.has(k)) continue;
          seen.add(k);
          out.push(rule);
        }
      }
    }
    resolving.delete(name);
    done.set(name, out);
    return out;
  };
  return (name) => {
    const cr = byName.get(name);
    return cr ? resolve(cr) : undefined;
  };
};

/**
 * ClusterRoles with aggregated `rules` filled in (what the clusterrole-aggregation controller writes), for
 * callers that want `kubectl get clusterrole admin -o yaml` to show the rules. Objects are copied, not mutated.
 */
export const aggregateClusterRoles = (clusterRoles: ClusterRole[]): ClusterRole[] => {
  const eff = effectiveRules(clusterRoles);
  return clusterRoles.map((cr) =>
    hasSelectors(cr) ? { ...cr, rules: structuredClone(eff(cr.metadata.name) ?? []) } : cr,
  );
};

const appliesToUser = (user: UserInfo, subject: Subject, namespace: string): boolean => {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      // the subject namespace defaults to the binding's namespace; a ClusterRoleBinding has none
      const ns = subject.namespace ? subject.namespace : namespace;
      if (ns === '') return false;
      return user.username === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
};

const firstApplying = (
  user: UserInfo,
  subjects: Subject[] | null | undefined,
  namespace: string,
): Subject | undefined => (subjects ?? []).find((s) => appliesToUser(user, s, namespace));

const describeSubject = (s: Subject, bindingNamespace: string): string => {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${q(`${s.name}/${s.namespace ? s.namespace : bindingNamespace}`)}`;
  return `${s.kind} ${q(s.name)}`;
};

/** Where a visited rule came from, rendered like the real authorizer's describers. */
const describeClusterBinding = (b: ClusterRoleBinding, s: Subject): string =>
  `ClusterRoleBinding ${q(b.metadata.name)} of ${b.roleRef.kind} ${q(b.roleRef.name)} to ${describeSubject(s, '')}`;

const describeBinding = (b: RoleBinding, ns: string, s: Subject): string =>
  `RoleBinding ${q(`${b.metadata.name}/${ns}`)} of ${b.roleRef.kind} ${q(b.roleRef.name)} to ${describeSubject(s, ns)}`;

type Visitor = (source: string | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

/** A per-evaluation view of the RBAC source: ClusterRoles resolved (with aggregation) once. */
class Resolver {
  readonly #rbac: RbacSource;
  #clusterRules: ((name: string) => PolicyRule[] | undefined) | undefined;
  constructor(rbac: RbacSource) {
    this.#rbac = rbac;
  }

  #clusterRole(name: string): PolicyRule[] | undefined {
    this.#clusterRules ??= effectiveRules(this.#rbac.clusterRoles());
    return this.#clusterRules(name);
  }

  /** Rules of a roleRef, or the error message the real lister returns. */
  roleRefRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === 'ClusterRole') {
      const rules = this.#clusterRole(ref.name);
      return rules ? { rules } : { error: `clusterrole.rbac.authorization.k8s.io ${q(ref.name)} not found` };
    }
    if (ref.kind === 'Role') {
      const role: Role | undefined = this.#rbac.roles(bindingNamespace).find((r) => r.metadata.name === ref.name);
      return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${q(ref.name)} not found` };
    }
    return { error: `unsupported role reference kind: ${q(ref.kind)}` };
  }

  /** Visit every rule that applies to `user` in `namespace` (cluster bindings first), like `VisitRulesFor`. */
  visit(user: UserInfo, namespace: string, visitor: Visitor): void {
    for (const b of this.#rbac.clusterRoleBindings()) {
      const subject = firstApplying(user, b.subjects, '');
      if (!subject) continue;
      const res = this.roleRefRules(b.roleRef, '');
      if ('error' in res) {
        if (!visitor(undefined, undefined, res.error)) return;
        continue;
      }
      const source = describeClusterBinding(b, subject);
      for (const rule of res.rules) if (!visitor(source, rule, undefined)) return;
    }
    if (namespace === '') return;
    for (const b of this.#rbac.roleBindings(namespace)) {
      const subject = firstApplying(user, b.subjects, namespace);
      if (!subject) continue;
      const res = this.roleRefRules(b.roleRef, namespace);
      if ('error' in res) {
        if (!visitor(undefined, undefined, res.error)) return;
        continue;
      }
      const source = describeBinding(b, namespace, subject);
      for (const rule of res.rules) if (!visitor(source, rule, undefined)) return;
    }
  }
}

/** utilerrors.NewAggregate(errs).Error(): one message as is, several deduplicated in brackets. */
const aggregateErrors = (errs: string[]): string => {
  const uniq = [...new Set(errs)];
  if (uniq.length === 1) return uniq[0] as string;
  return `[${uniq.join(', ')}]`;
};

/**
 * Authorize a request: members of `system:masters` are allowed everything (reason ""), otherwise RBAC.
 * Allowed reasons read `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`; a denial has
 * reason "" unless bindings referred to missing roles (`RBAC: clusterrole.rbac.authorization.k8s.io "y" not found`).
 */
export const authorize = (attrs: AuthorizationAttributes, rbac: RbacSource): AuthorizationDecision => {
  if (attrs.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
  let reason = '';
  let allowed = false;
  const errors: string[] = [];
  new Resolver(rbac).visit(
    attrs.user,
    attrs.nonResourcePath === undefined ? (attrs.namespace ?? '') : '',
    (source, rule, err) => {
      if (rule && ruleAllows(attrs, rule)) {
        allowed = true;
        reason = `RBAC: allowed by ${source ?? ''}`;
        return false;
      }
      if (err !== undefined) errors.push(err);
      return true;
    },
  );
  if (allowed) return { allowed, reason };
  return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregateErrors(errors)}` : '' };
};

/** Every rule that applies to `user` in `namespace`, and the resolution errors (RBAC `RulesFor`). */
export const rulesFor = (
  user: UserInfo,
  namespace: string,
  rbac: RbacSource,
): { rules: PolicyRule[]; errors: string[] } => {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  new Resolver(rbac).visit(user, namespace, (_source, rule, err) => {
    if (rule) rules.push(rule);
    if (err !== undefined) errors.push(err);
    return true;
  });
  return { rules, errors };
};

/** The aggregate error text of `rulesFor` errors (empty when none). */
export const rulesErrorText = (errors: string[]): string => (errors.length === 0 ? '' : aggregateErrors(errors));

/** An `RbacSource` over fixed lists (tests, bootstrap-only servers); namespaced objects are filtered by `metadata.namespace`. */
export const staticRbacSource = (objs: {
  roles?: Role[];
  roleBindings?: RoleBinding[];
  clusterRoles?: ClusterRole[];
  clusterRoleBindings?: ClusterRoleBinding[];
}): RbacSource => ({
  roles: (ns) => (objs.roles ?? []).filter((r) => r.metadata.namespace === ns),
  roleBindings: (ns) => (objs.roleBindings ?? []).filter((b) => b.metadata.namespace === ns),
  clusterRoles: () => objs.clusterRoles ?? [],
  clusterRoleBindings: () => objs.clusterRoleBindings ?? [],
});
