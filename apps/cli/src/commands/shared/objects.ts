import type { Condition } from '@flux-ts/api';
import { ReadyCondition } from '@flux-ts/api';
import type { GroupVersionKind, KubeObject } from '@flux-ts/runtime';
import type { FluxKind } from './kinds.ts';

/** A Flux object as the CLI reads it: metadata, a free-form spec and the common status fields. */
export interface FluxObject extends KubeObject {
  spec?: Record<string, unknown> & { suspend?: boolean };
  status?: Record<string, unknown> & {
    conditions?: Condition[];
    lastHandledReconcileAt?: string;
    observedGeneration?: number;
  };
}

/** The apiVersion/kind a client call needs for a kind of the table. */
export function gvkOf(kind: FluxKind): GroupVersionKind {
  return { apiVersion: kind.apiVersion, kind: kind.kind };
}

/** The object's status conditions (empty when it has none). */
export function conditionsOf(obj: FluxObject): Condition[] {
  return Array.isArray(obj.status?.conditions) ? obj.status.conditions : [];
}

/** The object's Ready condition. */
export function readyCondition(obj: FluxObject): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === ReadyCondition);
}

/** flux's `statusAndMessage`: the Ready status and message, or `False`/`waiting to be reconciled` without one. */
export function statusAndMessage(obj: FluxObject): [string, string] {
  const c = readyCondition(obj);
  return c ? [c.status, c.message] : ['False', 'waiting to be reconciled'];
}

/** Go's `strconv.FormatBool` title-cased (`True`/`False`), as flux prints `spec.suspend`. */
export function suspendedColumn(obj: FluxObject): string {
  return obj.spec?.suspend === true ? 'True' : 'False';
}

/** flux's `utils.TruncateHex`: every 40–64 character hex digest cut to its first 8 characters. */
export function truncateHex(s: string): string {
  return s.replace(/\b([a-f0-9]{8})[a-f0-9]{32,56}\b/g, '$1');
}

/** A string field at a dotted path of an object ('' when absent). */
export function stringAt(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' ? cur : typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : '';
}

/** An AbortSignal that fires on the CLI's signal or after flux's `--timeout`. */
export function timeoutSignal(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

/** Go's `time.Time.String()` of an RFC 3339 timestamp, in UTC (`2021-07-16 15:42:20 +0000 UTC`). */
export function goTimeString(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const frac = /\.(\d+)/.exec(rfc3339)?.[1]?.replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''} +0000 UTC`;
}

/** Sleeps `ms` or until `signal` aborts (then rejects with its reason). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
