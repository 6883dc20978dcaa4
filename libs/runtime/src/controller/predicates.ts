import { ReconcileRequestAnnotation } from '@flux-ts/api';
import type { KubeObject } from '../client/types.ts';

/**
 * Filters informer events before they reach the queue, like controller-runtime predicates. A missing function
 * lets the event through. `update` receives the old and new object.
 */
export interface Predicate<T extends KubeObject = KubeObject> {
  create?(obj: T): boolean;
  update?(old: T, obj: T): boolean;
  delete?(obj: T): boolean;
}

function sameRecord(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => (a ?? {})[k] === (b ?? {})[k]);
}

function evaluate<T extends KubeObject>(
  p: Predicate<T>,
  kind: 'create' | 'update' | 'delete',
  obj: T,
  old?: T,
): boolean {
  if (kind === 'create') return p.create ? p.create(obj) : true;
  if (kind === 'delete') return p.delete ? p.delete(obj) : true;
  return p.update ? p.update(old ?? obj, obj) : true;
}

/** Evaluates a predicate list (all must pass) for one event. */
export function passes<T extends KubeObject>(
  preds: readonly Predicate<T>[],
  kind: 'create' | 'update' | 'delete',
  obj: T,
  old?: T,
): boolean {
  return preds.every((p) => evaluate(p, kind, obj, old));
}

/** The predicates Flux controllers use (controller-runtime `predicate` and fluxcd/pkg `predicates`). */
export const predicates = Object.freeze({
  /** Updates pass only when `metadata.generation` changed (spec edits); creates and deletes pass. */
  generationChanged: Object.freeze<Predicate>({
    update: (old, obj) => old.metadata.generation !== obj.metadata.generation,
  }),
  /** Updates pass when annotation `key` changed (or, without a key, any annotation). */
  annotationChanged(key?: string): Predicate {
    return {
      update: (old, obj) =>
        key === undefined
          ? !sameRecord(old.metadata.annotations, obj.metadata.annotations)
          : old.metadata.annotations?.[key] !== obj.metadata.annotations?.[key],
    };
  },
  /** Updates pass when label `key` changed (or, without a key, any label). */
  labelChanged(key?: string): Predicate {
    return {
      update: (old, obj) =>
        key === undefined
          ? !sameRecord(old.metadata.labels, obj.metadata.labels)
          : old.metadata.labels?.[key] !== obj.metadata.labels?.[key],
    };
  },
  /**
   * fluxcd/pkg `ReconcileRequestedPredicate`: updates pass when `reconcile.fluxcd.io/requestedAt` is set on the
   * new object and differs from the old one (`flux reconcile`); creates and deletes pass.
   */
  reconcileRequested: Object.freeze<Predicate>({
    update: (old, obj) => {
      const v = obj.metadata.annotations?.[ReconcileRequestAnnotation];
      if (v === undefined) return false;
      return old.metadata.annotations?.[ReconcileRequestAnnotation] !== v;
    },
  }),
  /** Passes when every predicate passes. */
  and<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
    return {
      create: (o) => ps.every((p) => evaluate(p, 'create', o)),
      update: (old, o) => ps.every((p) => evaluate(p, 'update', o, old)),
      delete: (o) => ps.every((p) => evaluate(p, 'delete', o)),
    };
  },
  /** Passes when any predicate passes. */
  or<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
    return {
      create: (o) => ps.some((p) => evaluate(p, 'create', o)),
      update: (old, o) => ps.some((p) => evaluate(p, 'update', o, old)),
      delete: (o) => ps.some((p) => evaluate(p, 'delete', o)),
    };
  },
  /** Inverts a predicate. */
  not<T extends KubeObject>(p: Predicate<T>): Predicate<T> {
    return {
      create: (o) => !evaluate(p, 'create', o),
      update: (old, o) => !evaluate(p, 'update', o, old),
      delete: (o) => !evaluate(p, 'delete', o),
    };
  },
});
