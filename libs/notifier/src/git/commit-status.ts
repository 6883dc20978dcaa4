/**
 * The commit status name of the commit-status types (upstream server `createCommitStatus`): the Provider's
 * `spec.commitStatusExpr` evaluated with `event`, `provider` and `alert`, else `<kind>/<name>/<providerUID[:8]>`.
 */
import type { CelInput } from '@bufbuild/cel';
import { ProviderGroupVersion } from '@flux-ts/api';
import type { FluxEvent } from '@flux-ts/runtime';
import { loadCel, loadedCel, type CelProgram } from '@flux-ts/schema/lazy-cel';
import { NotifierError } from '../types.ts';
import type { ProviderSettings } from '../types.ts';
import { defaultCommitStatus } from './git-util.ts';

type Program = CelProgram;

const EVAL_PREFIX = 'failed to evaluate the spec.commitStatusExpr CEL expression for the event';

/** Computes the commit status of each event for one Provider. */
export type CommitStatusFn = (event: FluxEvent) => string;

/** Whether the settings carry a `commitStatusExpr`, which needs the CEL engine ({@link loadCommitStatusCel}). */
export function needsCommitStatusCel(settings: Pick<ProviderSettings, 'commitStatusExpr'>): boolean {
  return !!settings.commitStatusExpr?.trim();
}

/** Imports the CEL engine that {@link commitStatusFor} needs for a `commitStatusExpr` (once per process). */
export async function loadCommitStatusCel(): Promise<void> {
  await loadCel();
}

/**
 * Compiles the Provider's `commitStatusExpr` (a compile error is raised here) into a {@link CommitStatusFn}. With an
 * expression, the CEL engine must have been imported first ({@link loadCommitStatusCel}, which `prepareNotifier` does).
 */
export function commitStatusFor(settings: ProviderSettings): CommitStatusFn {
  const expr = settings.commitStatusExpr?.trim();
  if (!expr) return (event) => defaultCommitStatus(settings.provider.uid, event);
  const cel = loadedCel();
  if (!cel) throw new NotifierError(`${EVAL_PREFIX}: the CEL engine is not loaded (await prepareNotifier first)`);
  const { isCelError, toCel } = cel;
  let program: Program;
  try {
    program = cel.plan(cel.celEnv({ funcs: cel.strings }), cel.parse(expr));
  } catch (err) {
    throw new NotifierError(`${EVAL_PREFIX}: failed to compile expression: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const provider = toCel(settings.provider.object ?? minimalObject('Provider', settings.provider));
  const alert = toCel(settings.alert?.object ?? (settings.alert ? minimalObject('Alert', settings.alert) : {}));
  return (event) => {
    let r;
    try {
      // the JSON round trip drops undefined fields, as encoding/json's omitempty leaves them out upstream
      const eventMap = toCel(JSON.parse(JSON.stringify(event)) as unknown);
      r = program({ event: eventMap, provider, alert } as Record<string, CelInput>);
    } catch (err) {
      throw new NotifierError(`${EVAL_PREFIX}: ${(err as Error).message}`, { cause: err });
    }
    if (isCelError(r)) throw new NotifierError(`${EVAL_PREFIX}: ${r.message}`);
    if (typeof r !== 'string') throw new NotifierError(`${EVAL_PREFIX}: the expression must evaluate to a string`);
    if (r === '') throw new NotifierError('commit status cannot be empty');
    return r;
  };
}

function minimalObject(
  kind: 'Provider' | 'Alert',
  ref: { name: string; namespace: string; uid: string },
): Record<string, unknown> {
  return {
    apiVersion: ProviderGroupVersion,
    kind,
    metadata: { name: ref.name, namespace: ref.namespace, uid: ref.uid },
  };
}
