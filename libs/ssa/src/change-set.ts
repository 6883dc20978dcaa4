/** The result of an apply or delete: one entry per object, printed as Flux prints it (`Deployment/default/app configured`). */
import type { KubeObject } from '@flux-ts/runtime';
import type { ObjMetadata } from './object-ref.ts';
import { formatSubject } from './object-ref.ts';

/** What happened to one object (fluxcd/pkg `ssa.Action`). */
export const Action = {
  Created: 'created',
  Configured: 'configured',
  Unchanged: 'unchanged',
  Deleted: 'deleted',
  Skipped: 'skipped',
  Unknown: 'unknown',
} as const;

/** One of {@link Action}. */
export type Action = (typeof Action)[keyof typeof Action];

/** One object of a change set. */
export interface ChangeSetEntry {
  objMetadata: ObjMetadata;
  /** apiVersion of the object (`apps/v1`). */
  groupVersion: string;
  /** `Kind/namespace/name`. */
  subject: string;
  action: Action;
  /**
   * The live object as `apply` read it, when the action is `unchanged`: a health check may start from it instead
   * of reading the object again (it is what a GET would return now, unless something else wrote it since).
   */
  observed?: KubeObject;
}

/** Builds an entry. */
export function changeSetEntry(objMetadata: ObjMetadata, groupVersion: string, action: Action): ChangeSetEntry {
  return { objMetadata, groupVersion, subject: formatSubject(objMetadata), action };
}

/** An ordered list of {@link ChangeSetEntry}. */
export class ChangeSet {
  readonly entries: ChangeSetEntry[] = [];

  constructor(entries: readonly ChangeSetEntry[] = []) {
    this.entries.push(...entries);
  }

  /** Appends entries. */
  add(...entries: ChangeSetEntry[]): this {
    this.entries.push(...entries);
    return this;
  }

  /** Appends another change set. */
  append(other: ChangeSet): this {
    return this.add(...other.entries);
  }

  /** Entries whose action is not `unchanged` or `skipped` (what changed in the cluster). */
  changes(): ChangeSetEntry[] {
    return this.entries.filter((e) => e.action !== Action.Unchanged && e.action !== Action.Skipped);
  }

  /** The objects `apply` found unchanged, as it read them, by subject (see {@link ChangeSetEntry.observed}). */
  observed(): Map<string, KubeObject> {
    const out = new Map<string, KubeObject>();
    for (const e of this.entries) if (e.observed) out.set(e.subject, e.observed);
    return out;
  }

  /** `subject → action`, as Flux logs it. */
  toMap(): Record<string, Action> {
    return Object.fromEntries(this.entries.map((e) => [e.subject, e.action]));
  }

  /** One `<subject> <action>` line per entry (Flux's event message). */
  toString(): string {
    return this.entries.map((e) => `${e.subject} ${e.action}`).join('\n');
  }
}
