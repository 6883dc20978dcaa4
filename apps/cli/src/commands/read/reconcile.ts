import { Option, type Command } from 'commander';
import { ForceRequestAnnotation, ReconcileRequestAnnotation, ResetRequestAnnotation } from '@flux-ts/api';
import type { KubeClient } from '@flux-ts/runtime';
import type { CommandContext } from '../../context.ts';
import { fluxKindByKind, fluxKinds, type FluxKind } from '../shared/kinds.ts';
import { gvkOf, readyCondition, stringAt, timeoutSignal, type FluxObject } from '../shared/objects.ts';
import { addKindCommands, article } from './kind-commands.ts';
import { isReconciliationHandled, pollObject, successMessage } from './wait.ts';

/** Go's `time.Now().Format(time.RFC3339Nano)` in UTC: fraction without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d+)Z$/, (_m, f: string) => (/^0+$/.test(f) ? 'Z' : `.${f.replace(/0+$/, '')}Z`));
}

/** What `reconcile` does besides the request annotation. */
interface ReconcileOptions {
  readonly force?: boolean;
  readonly reset?: boolean;
}

/** Sets `reconcile.fluxcd.io/requestedAt` (and HelmRelease's forceAt/resetAt) by a merge patch; returns the value. */
export async function requestReconciliation(
  client: KubeClient,
  kind: FluxKind,
  namespace: string,
  name: string,
  opts: ReconcileOptions,
  now: Date,
  signal: AbortSignal,
): Promise<string> {
  const ts = rfc3339Nano(now);
  const annotations: Record<string, string> = { [ReconcileRequestAnnotation]: ts };
  if (kind.kind === 'HelmRelease') {
    if (opts.force === true) annotations[ForceRequestAnnotation] = ts;
    if (opts.reset === true) annotations[ResetRequestAnnotation] = ts;
  }
  await client.patch(gvkOf(kind), { namespace, name }, { metadata: { annotations } }, { type: 'merge', signal });
  return ts;
}

// Kinds whose current API version has no status and no reconciler to ask (flux's `isStatic()`).
const staticKinds = new Set(['Alert', 'Provider']);

/**
 * flux's `reconcileCommand.run` (and, with `withSource`, the tail of `reconcileWithSourceCommand.run`): annotate,
 * wait until the request is handled and the object current (kstatus), report the Ready outcome.
 */
export async function reconcileObject(
  ctx: CommandContext,
  client: KubeClient,
  kind: FluxKind,
  namespace: string,
  name: string,
  opts: ReconcileOptions & { readonly withSource?: boolean },
  signal: AbortSignal,
): Promise<FluxObject> {
  const obj = await client.get<FluxObject>(gvkOf(kind), { namespace, name }, { signal });
  if (staticKinds.has(kind.kind) && opts.withSource !== true) {
    ctx.logger.successf('reconciliation not supported by the object');
    return obj;
  }
  if (obj.spec?.suspend === true) throw new Error('resource is suspended');
  const previous = obj.status?.lastHandledReconcileAt;
  ctx.logger.actionf(`annotating ${kind.kind} ${name} in ${namespace} namespace`);
  await requestReconciliation(client, kind, namespace, name, opts, new Date(), signal);
  ctx.logger.successf(`${kind.kind} annotated`);
  ctx.logger.waitingf(`waiting for ${kind.kind} reconciliation`);
  const done = await pollObject(client, kind, { namespace, name }, signal, (o) => isReconciliationHandled(o, previous));
  const ready = readyCondition(done);
  if (ready === undefined) throw new Error("status can't be determined");
  if (ready.status !== 'True') {
    // flux quotes the message in `reconcile`, not in the `--with-source` path.
    throw new Error(
      `${kind.kind} reconciliation failed: ${opts.withSource === true ? ready.message : `'${ready.message}'`}`,
    );
  }
  ctx.logger.successf(successMessage(kind, done));
  return done;
}

/** The source a Kustomization, HelmRelease or HelmChart reconciles from (`--with-source`). */
export function sourceOf(obj: FluxObject): { kind: FluxKind; namespace: string; name: string } | undefined {
  const ns = obj.metadata.namespace ?? '';
  const ref = (path: string): { kind: string; name: string; namespace: string } | undefined => {
    const kind = stringAt(obj, `${path}.kind`);
    const name = stringAt(obj, `${path}.name`);
    if (kind === '' || name === '') return undefined;
    const refNs = stringAt(obj, `${path}.namespace`);
    return { kind, name, namespace: refNs !== '' ? refNs : ns };
  };
  const found =
    obj.kind === 'HelmRelease' ? (ref('spec.chartRef') ?? ref('spec.chart.spec.sourceRef')) : ref('spec.sourceRef');
  if (found === undefined) return undefined;
  const kind = fluxKindByKind(found.kind);
  return kind ? { kind, namespace: found.namespace, name: found.name } : undefined;
}

const reconcilable = fluxKinds.filter((k) => k.kind !== 'ExternalArtifact');
const withSourceKinds = new Set(['Kustomization', 'HelmRelease', 'HelmChart']);

/** Registers `reconcile` and its subcommands. */
export function registerReconcile(program: Command, ctx: CommandContext): void {
  const reconcile = program
    .command('reconcile')
    .description('Reconcile sources and resources')
    .addHelpText('after', '\nThe reconcile sub-commands trigger a reconciliation of sources and resources.\n');
  addKindCommands(reconcile, 'Reconcile', reconcilable, (cmd, kind) => {
    cmd
      .description(`Reconcile ${article(kind.kind)} ${kind.kind}`)
      .argument('[name]', `the name of the ${kind.kind}`)
      .addHelpText(
        'after',
        `\nExamples:\n  # Trigger a reconciliation of an existing ${kind.kind}\n  flux-ts reconcile ${kind.parent !== undefined ? `${kind.parent} ` : ''}${kind.name} <name>\n`,
      );
    if (withSourceKinds.has(kind.kind))
      cmd.addOption(new Option('--with-source', 'reconcile source as well').default(false));
    if (kind.kind === 'HelmRelease') {
      cmd
        .addOption(
          new Option('--force', 'force a one-off install or upgrade of the HelmRelease resource').default(false),
        )
        .addOption(new Option('--reset', 'reset the failure count for this HelmRelease resource').default(false));
    }
    cmd.action(async (name: string | undefined, o: Record<string, unknown>, c: Command) => {
      if (name === undefined || name === '') throw new Error(`${kind.kind} name is required`);
      const globals = ctx.globals(c);
      const { client } = ctx.connect(c);
      const signal = timeoutSignal(ctx.io.signal, globals.timeoutMs);
      const opts: ReconcileOptions = { force: o['force'] === true, reset: o['reset'] === true };
      // flux's reconcileWithSourceCommand: the source first with --with-source (HelmRelease: also with --force).
      const withSource = o['withSource'] === true || (kind.kind === 'HelmRelease' && opts.force === true);
      if (withSource) {
        const obj = await client.get<FluxObject>(gvkOf(kind), { namespace: globals.namespace, name }, { signal });
        if (obj.spec?.suspend === true) throw new Error('resource is suspended');
        const src = sourceOf(obj);
        if (src !== undefined) await reconcileObject(ctx, client, src.kind, src.namespace, src.name, {}, signal);
      }
      const withSourceCommand = withSourceKinds.has(kind.kind);
      await reconcileObject(
        ctx,
        client,
        kind,
        globals.namespace,
        name,
        { ...opts, withSource: withSourceCommand },
        signal,
      );
    });
  });
}
