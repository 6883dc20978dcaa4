/**
 * The Deployment controller's part of the simulation (k8s.io/kubernetes pkg/controller/deployment), as far as
 * Helm's readiness check (pkg/kube/ready.go: the newest ReplicaSet by `deploymentutil.FindNewReplicaSet`) and
 * kstatus look: one ReplicaSet per pod template, named `<deployment>-<pod-template-hash>`, controlled by the
 * Deployment, with the revision annotations; the old ones scaled to zero and trimmed to `revisionHistoryLimit`;
 * the Deployment status summed from its ReplicaSets with the Available and Progressing conditions. Pure
 * functions: the server's simulation reads the store and writes what they return.
 *
 * Deliberate simplification: every rollout is done in one step (the new ReplicaSet gets all replicas and the old
 * ones none at once, as with `Recreate`), there is no surge, and a paused Deployment gets no new ReplicaSet.
 */
import { podTemplateHash } from './hash.ts';
import {
  byCreation,
  conditionOf,
  controllerRef,
  counters,
  deleting,
  int,
  isObj,
  metaOf,
  ms,
  nameOf,
  obj,
  semanticEqual,
  strMap,
  ts,
  type Obj,
} from './meta.ts';

/** The label that ties a ReplicaSet and its Pods to one pod template of a Deployment. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The revision of a Deployment and of its ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The Deployment's `spec.replicas`, on its ReplicaSets. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** `spec.replicas` plus the resolved `maxSurge`, on its ReplicaSets. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations the controller does not copy to its ReplicaSets (`skipCopyAnnotation`). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** What the Deployment controller writes for one Deployment, given the ReplicaSets it controls. */
export interface DeploymentSync {
  /** The new ReplicaSet to create when none has the Deployment's pod template (no server-set fields). */
  create?: Record<string, unknown>;
  /** ReplicaSets to update: copies of the live objects with new `spec.replicas` and annotations. */
  update: Record<string, unknown>[];
  /** Names of old ReplicaSets past `revisionHistoryLimit`, to delete. */
  remove: string[];
  /** The `deployment.kubernetes.io/revision` annotation the Deployment must get, when it differs. */
  revision?: string;
}

const templateOf = (o: Obj): Obj => obj(obj(o['spec'])['template']);

/** `deploymentutil.EqualIgnoreHash`: two pod templates equal apart from their `pod-template-hash` label. */
export const equalIgnoreHash = (a: unknown, b: unknown): boolean => {
  const strip = (t: unknown): Obj => {
    const c = structuredClone(obj(t));
    const m = obj(c['metadata']);
    if (isObj(m['labels'])) {
      const labels = { ...m['labels'] };
      delete labels[POD_TEMPLATE_HASH_LABEL];
      c['metadata'] = { ...m, labels };
    }
    return c;
  };
  return semanticEqual(strip(a), strip(b));
};

/**
 * `deploymentutil.FindNewReplicaSet`: the oldest of `owned` whose pod template equals the Deployment's (ignoring
 * the hash label). Helm's `--wait` reads this one.
 */
export const findNewReplicaSet = (
  deployment: Record<string, unknown>,
  owned: readonly Record<string, unknown>[],
): Record<string, unknown> | undefined =>
  [...owned].sort(byCreation).find((rs) => equalIgnoreHash(templateOf(rs), templateOf(deployment)));

const revisionOf = (o: Obj): number => {
  const v = strMap(metaOf(o)['annotations'])[REVISION_ANNOTATION];
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
};

/** An int-or-percent (`maxSurge`, `maxUnavailable`) scaled to `total`, as `intstr.GetScaledValueFromIntOrPercent`. */
const scaled = (v: unknown, total: number, roundUp: boolean): number => {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^\d+%$/.test(v)) {
    const x = (Number.parseInt(v, 10) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return 0;
};

/** `deploymentutil.ResolveFenceposts`: the Deployment's maxSurge and maxUnavailable as replica counts. */
export const resolveFenceposts = (
  deployment: Record<string, unknown>,
): { maxSurge: number; maxUnavailable: number } => {
  const spec = obj(deployment['spec']);
  const replicas = int(spec['replicas'], 1);
  const strategy = obj(spec['strategy']);
  if ((strategy['type'] ?? 'RollingUpdate') !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const ru = obj(strategy['rollingUpdate']);
  const maxSurge = scaled(ru['maxSurge'] ?? '25%', replicas, true);
  let maxUnavailable = scaled(ru['maxUnavailable'] ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
};

/** `deploymentutil.MaxUnavailable`: 0 unless the strategy is RollingUpdate with replicas. */
const maxUnavailableOf = (deployment: Obj): number =>
  int(obj(deployment['spec'])['replicas'], 1) === 0 ? 0 : resolveFenceposts(deployment).maxUnavailable;

/** Sets the ReplicaSet annotations the controller keeps in line with the Deployment; true when one changed. */
const setAnnotations = (rs: Obj, deployment: Obj, revision: string | undefined, copy: boolean): boolean => {
  const m = metaOf(rs);
  const before = strMap(m['annotations']);
  const next: Record<string, string> = { ...obj(m['annotations']) } as Record<string, string>;
  if (copy) {
    for (const [k, v] of Object.entries(strMap(metaOf(deployment)['annotations']))) if (!NOT_COPIED.has(k)) next[k] = v;
  }
  if (revision !== undefined && revisionOf(rs) < Number(revision)) next[REVISION_ANNOTATION] = revision;
  const replicas = int(obj(deployment['spec'])['replicas'], 1);
  next[DESIRED_REPLICAS_ANNOTATION] = String(replicas);
  next[MAX_REPLICAS_ANNOTATION] = String(replicas + resolveFenceposts(deployment).maxSurge);
  const changed =
    Object.keys(next).length !== Object.keys(before).length || Object.entries(next).some(([k, v]) => before[k] !== v);
  if (changed) rs['metadata'] = { ...m, annotations: next };
  return changed;
};

/** The new ReplicaSet of a Deployment for a pod template hash (`getNewReplicaSet` with createIfNotExisted). */
const newReplicaSet = (deployment: Obj, hash: string, revision: string): Obj => {
  const spec = obj(deployment['spec']);
  const template = structuredClone(templateOf(deployment));
  const tmeta = obj(template['metadata']);
  const labels = { ...strMap(tmeta['labels']), [POD_TEMPLATE_HASH_LABEL]: hash };
  template['metadata'] = { ...tmeta, labels };
  const selector = structuredClone(obj(spec['selector']));
  selector['matchLabels'] = { ...strMap(selector['matchLabels']), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rsSpec: Obj = { replicas: int(spec['replicas'], 1) };
  if (int(spec['minReadySeconds'], 0) > 0) rsSpec['minReadySeconds'] = int(spec['minReadySeconds'], 0);
  rsSpec['selector'] = selector;
  rsSpec['template'] = template;
  const rs: Obj = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${nameOf(deployment)}-${hash}`,
      namespace: String(metaOf(deployment)['namespace'] ?? ''),
      labels: { ...labels },
      ownerReferences: [controllerRef(deployment)],
    },
    spec: rsSpec,
  };
  setAnnotations(rs, deployment, revision, true);
  return rs;
};

/**
 * One sync of a Deployment: given the ReplicaSets it controls (`owned`), the ReplicaSet to create for its current
 * pod template (with `pod-template-hash` label and selector, controller ownerReference, revision, desired- and
 * max-replicas annotations and all replicas), the updates that scale the other ReplicaSets to zero and give the
 * new one its replicas and revision, the old ReplicaSets beyond `revisionHistoryLimit` to delete, and the
 * Deployment's new revision annotation. Returns nothing to do for a paused or deleted Deployment.
 */
export const syncDeployment = (
  deployment: Record<string, unknown>,
  owned: readonly Record<string, unknown>[],
): DeploymentSync => {
  const out: DeploymentSync = { update: [], remove: [] };
  const spec = obj(deployment['spec']);
  if (deleting(deployment) || spec['paused'] === true) return out;
  const live = owned.filter((rs) => !deleting(rs));
  const current = findNewReplicaSet(deployment, live);
  const old = live.filter((rs) => rs !== current);
  const revision = String(Math.max(0, ...old.map(revisionOf)) + 1);
  const replicas = int(spec['replicas'], 1);
  let newRevision: string;
  if (current) {
    const next = structuredClone(current);
    let changed = setAnnotations(next, deployment, revision, true);
    if (int(obj(next['spec'])['replicas'], 1) !== replicas) {
      next['spec'] = { ...obj(next['spec']), replicas };
      changed = true;
    }
    if (changed) out.update.push(next);
    newRevision = String(revisionOf(next));
  } else {
    // a name taken by another template's ReplicaSet is a hash collision: count it, as `status.collisionCount`
    let collisions = int(obj(deployment['status'])['collisionCount'], 0);
    const names = new Set(live.map(nameOf));
    let hash = podTemplateHash(templateOf(deployment), collisions === 0 ? undefined : collisions);
    while (names.has(`${nameOf(deployment)}-${hash}`)) hash = podTemplateHash(templateOf(deployment), ++collisions);
    out.create = newReplicaSet(deployment, hash, revision);
    newRevision = revision;
  }
  for (const rs of old) {
    const next = structuredClone(rs);
    let changed = false;
    if (int(obj(next['spec'])['replicas'], 1) !== 0) {
      next['spec'] = { ...obj(next['spec']), replicas: 0 };
      changed = true;
    }
    if (setAnnotations(next, deployment, undefined, false)) changed = true;
    if (changed) out.update.push(next);
  }
  // cleanupDeployment: old ReplicaSets with nothing left, oldest revision first, beyond the history limit
  const limit = int(spec['revisionHistoryLimit'], 10);
  const idle = old
    .filter((rs) => {
      const st = obj(rs['status']);
      return (
        int(obj(rs['spec'])['replicas'], 1) === 0 &&
        int(st['replicas'], 0) === 0 &&
        int(st['observedGeneration'], 0) === int(metaOf(rs)['generation'], 1)
      );
    })
    .sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  out.remove = idle.slice(0, Math.max(0, idle.length - limit)).map(nameOf);
  if (strMap(metaOf(deployment)['annotations'])[REVISION_ANNOTATION] !== newRevision) out.revision = newRevision;
  return out;
};

const condition = (type: string, status: string, reason: string, message: string, now: number): Obj => ({
  type,
  status,
  lastUpdateTime: ts(now),
  lastTransitionTime: ts(now),
  reason,
  message,
});

/** `SetDeploymentCondition`: keep the old one when status and reason are unchanged, its transition time when the status is. */
const setCondition = (prev: Obj | undefined, next: Obj): Obj => {
  if (!prev) return next;
  if (prev['status'] === next['status'] && prev['reason'] === next['reason']) return prev;
  return prev['status'] === next['status'] ? { ...next, lastTransitionTime: prev['lastTransitionTime'] } : next;
};

/**
 * The status the Deployment controller writes (`calculateStatus` and `syncRolloutStatus`), from the ReplicaSets
 * the Deployment controls: replicas, updatedReplicas (the new ReplicaSet's), readyReplicas, availableReplicas and
 * unavailableReplicas; `Available` (`MinimumReplicasAvailable` once at least replicas − maxUnavailable are
 * available) and, with a progress deadline, `Progressing` (`ReplicaSetUpdated` while rolling out, then
 * `NewReplicaSetAvailable`; `ProgressDeadlineExceeded` when `progressDeadlineSeconds` pass without progress).
 * Condition times are kept from the current status where the controller keeps them.
 */
export const deploymentStatus = (
  deployment: Record<string, unknown>,
  owned: readonly Record<string, unknown>[],
  now: Date,
): Record<string, unknown> => {
  const t = now.getTime();
  const spec = obj(deployment['spec']);
  const prevStatus = obj(deployment['status']);
  const replicasWanted = int(spec['replicas'], 1);
  const generation = int(metaOf(deployment)['generation'], 1);
  const live = owned.filter((rs) => !deleting(rs));
  const current = findNewReplicaSet(deployment, live);
  const sum = (f: (rs: Obj) => number): number => live.reduce((n, rs) => n + f(rs), 0);
  const st = (rs: Obj, k: string): number => int(obj(rs['status'])[k], 0);
  const available = sum((rs) => st(rs, 'availableReplicas'));
  const total = sum((rs) => int(obj(rs['spec'])['replicas'], 1));
  const status: Obj = { observedGeneration: generation };
  counters(status, {
    replicas: sum((rs) => st(rs, 'replicas')),
    updatedReplicas: current ? st(current, 'replicas') : 0,
    readyReplicas: sum((rs) => st(rs, 'readyReplicas')),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  });
  const n = (k: string): number => int(status[k], 0);
  const prevAvailable = conditionOf(deployment, 'Available');
  const conditions: Obj[] = [
    setCondition(
      prevAvailable,
      available >= replicasWanted - maxUnavailableOf(deployment)
        ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', t)
        : condition(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
            t,
          ),
    ),
  ];
  const deadline = spec['progressDeadlineSeconds'];
  if (typeof deadline === 'number' && deadline < 2 ** 31 - 1 && current) {
    const rsName = nameOf(current);
    const prev = conditionOf(deployment, 'Progressing');
    const aboutThisRs = typeof prev?.['message'] === 'string' && prev['message'].includes(`"${rsName}"`);
    const complete =
      n('updatedReplicas') === replicasWanted && n('replicas') === replicasWanted && available === replicasWanted;
    const progressed =
      n('updatedReplicas') > int(prevStatus['updatedReplicas'], 0) ||
      n('readyReplicas') > int(prevStatus['readyReplicas'], 0) ||
      available > int(prevStatus['availableReplicas'], 0) ||
      n('replicas') - n('updatedReplicas') < int(prevStatus['replicas'], 0) - int(prevStatus['updatedReplicas'], 0);
    let progressing: Obj;
    if (prev && aboutThisRs && prev['reason'] === 'NewReplicaSetAvailable' && n('replicas') === n('updatedReplicas')) {
      progressing = prev;
    } else if (complete) {
      progressing = setCondition(
        prev,
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
          t,
        ),
      );
    } else if (!prev || !aboutThisRs || progressed) {
      const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, t);
      progressing = prev?.['status'] === 'True' ? { ...c, lastTransitionTime: prev['lastTransitionTime'] } : c;
    } else if (prev['status'] === 'True' && (ms(prev['lastUpdateTime']) ?? t) + deadline * 1000 < t) {
      progressing = condition(
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rsName}" has timed out progressing.`,
        t,
      );
    } else {
      progressing = prev;
    }
    conditions.push(progressing);
  } else {
    const prev = conditionOf(deployment, 'Progressing');
    if (prev) conditions.push(prev);
  }
  status['conditions'] = conditions;
  const collisions = int(prevStatus['collisionCount'], 0);
  if (collisions > 0) status['collisionCount'] = collisions;
  return status;
};

/**
 * When `deploymentStatus` may next change without any write (the progress deadline of a rollout that makes no
 * progress), or undefined.
 */
export const deploymentStatusDueAt = (deployment: Record<string, unknown>): number | undefined => {
  const deadline = obj(deployment['spec'])['progressDeadlineSeconds'];
  const prev = conditionOf(deployment, 'Progressing');
  if (typeof deadline !== 'number' || !prev || prev['status'] !== 'True' || prev['reason'] === 'NewReplicaSetAvailable')
    return undefined;
  const at = ms(prev['lastUpdateTime']);
  return at === undefined ? undefined : at + deadline * 1000 + 1000;
};
