import { isNotFound, type KubeClient, type KubeObject } from '@flux-ts/runtime';
import { ReadyCondition, ReconcilingCondition, StalledCondition } from '@flux-ts/api';
import type { CliLogger } from '../../logger.ts';

/** How often flux polls an object while it waits (`rootArgs.pollInterval`). */
export const POLL_INTERVAL_MS = 2000;

/** What an apply-and-wait needs. */
export interface ApplyOptions {
  readonly client: KubeClient;
  readonly logger: CliLogger;
  readonly signal: AbortSignal;
  /** `--timeout` in milliseconds. */
  readonly timeoutMs: number;
  /** Poll period (flux: 2s). */
  readonly pollIntervalMs?: number;
}

interface Condition {
  type: string;
  status: string;
  message?: string;
}

type Obj = KubeObject & {
  metadata: KubeObject['metadata'] & { labels?: Record<string, string>; generation?: number };
  spec?: unknown;
  status?: { observedGeneration?: number; conditions?: Condition[] } & Record<string, unknown>;
};

/**
 * flux's `upsert`: creates the object, or replaces the labels and spec of the existing one (Get, Create or Update),
 * printing `✔ <human kind> created|updated`.
 */
export async function upsert<T extends KubeObject>(obj: T, humanKind: string, opts: ApplyOptions): Promise<T> {
  const gvk = { apiVersion: obj.apiVersion, kind: obj.kind };
  const key = { name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
  let existing: Obj;
  try {
    existing = await opts.client.get<Obj>(gvk, key, { signal: opts.signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const created = await opts.client.create(obj, { signal: opts.signal });
    opts.logger.successf(`${humanKind} created`);
    return created;
  }
  const desired = obj as unknown as Obj & Record<string, unknown>;
  const next: Record<string, unknown> = { ...existing, metadata: { ...existing.metadata } };
  (next['metadata'] as Record<string, unknown>)['labels'] = desired.metadata.labels;
  for (const field of ['spec', 'data', 'stringData', 'type', 'subjects', 'roleRef'])
    if (field in desired) next[field] = desired[field];
  if ('annotations' in desired.metadata)
    (next['metadata'] as Record<string, unknown>)['annotations'] = desired.metadata.annotations;
  const updated = await opts.client.update(next as unknown as T, { signal: opts.signal });
  opts.logger.successf(`${humanKind} updated`);
  return updated;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Error('context canceled', { cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * flux's `isObjectReadyConditionFunc`: ready once the status has observed the current generation and Ready is True;
 * a True Stalled, or a False Ready while not Reconciling, ends the wait with the condition's message.
 */
export function readiness(obj: Obj): boolean {
  const status = obj.status;
  if (status === undefined) return false;
  if ((status.observedGeneration ?? -1) !== (obj.metadata.generation ?? 0)) return false;
  const conds = status.conditions ?? [];
  const find = (type: string): Condition | undefined => conds.find((c) => c.type === type);
  const stalled = find(StalledCondition);
  if (stalled?.status === 'True') throw new Error(stalled.message ?? '');
  const ready = find(ReadyCondition);
  if (ready?.status === 'True') return true;
  if (ready?.status === 'False' && find(ReconcilingCondition)?.status !== 'True') throw new Error(ready.message ?? '');
  return false;
}

/** Polls the object until {@link readiness} says so, or `--timeout` passes (flux's `wait.PollUntilContextTimeout`). */
export async function waitReady<T extends KubeObject>(obj: T, opts: ApplyOptions): Promise<T & Obj> {
  const gvk = { apiVersion: obj.apiVersion, kind: obj.kind };
  const key = { name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const current = await opts.client.get<T & Obj>(gvk, key, { signal: opts.signal });
    if (readiness(current)) return current;
    if (Date.now() + (opts.pollIntervalMs ?? POLL_INTERVAL_MS) > deadline) throw new Error('context deadline exceeded');
    await sleep(opts.pollIntervalMs ?? POLL_INTERVAL_MS, opts.signal);
  }
}

/**
 * flux's `apiType.upsertAndWait`: `✚ generating`, `► applying`, created/updated, `◎ waiting for … reconciliation`,
 * `✔ … reconciliation completed`; returns the ready object.
 */
export async function upsertAndWait<T extends KubeObject>(
  obj: T,
  humanKind: string,
  opts: ApplyOptions,
): Promise<T & Obj> {
  opts.logger.generatef(`generating ${humanKind}`);
  opts.logger.actionf(`applying ${humanKind}`);
  await upsert(obj, humanKind, opts);
  opts.logger.waitingf(`waiting for ${humanKind} reconciliation`);
  const ready = await waitReady(obj, opts);
  opts.logger.successf(`${humanKind} reconciliation completed`);
  return ready;
}
