/**
 * Drift detection and correction of a release (helm-controller `action.Diff`, `action.ApplyDiff` and
 * `internal/diff`, over fluxcd/pkg `ssa/jsondiff`): each object of the release manifest, with Helm's ownership
 * metadata and the release namespace, is compared with the cluster through a server-side dry-run apply (field
 * manager `helm-controller`, forced). An object is excluded when it or its live copy carries
 * `helm.toolkit.fluxcd.io/driftDetection: disabled` (label or annotation), created when missing, updated when the
 * dry-run differs from the live object once server bookkeeping (managedFields, resourceVersion, generation, status) and the
 * ignored JSON pointers of `driftDetection.ignore` (rules with a kustomize target select objects) are left out.
 * Fields of the `--override-manager` managers are handed to helm-controller first, so their changes count as drift.
 * Correction creates the missing objects and JSON-patches the drifted ones from their live state to the dry-run.
 */
import { HelmDriftDetectionDisabledValue, HelmDriftDetectionMetadataKey, HelmDriftDetectionModes } from '@flux-ts/api';
import type { HelmRelease } from '@flux-ts/api';
import { buildObjects, setOwnership } from '@flux-ts/helm';
import { selectTargets } from '@flux-ts/kustomize';
import type { KObject } from '@flux-ts/kustomize';
import { errMessage, isNotFound } from '@flux-ts/runtime';
import type { KubeClient, KubeObject } from '@flux-ts/runtime';
import { Action, ChangeSet, changeSetEntry, cleanupPatch, formatObject, objMetadataOf } from '@flux-ts/ssa';
// fast-json-patch is CommonJS whose named exports Node's ESM loader cannot detect: take them from the default export
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { RuntimeHelmKubeClient } from './kube-client.ts';

const { compare } = jsonPatch;

/** jsondiff.DiffType. */
export const DiffType = { None: 'none', Create: 'create', Update: 'update', Exclude: 'exclude' } as const;
/** One of {@link DiffType}. */
export type DiffType = (typeof DiffType)[keyof typeof DiffType];

/** jsondiff.Diff: one object of the release and how the cluster differs from it. */
export interface Diff {
  type: DiffType;
  /** The object as the release wants it (with Helm's ownership metadata and namespace). */
  desired: KubeObject;
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  subject: string;
  /** RFC 6902 operations from the live object to the dry-run (Update only). */
  patch: Operation[];
}

/** `driftDetection.ignore[]`. */
export type IgnoreRule = NonNullable<NonNullable<HelmRelease['spec']['driftDetection']>['ignore']>[number];

/** Whether any object was removed from or changed in the cluster (`DiffSet.HasChanges`). */
export const hasChanges = (diffs: readonly Diff[]): boolean =>
  diffs.some((d) => d.type === DiffType.Create || d.type === DiffType.Update);

/** `DriftDetection.MustDetectChanges`: mode warn or enabled. */
export function mustDetectChanges(hr: HelmRelease): boolean {
  const mode = hr.spec.driftDetection?.mode ?? HelmDriftDetectionModes.Disabled;
  return mode === HelmDriftDetectionModes.Enabled || mode === HelmDriftDetectionModes.Warn;
}

const excluded = (obj: KubeObject | undefined): boolean =>
  obj?.metadata.labels?.[HelmDriftDetectionMetadataKey] === HelmDriftDetectionDisabledValue ||
  obj?.metadata.annotations?.[HelmDriftDetectionMetadataKey] === HelmDriftDetectionDisabledValue;

/** The object as compared: server bookkeeping left out of metadata, and the status (an apply does not write it). */
function forDiff(obj: KubeObject): Record<string, unknown> {
  const copy = structuredClone(obj) as unknown as Record<string, unknown> & { metadata: Record<string, unknown> };
  delete copy['status'];
  delete copy.metadata['managedFields'];
  delete copy.metadata['resourceVersion'];
  delete copy.metadata['generation'];
  return copy;
}

/** Removes the value at an RFC 6901 pointer (absent paths and invalid pointers are no-ops). */
function removePointer(obj: unknown, pointer: string): void {
  if (!pointer.startsWith('/')) return;
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: unknown = obj;
  for (const t of tokens.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[t];
  }
  const last = tokens.at(-1);
  if (last === undefined || cur === null || typeof cur !== 'object') return;
  if (Array.isArray(cur)) {
    const i = Number(last);
    if (Number.isInteger(i) && i >= 0 && i < cur.length) cur.splice(i, 1);
  } else delete (cur as Record<string, unknown>)[last];
}

/** What {@link diffRelease} needs besides the client. */
export interface DiffOptions {
  /** The field manager of the dry-run apply (`helm-controller`). */
  fieldManager: string;
  ignore?: readonly IgnoreRule[];
  /** `--override-manager`: managers whose fields are handed to `fieldManager` before the diff. */
  overrideManagers?: readonly string[];
  signal?: AbortSignal;
}

/** The ignored pointers of each object (rules without a target apply to all). */
function ignoredPaths(objects: readonly KubeObject[], rules: readonly IgnoreRule[]): Map<KubeObject, string[]> {
  const out = new Map<KubeObject, string[]>();
  for (const rule of rules) {
    const selected = rule.target
      ? selectTargets(objects as unknown as KObject[], rule.target).map((o) => o as unknown as KubeObject)
      : objects;
    for (const o of selected) out.set(o, [...(out.get(o) ?? []), ...rule.paths]);
  }
  return out;
}

async function diffObject(
  client: KubeClient,
  obj: KubeObject,
  ignore: readonly string[],
  opts: DiffOptions,
): Promise<Diff> {
  const base = { desired: obj, subject: formatObject(obj), patch: [] as Operation[] };
  if (excluded(obj)) return { ...base, type: DiffType.Exclude };
  const gvk = { apiVersion: obj.apiVersion, kind: obj.kind };
  const key = { namespace: obj.metadata.namespace, name: obj.metadata.name };
  const signal = opts.signal;
  let live: KubeObject;
  try {
    live = await client.get(gvk, key, { signal });
  } catch (err) {
    if (isNotFound(err)) return { ...base, type: DiffType.Create };
    throw err;
  }
  if (excluded(live)) return { ...base, type: DiffType.Exclude };
  const managers = opts.overrideManagers ?? [];
  if (managers.length > 0) {
    const ops = cleanupPatch(
      live,
      {
        fieldManagers: managers.flatMap((name) => [
          { name, operation: 'Apply' as const },
          { name, operation: 'Update' as const },
        ]),
      },
      opts.fieldManager,
    );
    if (ops) live = await client.patch(gvk, key, ops, { type: 'json', fieldManager: opts.fieldManager, signal });
  }
  const dryRun = await client.apply(obj, { fieldManager: opts.fieldManager, force: true, dryRun: true, signal });
  const a = forDiff(live);
  const b = forDiff(dryRun);
  for (const p of ignore) {
    removePointer(a, p);
    removePointer(b, p);
  }
  const patch = compare(a, b);
  return { ...base, type: patch.length === 0 ? DiffType.None : DiffType.Update, patch };
}

/**
 * The diff of the release manifest against the cluster (`action.Diff`): one entry per object, in manifest order.
 * Failures of single objects are collected into `error` (one line each) next to the diffs that succeeded.
 */
export async function diffRelease(
  client: KubeClient,
  release: { manifest: string; name: string; namespace: string },
  opts: DiffOptions,
): Promise<{ diffs: Diff[]; error?: Error }> {
  let objects: KubeObject[];
  try {
    objects = (await buildObjects(
      new RuntimeHelmKubeClient(client),
      release.manifest,
      release.namespace,
      opts.signal,
    )) as unknown as KubeObject[];
  } catch (err) {
    throw new Error(`failed to read objects from release manifest: ${errMessage(err)}`, { cause: err });
  }
  setOwnership(objects as never, release.name, release.namespace);
  const ignore = ignoredPaths(objects, opts.ignore ?? []);
  const diffs: Diff[] = [];
  const errors: unknown[] = [];
  for (const obj of objects) {
    try {
      diffs.push(await diffObject(client, obj, ignore.get(obj) ?? [], opts));
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 0) return { diffs };
  return {
    diffs,
    error: new Error(errors.map((e) => errMessage(e)).join('\n'), { cause: errors[0] }),
  };
}

/**
 * `diff.SummarizeDiffSet`: one `Kind/namespace/name <summary>` line per removed (`removed`), changed
 * (`changed (a additions, c changes, r removals)`) or excluded (`excluded`) object.
 */
export function summarizeDiffSet(diffs: readonly Diff[]): string {
  const lines: string[] = [];
  for (const d of diffs) {
    const name = `${d.desired.kind}/${d.desired.metadata.namespace ?? ''}/${d.desired.metadata.name}`;
    if (d.type === DiffType.Create) lines.push(`${name} removed`);
    else if (d.type === DiffType.Exclude) lines.push(`${name} excluded`);
    else if (d.type === DiffType.Update) {
      const n = (op: string): number => d.patch.filter((p) => p.op === op).length;
      lines.push(`${name} changed (${n('add')} additions, ${n('replace')} changes, ${n('remove')} removals)`);
    }
  }
  return lines.join('\n').trim();
}

/** `diff.SummarizeDiffSetBrief`: `removed: x, changed: y, excluded: z`. */
export function summarizeDiffSetBrief(diffs: readonly Diff[]): string {
  const count = (t: DiffType): number => diffs.filter((d) => d.type === t).length;
  return `removed: ${count(DiffType.Create)}, changed: ${count(DiffType.Update)}, excluded: ${count(DiffType.Exclude)}`;
}

const byGroupKindName = (a: Diff, b: Diff): number => {
  const ka = [
    objMetadataOf(a.desired).group,
    a.desired.kind,
    a.desired.metadata.namespace ?? '',
    a.desired.metadata.name,
  ];
  const kb = [
    objMetadataOf(b.desired).group,
    b.desired.kind,
    b.desired.metadata.namespace ?? '',
    b.desired.metadata.name,
  ];
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * `action.ApplyDiff`: creates the removed objects, then JSON-patches the changed ones (each sorted by group, kind,
 * namespace and name), as `fieldManager`. Returns what was corrected and the failures (`<subject> creation
 * failure: …`, `<subject> patch failure: …`), one line each.
 */
export async function applyDiff(
  client: KubeClient,
  diffs: readonly Diff[],
  fieldManager: string,
  signal?: AbortSignal,
): Promise<{ changeSet: ChangeSet; error?: Error }> {
  const changeSet = new ChangeSet();
  const errors: string[] = [];
  const entry = (o: KubeObject, action: Action) => changeSetEntry(objMetadataOf(o), o.apiVersion, action);
  for (const d of diffs.filter((x) => x.type === DiffType.Create).sort(byGroupKindName)) {
    try {
      await client.create(structuredClone(d.desired), { fieldManager, signal });
      changeSet.add(entry(d.desired, Action.Created));
    } catch (err) {
      errors.push(`${d.subject} creation failure: ${errMessage(err)}`);
    }
  }
  for (const d of diffs.filter((x) => x.type === DiffType.Update).sort(byGroupKindName)) {
    const o = d.desired;
    try {
      await client.patch(
        { apiVersion: o.apiVersion, kind: o.kind },
        { namespace: o.metadata.namespace, name: o.metadata.name },
        d.patch,
        { type: 'json', fieldManager, signal },
      );
      changeSet.add(entry(o, Action.Configured));
    } catch (err) {
      let msg = errMessage(err);
      // a Secret's values may be in an invalid-value error: keep only its last part (maskSensitiveErrData)
      if (o.kind === 'Secret' && msg.includes(':')) msg = msg.slice(msg.lastIndexOf(':') + 1).trim();
      errors.push(`${d.subject} patch failure: ${msg}`);
    }
  }
  return errors.length === 0 ? { changeSet } : { changeSet, error: new Error(errors.join('\n')) };
}
