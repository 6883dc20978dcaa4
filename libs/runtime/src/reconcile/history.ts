/**
 * `status.history` of Flux objects (fluxcd/pkg apis/meta `History`): snapshots of the last reconciliations, newest
 * first, at most {@link HISTORY_MAX_SIZE}. A reconcile whose digest and status match a snapshot updates it and
 * moves it to the front; any other adds a snapshot at the front.
 */
import { formatGoDuration } from '../config/duration.ts';

/** How many snapshots a history keeps (fluxcd/pkg `HistoryMaxSize`). */
export const HISTORY_MAX_SIZE = 5;

/** One snapshot, with Flux's JSON field names (times RFC 3339 to the second, the duration in Go's format). */
export interface HistorySnapshot {
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  lastReconciledDuration: string;
  lastReconciledStatus: string;
  totalReconciliations: number;
  metadata?: Record<string, string>;
}

/** What one reconcile records. */
export interface HistoryEntry {
  /** `<algo>:<hex>` of the resources reconciled. */
  digest: string;
  at: Date;
  durationMs: number;
  /** The Ready reason the reconcile ended with. */
  status: string;
  metadata?: Record<string, string>;
}

const metaTime = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

/** Returns `history` with `entry` upserted (the input is not modified). */
export function upsertHistory(history: readonly HistorySnapshot[] | undefined, entry: HistoryEntry): HistorySnapshot[] {
  const now = metaTime(entry.at);
  const duration = formatGoDuration(entry.durationMs);
  const list = [...(history ?? [])];
  const i = list.findIndex((s) => s.digest === entry.digest && s.lastReconciledStatus === entry.status);
  const metadata = entry.metadata && Object.keys(entry.metadata).length > 0 ? { metadata: { ...entry.metadata } } : {};
  if (i >= 0) {
    const { metadata: _old, ...prev } = list[i]!;
    list.splice(i, 1);
    list.unshift({
      ...prev,
      lastReconciled: now,
      lastReconciledDuration: duration,
      totalReconciliations: prev.totalReconciliations + 1,
      ...metadata,
    });
  } else {
    list.unshift({
      digest: entry.digest,
      firstReconciled: now,
      lastReconciled: now,
      lastReconciledDuration: duration,
      lastReconciledStatus: entry.status,
      totalReconciliations: 1,
      ...metadata,
    });
  }
  return list.slice(0, HISTORY_MAX_SIZE);
}
