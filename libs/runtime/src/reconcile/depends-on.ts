/**
 * dependsOn checks (kustomize-controller / helm-controller `checkDependencies`): every dependency is an object of the
 * same kind that must exist, have observedGeneration == generation and Ready=True. An optional CEL `readyExpr`
 * (variables `self`: the object being reconciled, `dep`: the dependency) replaces the built-in check, or is added to
 * it with the `AdditiveCELDependencyCheck` feature gate. A dependency that is not ready yields a
 * {@link WaitingError} (DependencyNotReady, requeue after `--requeue-dependency`); an invalid expression a
 * {@link StallingError} (InvalidCELExpression).
 */
import { DependencyNotReadyReason, InvalidCELExpressionReason, ReadyCondition } from '@flux-ts/api';
import { loadCel, type CelEngine, type CelProgram } from '@flux-ts/schema/lazy-cel';
import { conditions } from '../conditions/index.ts';
import {
  isNotFoundError,
  type GroupVersionKind,
  type KubeObject,
  type ObjectKey,
  type StatusObject,
} from '../patch/types.ts';
import { errMessage } from '../util/err-message.ts';
import { StallingError, WaitingError } from './errors.ts';

/** `spec.dependsOn[]` item. */
export interface DependencyReference {
  name: string;
  namespace?: string;
  readyExpr?: string;
}

/** Reads dependencies (satisfied by `KubeClient`, or a cache reader with the same `get`). */
export interface DependencyReader {
  get<T extends KubeObject = KubeObject>(
    gvk: GroupVersionKind,
    key: ObjectKey,
    opts?: { signal?: AbortSignal },
  ): Promise<T>;
}

/** Options of {@link checkDependencies}; `T` is the kind of the object and of its dependencies. */
export interface CheckDependenciesOptions<T extends StatusObject = StatusObject> {
  reader: DependencyReader;
  /** `--requeue-dependency` in ms (Flux default 30 s). */
  requeueAfter: number;
  /** `AdditiveCELDependencyCheck`: run the built-in check as well when a readyExpr is set. */
  additiveCEL?: boolean;
  /**
   * Extra readiness condition of the controller (e.g. kustomize: the dependency applied the same source revision);
   * returns a not-ready message, or undefined when ready. Runs after the built-in check.
   */
  extraCheck?: (dep: T, obj: T) => string | undefined;
  signal?: AbortSignal;
}

/** A compiled readyExpr and the CEL engine that evaluates it. */
export interface ReadyExprProgram {
  readonly cel: CelEngine;
  readonly program: CelProgram;
}

/**
 * Compiles a readyExpr (the CEL engine is imported on first use), rejecting with a {@link StallingError}
 * (InvalidCELExpression) when it does not parse.
 */
export async function compileReadyExpr(expr: string, depName: string): Promise<ReadyExprProgram> {
  const cel = await loadCel();
  try {
    return { cel, program: cel.plan(cel.celEnv({ funcs: cel.strings }), cel.parse(expr)) };
  } catch (err) {
    const detail = errMessage(err);
    throw new StallingError(`failed to evaluate dependency ${depName}: ${detail}`, InvalidCELExpressionReason, {
      cause: err,
    });
  }
}

/** Evaluates a readyExpr against the object and the dependency. */
export function evalReadyExpr(compiled: ReadyExprProgram, self: unknown, dep: unknown, depName: string): boolean {
  const { cel, program } = compiled;
  const r = program({ self: cel.toCel(self), dep: cel.toCel(dep) } as never);
  if (cel.isCelError(r)) throw new Error(`failed to evaluate readyExpr of dependency '${depName}': ${r.message}`);
  if (typeof r !== 'boolean') {
    throw new StallingError(
      `failed to evaluate dependency ${depName}: readyExpr must return a bool, got ${typeof r}`,
      InvalidCELExpressionReason,
    );
  }
  return r;
}

/** The built-in readiness of a dependency: has conditions, observedGeneration == generation and Ready=True. */
export function isDependencyReady(dep: KubeObject): boolean {
  const d: StatusObject = dep;
  if (conditions.getConditions(d).length === 0) return false;
  if ((d.metadata.generation ?? 0) !== (d.status?.observedGeneration ?? -1)) return false;
  return conditions.isTrue(d, ReadyCondition);
}

/**
 * Checks `deps` (same kind and API version as `obj`; namespace defaults to the object's). Resolves when all are
 * ready; throws {@link WaitingError} (DependencyNotReady) or {@link StallingError} (InvalidCELExpression).
 */
export async function checkDependencies<T extends StatusObject>(
  obj: T,
  deps: readonly DependencyReference[],
  opts: CheckDependenciesOptions<T>,
): Promise<void> {
  const gvk = { apiVersion: obj.apiVersion, kind: obj.kind };
  const notReady = (msg: string, cause?: unknown) =>
    new WaitingError(msg, DependencyNotReadyReason, opts.requeueAfter, {
      notification: true,
      ...(cause === undefined ? {} : { cause }),
    });
  for (const ref of deps) {
    const namespace = ref.namespace || obj.metadata.namespace;
    const depName = namespace ? `${namespace}/${ref.name}` : ref.name;
    let dep: T;
    try {
      dep = await opts.reader.get<T>(gvk, { namespace, name: ref.name }, { signal: opts.signal });
    } catch (err) {
      if (isNotFoundError(err)) throw notReady(`dependency '${depName}' not found`, err);
      throw new Error(`failed to get dependency '${depName}'`, { cause: err });
    }
    if (ref.readyExpr) {
      const program = await compileReadyExpr(ref.readyExpr, depName);
      let ready: boolean;
      try {
        ready = evalReadyExpr(program, obj, dep, depName);
      } catch (err) {
        if (err instanceof StallingError) throw err;
        throw notReady(errMessage(err), err);
      }
      if (!ready) throw notReady(`dependency '${depName}' is not ready according to readyExpr eval`);
      if (!opts.additiveCEL) continue;
    }
    if (!isDependencyReady(dep)) throw notReady(`dependency '${depName}' is not ready`);
    const extra = opts.extraCheck?.(dep, obj);
    if (extra !== undefined) throw notReady(extra);
  }
}
